import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { RESTRICTION_GROUNDS, type RestrictionGround } from './restriction.js';

/** POST .../restriction: the body may be left out (no ground given). */
export class RestrictDto {
  @ApiPropertyOptional({ enum: RESTRICTION_GROUNDS, description: 'Art. 18(1)(a)-(d): why processing is restricted' })
  @IsOptional()
  @IsIn(RESTRICTION_GROUNDS, { message: `ground must be one of ${RESTRICTION_GROUNDS.join(', ')}` })
  ground?: RestrictionGround;
}

/** DELETE .../restriction: Art. 18(3), the person is told before a restriction is lifted. */
export class LiftRestrictionDto {
  @ApiPropertyOptional({
    description: 'when the person was told the restriction will be lifted (Art. 18(3)); required while one is in force',
    example: '2026-12-07T10:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'notifiedAt must be an ISO 8601 date-time, e.g. 2026-12-07T10:00:00Z' })
  notifiedAt?: string;
}

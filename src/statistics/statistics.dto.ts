import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';

/** A date-time with its offset: a bare date or a local time would leave the instant to the server's zone. */
const WITH_OFFSET = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const HINT = 'an ISO-8601 date-time with offset, e.g. 2026-12-01T00:00:00Z or 2026-12-01T01:00:00+01:00';

export class StatisticsQueryDto {
  @ApiPropertyOptional({ description: 'Alarms opened at or after this instant; default: 7 days before `to`', example: '2026-12-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: `from must be ${HINT}` })
  @Matches(WITH_OFFSET, { message: `from must be ${HINT}` })
  from?: string;

  @ApiPropertyOptional({ description: 'Alarms opened before this instant; default: now. At most 366 days after `from`', example: '2026-12-08T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: `to must be ${HINT}` })
  @Matches(WITH_OFFSET, { message: `to must be ${HINT}` })
  to?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'], { message: 'format must be json or csv' })
  format?: 'json' | 'csv';
}

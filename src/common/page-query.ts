import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * `?page=&limit=` for every list, with the same messages everywhere; each list picks its own largest
 * page (a customer page renders rows, a messages page is read by scripts). Lists extend the class:
 * `class ListMessagesQuery extends PageQuery(200) { ... }`.
 */
export function PageQuery(maxLimit: number, defaultLimit = Math.min(50, maxLimit)) {
  class Paged {
    @ApiPropertyOptional({ default: 1, minimum: 1 })
    @IsOptional()
    @Type(() => Number)
    @IsInt({ message: 'page must be a whole number' })
    @Min(1, { message: 'page must be at least 1' })
    @Max(100000, { message: 'page must be at most 100000' })
    page?: number;

    @ApiPropertyOptional({ default: defaultLimit, minimum: 1, maximum: maxLimit })
    @IsOptional()
    @Type(() => Number)
    @IsInt({ message: 'limit must be a whole number' })
    @Min(1, { message: 'limit must be at least 1' })
    @Max(maxLimit, { message: `limit must be at most ${maxLimit}` })
    limit?: number;
  }
  return Paged;
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';

const DATE_HINT = 'an ISO 8601 date or date-time, e.g. 2025-01-31 or 2025-01-31T12:00:00Z';

export class ProcessingLogQueryDto {
  @ApiPropertyOptional({ description: 'Only entries naming this data subject (customer, contact, operator id)', format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'subjectId must be a UUID' })
  subjectId?: string;

  @ApiPropertyOptional({ description: 'From this instant (inclusive); a date alone means the start of that day, UTC', example: '2025-01-01' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: `from must be ${DATE_HINT}` })
  from?: string;

  @ApiPropertyOptional({ description: 'Up to this instant (inclusive); a date alone means the whole of that day, UTC', example: '2025-01-31' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: `to must be ${DATE_HINT}` })
  to?: string;

  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'page must be a whole number' })
  @Min(1, { message: 'page must be at least 1' })
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(500, { message: 'limit must be at most 500' })
  limit?: number;
}

export class RopaQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'], { message: 'format must be json or csv' })
  format?: 'json' | 'csv';
}

/** `from`/`to` as the instants the search uses: a bare date covers its whole UTC day. */
export function searchWindow(from?: string, to?: string): { from?: Date; to?: Date } {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/;
  const start = from ? new Date(dateOnly.test(from) ? `${from}T00:00:00Z` : from) : undefined;
  let end: Date | undefined;
  if (to) {
    end = new Date(dateOnly.test(to) ? `${to}T00:00:00Z` : to);
    // `to` is inclusive: the search wants an exclusive end.
    end = new Date(end.getTime() + (dateOnly.test(to) ? 24 * 3600 * 1000 : 1));
  }
  return { from: start, to: end };
}

/** An anchor for GET /api/privacy/processing-log/verify: a head read earlier (both or neither). */
export class VerifyQueryDto {
  @ApiPropertyOptional({ description: 'chain position of an anchor (from GET .../head or the "processing log head" log line)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'position must be a whole number' })
  @Min(1, { message: 'position must be at least 1' })
  position?: number;

  @ApiPropertyOptional({ description: 'the hash (64 hex characters) at that position' })
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: 'hash must be 64 lowercase hex characters' })
  hash?: string;

  @ApiPropertyOptional({
    enum: ['checkpoint'],
    description: 'start at the newest checkpoint (where a whole check last checked out) instead of reading the whole chain; the answer says which, in `from`',
  })
  @IsOptional()
  @IsIn(['checkpoint'], { message: 'from must be "checkpoint" (or left out, to check the whole chain)' })
  from?: 'checkpoint';
}

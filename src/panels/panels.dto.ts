import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { SingleLine } from '../common/text-field.js';
import { DEFAULT_SUPERVISION_SECONDS } from './panel.entity.js';

export class CreatePanelDto {
  @ApiPropertyOptional({ example: 'Hall, main panel', maxLength: 100, nullable: true })
  @IsOptional()
  @SingleLine(100)
  label?: string | null;

  @ApiPropertyOptional({
    default: DEFAULT_SUPERVISION_SECONDS,
    minimum: 60,
    maximum: 7 * 24 * 3600,
    description: 'a panel silent longer than this is overdue (its test signal is missing)',
  })
  @IsOptional()
  @IsInt({ message: 'supervisionIntervalSeconds must be a whole number of seconds' })
  @Min(60, { message: 'supervisionIntervalSeconds must be at least 60' })
  @Max(7 * 24 * 3600, { message: 'supervisionIntervalSeconds must be at most 604800 (7 days)' })
  supervisionIntervalSeconds?: number;
}

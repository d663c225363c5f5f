import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsUUID } from 'class-validator';

export const MAX_NAMES = 100;

export class NamesQuery {
  @ApiProperty({
    description: `up to ${MAX_NAMES} ids of customers, contacts or operators, separated by commas`,
    example: '00000000-0000-4000-8000-000000000000',
  })
  @Transform(({ value }) =>
    typeof value === 'string'
      ? [
          ...new Set(
            value
              .split(',')
              .map((id) => id.trim())
              .filter(Boolean),
          ),
        ]
      : value,
  )
  @IsArray({ message: 'ids must be ids separated by commas (given once)' })
  @ArrayMinSize(1, { message: 'ids must name at least one id' })
  @ArrayMaxSize(MAX_NAMES, { message: `ids must not name more than ${MAX_NAMES} ids` })
  @IsUUID('all', { each: true, message: 'each of ids must be a UUID' })
  ids!: string[];
}

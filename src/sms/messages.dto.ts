import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsUUID, Matches } from 'class-validator';
import { PageQuery } from '../common/page-query.js';

export class ListMessagesQuery extends PageQuery(200) {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'customerId must be a UUID' })
  customerId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'contactId must be a UUID' })
  contactId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'alarmId must be a UUID' })
  alarmId?: string;

  @ApiPropertyOptional({ description: 'recipient phone number, E.164 (encode + as %2B)', example: '+46701234567' })
  @IsOptional()
  // An unencoded "+" in a query string arrives as a space.
  @Transform(({ value }) => (typeof value === 'string' ? value.replace(/^ (?=\d)/, '+').trim() : value))
  @Matches(/^\+[1-9]\d{6,14}$/, { message: 'to must be an E.164 phone number such as +46701234567' })
  to?: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsEmail, IsIn, IsInt, IsOptional, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { IsPhone } from '../common/phone-number.js';
import { NoWebAddress, OptionalNotNull, SingleLine } from '../common/text-field.js';
import { MAX_CONTACTS, RELATIONS, type ContactRelation } from './contact.entity.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateContactDto {
  @ApiProperty({ example: 'Erik Lind', maxLength: 200 })
  @SingleLine(200)
  @NoWebAddress()
  name: string;

  @ApiProperty({
    example: '+46701234568',
    description: "a mobile number (contacts are reached by SMS); without + it is read in the customer's alarm address country",
  })
  @IsPhone('mobile')
  phone: string;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @Transform(trim)
  @MaxLength(254, { message: 'email must be at most 254 characters' })
  @IsEmail({}, { message: 'email must be an email address' })
  email?: string | null;

  @ApiPropertyOptional({ enum: RELATIONS, default: 'other' })
  @IsOptional()
  @IsIn(RELATIONS, { message: `relation must be one of ${RELATIONS.join(', ')}` })
  relation?: ContactRelation;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_CONTACTS, description: 'position in the escalation order, 1 first; default: last' })
  @IsOptional()
  @IsInt({ message: 'priority must be a whole number' })
  @Min(1, { message: 'priority must be at least 1' })
  @Max(MAX_CONTACTS, { message: `priority must be at most ${MAX_CONTACTS}` })
  priority?: number;
}

export class UpdateContactDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @OptionalNotNull()
  @SingleLine(200)
  @NoWebAddress()
  name?: string;

  @ApiPropertyOptional({ example: '+46701234568' })
  @OptionalNotNull()
  @IsPhone('mobile')
  phone?: string;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @Transform(trim)
  @MaxLength(254, { message: 'email must be at most 254 characters' })
  @IsEmail({}, { message: 'email must be an email address' })
  email?: string | null;

  @ApiPropertyOptional({ enum: RELATIONS })
  @OptionalNotNull()
  @IsIn(RELATIONS, { message: `relation must be one of ${RELATIONS.join(', ')}` })
  relation?: ContactRelation;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_CONTACTS, description: 'moves the contact to this position; the others shift' })
  @OptionalNotNull()
  @IsInt({ message: 'priority must be a whole number' })
  @Min(1, { message: 'priority must be at least 1' })
  @Max(MAX_CONTACTS, { message: `priority must be at most ${MAX_CONTACTS}` })
  priority?: number;
}

export class ReorderContactsDto {
  @ApiProperty({ type: [String], description: "every one of the customer's contacts, first to be tried first" })
  @IsArray({ message: 'contactIds must be an array of contact ids' })
  @ArrayMaxSize(MAX_CONTACTS, { message: `contactIds must not list more than ${MAX_CONTACTS} contacts` })
  @ArrayUnique({ message: 'contactIds must not list a contact twice' })
  @IsUUID('all', { each: true, message: 'each of contactIds must be a UUID' })
  contactIds: string[];
}

export class UninformedContactsQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(500, { message: 'limit must be at most 500' })
  limit?: number;
}

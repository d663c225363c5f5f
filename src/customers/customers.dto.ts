import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsISO31661Alpha2,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  registerDecorator,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import { IsPhone } from '../common/phone-number.js';
import { NoWebAddress, OptionalNotNull, SingleLine } from '../common/text-field.js';
import { LANGUAGES, type Language } from './customer.entity.js';
import { parseNationalId } from './national-id.js';
import { PageQuery } from '../common/page-query.js';

/** Postal codes we know the shape of; elsewhere a short code of letters, digits, spaces and dashes. */
const POSTAL_CODES: Record<string, { pattern: RegExp; example: string }> = {
  SE: { pattern: /^\d{3} ?\d{2}$/, example: '114 55' },
  NO: { pattern: /^\d{4}$/, example: '0150' },
  DK: { pattern: /^\d{4}$/, example: '2100' },
  FI: { pattern: /^\d{5}$/, example: '00100' },
};
const ANY_POSTAL_CODE = /^[A-Za-z0-9][A-Za-z0-9 -]{1,10}$/;

function IsPostalCodeOfCountry() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isPostalCodeOfCountry',
      target: target.constructor,
      propertyName,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          if (typeof value !== 'string') return false;
          const country = String((args.object as { country?: unknown }).country ?? '').toUpperCase();
          return (POSTAL_CODES[country]?.pattern ?? ANY_POSTAL_CODE).test(value);
        },
        defaultMessage(args: ValidationArguments) {
          const country = String((args.object as { country?: unknown }).country ?? '').toUpperCase();
          const known = POSTAL_CODES[country];
          return known ? `${args.property} is not a postal code of ${country} (e.g. ${known.example})` : `${args.property} must be a postal code`;
        },
      },
    });
}

function IsNationalId() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isNationalId',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseNationalId(value).ok,
        defaultMessage: (args: ValidationArguments) => {
          if (typeof args.value !== 'string') return `${args.property} must be a string`;
          const parsed = parseNationalId(args.value);
          return parsed.ok ? '' : parsed.problem;
        },
      },
    });
}

export class AddressDto {
  @ApiProperty({ example: 'Storgatan 1', maxLength: 200 })
  @SingleLine(200)
  street: string;

  @ApiProperty({ example: '114 55', description: 'checked against the country: SE NNN NN, NO NNNN, ...' })
  @SingleLine(12)
  @IsPostalCodeOfCountry()
  postalCode: string;

  @ApiProperty({ example: 'Stockholm', maxLength: 100 })
  @SingleLine(100)
  city: string;

  @ApiProperty({ example: 'SE', description: 'ISO 3166-1 alpha-2' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toUpperCase() : value))
  @IsString({ message: 'country must be a string' })
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 country code such as SE or NO' })
  country: string;
}

const regionOfBody = (body: Record<string, unknown>) => (body.alarmAddress as { country?: unknown } | undefined)?.country;

export class CreateCustomerDto {
  @ApiProperty({ example: 'Anna Lind', maxLength: 200, description: 'one line; no web address (it goes into texts to the contacts)' })
  @SingleLine(200)
  @NoWebAddress()
  name: string;

  @ApiProperty({ example: '+46701234567', description: 'E.164; a number without + is read in the alarm address country' })
  @IsPhone('any', regionOfBody)
  phone: string;

  @ApiPropertyOptional({ example: 'anna@example.se', nullable: true })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @MaxLength(254, { message: 'email must be at most 254 characters' })
  @IsEmail({}, { message: 'email must be an email address' })
  email?: string | null;

  @ApiPropertyOptional({ enum: LANGUAGES, description: 'default: from the alarm address country (SE sv, NO nb, else en)' })
  @IsOptional()
  @IsIn(LANGUAGES, { message: `language must be one of ${LANGUAGES.join(', ')}` })
  language?: Language;

  @ApiPropertyOptional({
    example: '640823-3234',
    nullable: true,
    description: 'Swedish personnummer/samordningsnummer or Norwegian fødselsnummer/D-number; stored encrypted, always shown masked',
  })
  @IsOptional()
  @IsString({ message: 'nationalId must be a string' })
  @MaxLength(20, { message: 'nationalId must be at most 20 characters' })
  @IsNationalId()
  nationalId?: string | null;

  @ApiProperty({ type: AddressDto })
  @IsObject({ message: 'alarmAddress must be an object with street, postalCode, city and country' })
  @ValidateNested()
  @Type(() => AddressDto)
  alarmAddress: AddressDto;

  @ApiPropertyOptional({ type: AddressDto, nullable: true })
  @IsOptional()
  @IsObject({ message: 'postalAddress must be an object with street, postalCode, city and country' })
  @ValidateNested()
  @Type(() => AddressDto)
  postalAddress?: AddressDto | null;
}

/** Any subset of the fields; an address is replaced whole. `null` clears email, nationalId and postalAddress. */
export class UpdateCustomerDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @OptionalNotNull()
  @SingleLine(200)
  @NoWebAddress()
  name?: string;

  @ApiPropertyOptional({ example: '+46701234567' })
  @OptionalNotNull()
  @IsPhone('any', regionOfBody)
  phone?: string;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @MaxLength(254, { message: 'email must be at most 254 characters' })
  @IsEmail({}, { message: 'email must be an email address' })
  email?: string | null;

  @ApiPropertyOptional({ enum: LANGUAGES })
  @OptionalNotNull()
  @IsIn(LANGUAGES, { message: `language must be one of ${LANGUAGES.join(', ')}` })
  language?: Language;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsString({ message: 'nationalId must be a string' })
  @MaxLength(20, { message: 'nationalId must be at most 20 characters' })
  @IsNationalId()
  nationalId?: string | null;

  @ApiPropertyOptional({ type: AddressDto })
  @OptionalNotNull()
  @IsObject({ message: 'alarmAddress must be an object with street, postalCode, city and country' })
  @ValidateNested()
  @Type(() => AddressDto)
  alarmAddress?: AddressDto;

  @ApiPropertyOptional({ type: AddressDto, nullable: true })
  @IsOptional()
  @IsObject({ message: 'postalAddress must be an object with street, postalCode, city and country' })
  @ValidateNested()
  @Type(() => AddressDto)
  postalAddress?: AddressDto | null;
}

export class ListCustomersQuery extends PageQuery(100, 20) {
  @ApiPropertyOptional({ description: 'matches name, email, phone or city', maxLength: 100 })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString({ message: 'search must be a string' })
  @MaxLength(100, { message: 'search must be at most 100 characters' })
  search?: string;
}

import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
// The "max" metadata knows which number ranges are mobile; the default "min" set cannot tell.
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { DomainError } from './domain-error.js';

export type PhoneUse = 'any' | 'mobile';

export type PhoneParse = { ok: true; e164: string; country?: string } | { ok: false; problem: string };

/** Digits, spaces and the usual punctuation; letters (and so extensions, "ext 12") are not a phone number for SMS. */
const PHONE_CHARACTERS = /^\+?[\d\s().\-/]+$/;

const charactersProblem = (field: string) => `${field} must be a phone number such as +46701234567 (digits, spaces, + and - only)`;

/**
 * Turns what an operator typed into E.164 (`+46701234567`). A number without `+` (or `00`) is read
 * as a national number of `region`, the country of the customer's alarm address. With use `mobile`,
 * only numbers that can receive SMS are accepted: libphonenumber's MOBILE, or FIXED_LINE_OR_MOBILE
 * where the numbering plan does not tell them apart (e.g. the US).
 */
export function parsePhone(field: string, raw: string, region: string | undefined, use: PhoneUse = 'any'): PhoneParse {
  const text = raw.trim();
  if (!PHONE_CHARACTERS.test(text)) {
    return { ok: false, problem: charactersProblem(field) };
  }
  const international = text.startsWith('+') || text.startsWith('00');
  const defaultCountry = region && isSupportedCountry(region.toUpperCase()) ? (region.toUpperCase() as CountryCode) : undefined;
  if (!international && !defaultCountry) {
    return { ok: false, problem: `${field} must start with + and the country code (e.g. +46 or +47) when the alarm address is not in a country we can read local numbers for` };
  }
  const parsed = parsePhoneNumberFromString(text, defaultCountry ? { defaultCountry } : undefined);
  if (!parsed || !parsed.isValid()) {
    const where = international ? '' : ` for ${defaultCountry}`;
    return { ok: false, problem: `${field} ${text} is not a valid phone number${where}; give it in international form, e.g. +46701234567` };
  }
  const e164 = parsed.number;
  if (use === 'mobile') {
    const type = parsed.getType();
    if (type === 'FIXED_LINE') {
      return { ok: false, problem: `${field} ${e164} is a landline; contacts receive SMS, give a mobile number` };
    }
    if (type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') {
      const kind = type ? type.toLowerCase().replace(/_/g, ' ') : 'unknown type of';
      return { ok: false, problem: `${field} ${e164} is a ${kind} number, not a mobile number; contacts receive SMS, give a mobile number` };
    }
  }
  return { ok: true, e164, country: parsed.country };
}

/** As `parsePhone`, for services: the E.164 form, or a 400 naming the field and what is wrong. */
export function normalisePhone(field: string, raw: string, region: string | undefined, use: PhoneUse = 'any'): string {
  const result = parsePhone(field, raw, region, use);
  if (!result.ok) throw new DomainError('invalid', 'phone_invalid', result.problem);
  return result.e164;
}

/**
 * Checks a phone field in a DTO, so a bad number is reported with the other field errors.
 * `regionOf` reads the default region from the same body (a new customer's alarm address); when the
 * region is only known to the service (a contact: the customer's country) and the number is not in
 * international form, the check is left to the service, which calls `normalisePhone` with the region.
 */
export function IsPhone(use: PhoneUse, regionOf?: (body: Record<string, unknown>) => unknown, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isPhone',
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          return problemOf(value, args) === undefined;
        },
        defaultMessage(args: ValidationArguments) {
          return problemOf(args.value, args) ?? `${args.property} must be a phone number`;
        },
      },
    });

  function problemOf(value: unknown, args: ValidationArguments): string | undefined {
    if (typeof value !== 'string') return `${args.property} must be a phone number in a string, such as "+46701234567"`;
    if (value.length > 32) return `${args.property} must be at most 32 characters`;
    const region = regionOf?.(args.object as Record<string, unknown>);
    const known = typeof region === 'string' && isSupportedCountry(region.toUpperCase());
    const trimmed = value.trim();
    if (!known && !trimmed.startsWith('+') && !trimmed.startsWith('00')) {
      // The service knows the region; it only needs the characters to be plausible here.
      return PHONE_CHARACTERS.test(trimmed) ? undefined : charactersProblem(args.property);
    }
    const result = parsePhone(args.property, value, known ? (region as string) : undefined, use);
    return result.ok ? undefined : result.problem;
  }
}

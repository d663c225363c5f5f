import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
// The "max" metadata knows which number ranges are mobile; the default "min" set cannot tell.
import { getCountries, getCountryCallingCode, isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
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
    return {
      ok: false,
      problem: `${field} must start with + and the country code (e.g. +46 or +47) when the alarm address is not in a country we can read local numbers for`,
    };
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

/**
 * As `parsePhone`, for services: the E.164 form, or a 400 naming the field and what is wrong. With
 * `smsCountries` (SMS_ALLOWED_COUNTRIES), a number outside those countries is a 422: it is well
 * formed, but nothing would be texted to it.
 */
export function normalisePhone(field: string, raw: string, region: string | undefined, use: PhoneUse = 'any', smsCountries?: readonly string[]): string {
  const result = parsePhone(field, raw, region, use);
  if (!result.ok) throw new DomainError('invalid', 'phone_invalid', result.problem);
  if (smsCountries && !smsDestinationAllowed(result.e164, smsCountries)) {
    const where = result.country ? `a number in ${result.country}` : 'a number of no country (an international service such as a satellite network)';
    throw new DomainError(
      'unprocessable',
      'phone_country_not_allowed',
      `${field} ${result.e164} is ${where}; SMS are sent only to numbers in ${smsCountries.join(', ')} (SMS_ALLOWED_COUNTRIES)`,
    );
  }
  return result.e164;
}

/**
 * Regions with numbers of their own inside a country's calling code that are part of that country:
 * libphonenumber names Åland's numbers AX (+358 18) and Svalbard's SJ (+47 79), and a central that
 * serves Finland or Norway serves them too. Listing AX or SJ alone allows only them.
 */
const PARTS_OF: Readonly<Record<string, readonly string[]>> = { FI: ['AX'], NO: ['SJ'] };

/**
 * Reads SMS_ALLOWED_COUNTRIES: ISO 3166 alpha-2 codes, comma separated, upper-cased. Returns the
 * codes, or the problem with the first code that is not a country libphonenumber has numbers for.
 */
export function parseCountryList(raw: string): { ok: true; countries: string[] } | { ok: false; problem: string } {
  const countries = raw.split(',').map((c) => c.trim().toUpperCase());
  for (const code of countries) {
    if (!/^[A-Z]{2}$/.test(code) || !isSupportedCountry(code)) {
      return { ok: false, problem: `"${code}" is not an ISO 3166 alpha-2 country code with phone numbers; give a list such as SE,NO,DK,FI,IS` };
    }
  }
  return { ok: true, countries: [...new Set(countries)] };
}

/** The countries of each calling code ("47": NO, SJ); calling codes are prefix-free. */
const COUNTRIES_BY_CALLING_CODE = new Map<string, CountryCode[]>();
for (const country of getCountries()) {
  const code = getCountryCallingCode(country);
  COUNTRIES_BY_CALLING_CODE.set(code, [...(COUNTRIES_BY_CALLING_CODE.get(code) ?? []), country]);
}

/**
 * Whether an E.164 number may be texted under SMS_ALLOWED_COUNTRIES. The number's country is the
 * region libphonenumber tells from it (so +47 79 is Svalbard, allowed with NO, see PARTS_OF). A
 * number it cannot place (not valid by its plan, perhaps stored before the checks were this strict)
 * is allowed when a country sharing its calling code is; a number of no country (+881 satellite,
 * +882/+883 international networks) never is. Every SMS passes this, alarm SMS too: the calling code
 * alone answers when all or none of its countries are allowed (+46, +47 with NO, +234), and only a
 * code shared by allowed and other countries (+1, +7, +47 with SJ alone) costs a full parse.
 */
export function smsDestinationAllowed(e164: string, smsCountries: readonly string[]): boolean {
  const allowed = (country: string) => smsCountries.some((c) => c === country || PARTS_OF[c]?.includes(country));
  const digits = e164.replace(/^\+/, '');
  const sharing = [1, 2, 3].map((n) => COUNTRIES_BY_CALLING_CODE.get(digits.slice(0, n))).find((c) => c !== undefined);
  if (!sharing) return false;
  const some = sharing.filter(allowed).length;
  if (some === 0 || some === sharing.length) return some > 0;
  const country = parsePhoneNumberFromString(e164)?.country;
  return country ? allowed(country) : true;
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

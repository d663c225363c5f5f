import { describe, expect, it } from '@jest/globals';
import { DomainError } from './domain-error.js';
import { normalisePhone, parseCountryList, parsePhone, smsDestinationAllowed } from './phone-number.js';

describe('parsePhone', () => {
  it('reads national numbers in the alarm address country and international ones anywhere', () => {
    expect(parsePhone('phone', '070-123 45 67', 'SE')).toMatchObject({ ok: true, e164: '+46701234567', country: 'SE' });
    expect(parsePhone('phone', '406 12 345', 'NO')).toMatchObject({ ok: true, e164: '+4740612345', country: 'NO' });
    expect(parsePhone('phone', '+46 70 123 45 67', undefined)).toMatchObject({ ok: true, e164: '+46701234567' });
    expect(parsePhone('phone', '0047 406 12 345', 'SE')).toMatchObject({ ok: true, e164: '+4740612345', country: 'NO' });
    // The region only applies to numbers without a country code.
    expect(parsePhone('phone', '+4740612345', 'SE')).toMatchObject({ ok: true, e164: '+4740612345' });
  });

  it('needs a country code when there is no region to read a local number in', () => {
    const result = parsePhone('phone', '0701234567', undefined);
    expect(result).toMatchObject({ ok: false, problem: expect.stringMatching(/^phone must start with \+/) });
    expect(parsePhone('phone', '0701234567', 'AQ')).toMatchObject({ ok: false });
  });

  it('refuses numbers that are not valid, naming the field', () => {
    expect(parsePhone('phone', '123', 'SE')).toMatchObject({ ok: false, problem: expect.stringMatching(/^phone 123 is not a valid phone number for SE/) });
    expect(parsePhone('phone', '+4670123456789', 'SE')).toMatchObject({ ok: false });
    expect(parsePhone('phone', '+46701234567abc', 'SE')).toMatchObject({ ok: false, problem: expect.stringMatching(/digits, spaces/) });
    expect(parsePhone('phone', '+46 70 123 45 67 ext 5', 'SE')).toMatchObject({ ok: false });
    expect(parsePhone('phone', '', 'SE')).toMatchObject({ ok: false });
  });

  it('accepts a landline where any number will do, and refuses it where SMS must reach it', () => {
    expect(parsePhone('phone', '08-123 456 78', 'SE', 'any')).toMatchObject({ ok: true, e164: '+46812345678' });
    expect(parsePhone('phone', '08-123 456 78', 'SE', 'mobile')).toEqual({
      ok: false,
      problem: 'phone +46812345678 is a landline; contacts receive SMS, give a mobile number',
    });
    expect(parsePhone('phone', '+4721234567', undefined, 'mobile')).toMatchObject({ ok: false, problem: expect.stringMatching(/landline/) });
    expect(parsePhone('phone', '+4791234567', undefined, 'mobile')).toMatchObject({ ok: true });
  });

  it('refuses other non-mobile kinds (voicemail, toll-free) for SMS, saying which kind', () => {
    expect(parsePhone('phone', '+4781234567', undefined, 'mobile')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/voicemail number, not a mobile/),
    });
    expect(parsePhone('phone', '020-123 456', 'SE', 'mobile')).toMatchObject({ ok: false, problem: expect.stringMatching(/not a mobile number/) });
  });

  it('takes FIXED_LINE_OR_MOBILE (plans that cannot tell them apart) as reachable by SMS', () => {
    expect(parsePhone('phone', '+1 201 555 0123', undefined, 'mobile')).toMatchObject({ ok: true, e164: '+12015550123' });
  });
});

describe('normalisePhone', () => {
  it('returns E.164 or throws an "invalid" DomainError (a 400)', () => {
    expect(normalisePhone('phone', '0701234567', 'SE', 'mobile')).toBe('+46701234567');
    expect(() => normalisePhone('phone', '08-123 456 78', 'SE', 'mobile')).toThrow(DomainError);
    try {
      normalisePhone('phone', '08-123 456 78', 'SE', 'mobile');
    } catch (e) {
      expect((e as DomainError).kind).toBe('invalid');
    }
  });
});

describe('SMS destinations (SMS_ALLOWED_COUNTRIES)', () => {
  const NORDIC = ['SE', 'NO', 'DK', 'FI', 'IS'];

  it('allows numbers of the listed countries and no others', () => {
    for (const n of ['+46701234567', '+4791234567', '+4520123456', '+358401234567', '+3546612345']) expect(smsDestinationAllowed(n, NORDIC)).toBe(true);
    expect(smsDestinationAllowed('+2348031234567', NORDIC)).toBe(false); // Nigeria
    expect(smsDestinationAllowed('+37061234567', NORDIC)).toBe(false); // Lithuania
    expect(smsDestinationAllowed('+881612345678', NORDIC)).toBe(false); // a satellite network: no country
    expect(smsDestinationAllowed('+4791234567', ['SE'])).toBe(false);
  });

  it('takes Åland in with Finland and Svalbard with Norway, and allows them alone when listed alone', () => {
    expect(smsDestinationAllowed('+358181234567', ['FI'])).toBe(true); // AX
    expect(smsDestinationAllowed('+4779012345', ['NO'])).toBe(true); // SJ
    expect(smsDestinationAllowed('+358181234567', ['AX'])).toBe(true);
    expect(smsDestinationAllowed('+358401234567', ['AX'])).toBe(false);
    expect(smsDestinationAllowed('+4779012345', ['SE'])).toBe(false);
  });

  it('places a number libphonenumber cannot by its calling code', () => {
    expect(smsDestinationAllowed('+4612', ['SE'])).toBe(true);
    expect(smsDestinationAllowed('+47123', ['NO'])).toBe(true);
    expect(smsDestinationAllowed('+47123', ['SE'])).toBe(false);
    expect(smsDestinationAllowed('+881123', NORDIC)).toBe(false);
  });

  it('refuses a number outside the list when entered: 422 naming the field and the allowed countries', () => {
    expect(normalisePhone('phone', '+46 70 123 45 67', undefined, 'mobile', NORDIC)).toBe('+46701234567');
    try {
      normalisePhone('phone', '+234 803 123 4567', undefined, 'mobile', NORDIC);
      throw new Error('accepted');
    } catch (e) {
      expect(e).toMatchObject({
        kind: 'unprocessable',
        code: 'phone_country_not_allowed',
        message: 'phone +2348031234567 is a number in NG; SMS are sent only to numbers in SE, NO, DK, FI, IS (SMS_ALLOWED_COUNTRIES)',
      });
    }
    expect(() => normalisePhone('phone', '+881 6 1234 5678', undefined, 'mobile', NORDIC)).toThrow(/a number of no country/);
  });

  it('reads the list, refusing codes that are not countries', () => {
    expect(parseCountryList('se,NO, fi')).toEqual({ ok: true, countries: ['SE', 'NO', 'FI'] });
    expect(parseCountryList('SE,ZZ')).toMatchObject({ ok: false, problem: expect.stringMatching(/^"ZZ" is not/) });
  });
});

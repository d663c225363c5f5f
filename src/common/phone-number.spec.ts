import { describe, expect, it } from '@jest/globals';
import { DomainError } from './domain-error.js';
import { normalisePhone, parsePhone } from './phone-number.js';

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
    expect(parsePhone('phone', '+4781234567', undefined, 'mobile')).toMatchObject({ ok: false, problem: expect.stringMatching(/voicemail number, not a mobile/) });
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

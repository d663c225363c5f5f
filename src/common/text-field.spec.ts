import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CreateContactDto, UpdateContactDto } from '../contacts/contacts.dto.js';
import { CreateCustomerDto, UpdateCustomerDto } from '../customers/customers.dto.js';
import { hasWebAddress, singleLine } from './text-field.js';

const address = { street: 'Storgatan 1', postalCode: '114 55', city: 'Stockholm', country: 'SE' };
const customer = (extra: object) => ({ name: 'Anna Lind', phone: '+46701234567', alarmAddress: address, ...extra });
const contact = (extra: object) => ({ name: 'Erik Lind', phone: '+46701234568', ...extra });

/** The messages of every failing rule, with the path of nested fields. */
function problems(cls: new () => object, body: object): string[] {
  const walk = (errors: ReturnType<typeof validateSync>, parent = ''): string[] =>
    errors.flatMap((e) => [
      ...Object.values(e.constraints ?? {}).map((m) => (parent ? `${parent}.${m}` : m)),
      ...walk(e.children ?? [], parent ? `${parent}.${e.property}` : e.property),
    ]);
  return walk(validateSync(plainToInstance(cls, body)));
}

const WEB = 'Anna (pay fee at https://evil.example/p)';
const LINE_SEPARATOR = 'Anna\u2028Lind';
const RIGHT_TO_LEFT_OVERRIDE = 'Anna \u202EdniL';

describe('SingleLine', () => {
  it('refuses line and paragraph separators, naming the field', () => {
    expect(problems(CreateCustomerDto, customer({ name: LINE_SEPARATOR }))).toEqual([expect.stringMatching(/^name must be a single line/)]);
    expect(problems(CreateCustomerDto, customer({ name: 'Anna\u2029Lind' }))).toEqual([expect.stringMatching(/^name must be a single line/)]);
  });

  it('refuses bidi overrides, isolates and marks, naming the field', () => {
    expect(problems(CreateCustomerDto, customer({ name: RIGHT_TO_LEFT_OVERRIDE }))).toEqual([expect.stringMatching(/^name must be a single line/)]);
    for (const mark of ['\u202A', '\u202B', '\u202C', '\u202D', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C', '\u200B', '\uFEFF']) {
      expect(problems(CreateContactDto, contact({ name: `Erik${mark}Lind` }))).toEqual([expect.stringMatching(/^name must be a single line/)]);
    }
  });

  it('refuses them in address fields too, naming the nested field', () => {
    const street = { ...address, street: 'Storgatan 1\u202E' };
    expect(problems(CreateCustomerDto, customer({ alarmAddress: street }))).toEqual([expect.stringMatching(/^alarmAddress\.street must be a single line/)]);
    const city = { ...address, city: 'Stock\u2028holm' };
    expect(problems(CreateCustomerDto, customer({ postalAddress: city }))).toEqual([expect.stringMatching(/^postalAddress\.city must be a single line/)]);
  });

  it('still refuses newlines and other control characters', () => {
    expect(problems(CreateCustomerDto, customer({ name: 'Anna\nLind' }))).toEqual([expect.stringMatching(/^name must be a single line/)]);
    expect(problems(CreateContactDto, contact({ name: 'Erik\u0007' }))).toEqual([expect.stringMatching(/^name must be a single line/)]);
  });

  it('accepts Nordic letters, hyphens, apostrophes, initials and house numbers', () => {
    for (const name of ['Anna Lind', 'Åsa-Märta Øyvindsdotter', "O'Brien", 'Ærø Bø', 'J.R.R. Tolkien', 'Dr. Lind', 'Bygg & Co. AB', 'Anna Lind (mormor)']) {
      expect(problems(CreateCustomerDto, customer({ name }))).toEqual([]);
      expect(problems(CreateContactDto, contact({ name }))).toEqual([]);
    }
    for (const street of ['Storgatan 1', 'St. Eriksgatan 5', 'Karl Johans gate 1', 'Strøget 1, 2. tv']) {
      expect(problems(CreateCustomerDto, customer({ alarmAddress: { ...address, street } }))).toEqual([]);
    }
  });
});

describe("NoWebAddress on people's names", () => {
  it('refuses a customer name with a web address, on create and update', () => {
    expect(problems(CreateCustomerDto, customer({ name: WEB }))).toEqual(['name must not contain a web address']);
    expect(problems(UpdateCustomerDto, { name: WEB })).toEqual(['name must not contain a web address']);
  });

  it('refuses a contact name with a web address, on create and update', () => {
    expect(problems(CreateContactDto, contact({ name: WEB }))).toEqual(['name must not contain a web address']);
    expect(problems(UpdateContactDto, { name: 'Erik www.evil.example' })).toEqual(['name must not contain a web address']);
  });
});

describe('hasWebAddress', () => {
  it('finds schemes, www. and host names with any top-level domain', () => {
    for (const text of [
      WEB,
      'Anna https://x',
      'www.evil',
      'Anna evil.example',
      'EVIL.COM',
      'anna@lind.se',
      'pay.me.now',
      'evil\u3002example',
      'evil\uFF0Eexample',
      'bit.ly/x',
    ]) {
      expect([text, hasWebAddress(text)]).toEqual([text, true]);
    }
  });

  it('leaves names, initials, abbreviations and numbers alone', () => {
    for (const text of ['Anna Lind', 'J.R.R. Tolkien', 'Dr. Lind', 'St. Eriksgatan 5', 'Zone 1.5', 'Lind, A.', 'Åsa-Märta']) {
      expect([text, hasWebAddress(text)]).toEqual([text, false]);
    }
  });
});

describe('singleLine', () => {
  it('turns line breaks, separators and bidi characters into spaces and changes nothing else', () => {
    expect(singleLine('3\nCall https://evil.example now')).toBe('3 Call https://evil.example now');
    expect(singleLine('Hall\u2028PIR\u202E')).toBe('Hall PIR ');
    expect(singleLine('Kök  PIR')).toBe('Kök  PIR');
  });
});

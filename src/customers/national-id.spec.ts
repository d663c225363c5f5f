import { describe, expect, it } from '@jest/globals';
import { fromNormalised, luhnCheckDigit, parseNationalId } from './national-id.js';

const TODAY = new Date('2026-06-01T12:00:00Z');
const parse = (raw: string) => parseNationalId(raw, TODAY);

describe('Swedish personnummer and samordningsnummer', () => {
  it('accepts the published examples and stores the 12-digit form', () => {
    expect(parse('640823-3234')).toEqual({
      ok: true,
      country: 'SE',
      kind: 'personnummer',
      normalised: '196408233234',
      masked: '19640823-****',
      display: '19640823-3234',
    });
    expect(parse('880320-0016')).toMatchObject({ ok: true, normalised: '198803200016', masked: '19880320-****' });
  });

  it('reads the 10-digit form without a separator, and the 12-digit forms', () => {
    for (const raw of ['6408233234', '196408233234', '19640823-3234', ' 640823-3234 ']) {
      expect(parse(raw)).toMatchObject({ ok: true, normalised: '196408233234' });
    }
  });

  it('puts a "+" number (100 years or older) in the century before', () => {
    expect(parse('640823+3234')).toMatchObject({ ok: true, normalised: '186408233234', masked: '18640823-****' });
  });

  it('picks the century that makes a 10-digit number a date in the past', () => {
    // 2026-05-31 has passed on TODAY, 2026-06-02 has not: the latter is read as 1926.
    const past = `260531-${tailFor('260531', '000')}`;
    const future = `260602-${tailFor('260602', '000')}`;
    expect(parse(past)).toMatchObject({ ok: true, normalised: expect.stringMatching(/^20260531/) });
    expect(parse(future)).toMatchObject({ ok: true, normalised: expect.stringMatching(/^19260602/) });
  });

  it('accepts a samordningsnummer (day + 60) and masks it the same way', () => {
    expect(parse('701063-2391')).toMatchObject({ ok: true, kind: 'samordningsnummer', normalised: '197010632391', masked: '19701063-****' });
  });

  it('refuses a wrong check digit, naming the check digit but not the number', () => {
    const result = parse('640823-3235');
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ problem: expect.stringMatching(/check digit/) });
    expect(JSON.stringify(result)).not.toContain('640823');
    expect(parse('880320-0017').ok).toBe(false);
    expect(parse('196408233235').ok).toBe(false);
  });

  it('refuses dates that do not exist or lie in the future', () => {
    expect(parse(`640230-${tailFor('640230', '323')}`)).toMatchObject({ ok: false, problem: expect.stringMatching(/not a real date/) });
    expect(parse(`641323-${tailFor('641323', '323')}`)).toMatchObject({ ok: false, problem: expect.stringMatching(/not a real date/) });
    expect(parse(`20300101-${tailFor('300101', '323')}`)).toMatchObject({ ok: false, problem: expect.stringMatching(/not plausible/) });
    expect(parse('19640823+3234')).toMatchObject({ ok: false });
  });

  it('refuses other shapes with a message saying what is accepted', () => {
    for (const raw of ['', '640823', '640823-32345', '6408-23-3234', 'abcdef-ghij', '640823 3234x']) {
      expect(parse(raw)).toMatchObject({ ok: false, problem: expect.stringMatching(/Swedish personnummer .* Norwegian fødselsnummer/) });
    }
  });

  it('computes the Luhn digit with weights 2,1,2,...', () => {
    expect(luhnCheckDigit('640823323')).toBe(4);
    expect(luhnCheckDigit('880320001')).toBe(6);
  });
});

describe('Norwegian fødselsnummer, D-number and H-number', () => {
  it('accepts the published examples', () => {
    expect(parse('31129956715')).toEqual({
      ok: true,
      country: 'NO',
      kind: 'fodselsnummer',
      normalised: '31129956715',
      masked: '311299*****',
      display: '31129956715',
    });
    expect(parse('15108695088')).toMatchObject({ ok: true, normalised: '15108695088', masked: '151086*****' });
    expect(parse('151086 95088')).toMatchObject({ ok: true, normalised: '15108695088' });
  });

  it('accepts a D-number (day + 40) and an H-number (month + 40)', () => {
    expect(parse('55108695071')).toMatchObject({ ok: true, kind: 'd_number', masked: '551086*****' });
    expect(parse('15508695060')).toMatchObject({ ok: true, kind: 'h_number' });
  });

  it('refuses wrong control digits', () => {
    for (const raw of ['31129956716', '31129956705', '15108695089', '15108695078']) {
      expect(parse(raw)).toMatchObject({ ok: false, problem: expect.stringMatching(/control digits/) });
    }
  });

  it('refuses a number whose individual number and year give no century, or a date in the future', () => {
    // 0102034 99 60 has valid control digits but 01.02.03 with individual 499 is 1903: fine.
    expect(parse('01020349960').ok).toBe(true);
    // Valid control digits, individual 750-899 with year 40-99: not issued.
    const noCentury = withControlDigits('010150800');
    expect(noCentury && parse(noCentury)).toMatchObject({ ok: false, problem: expect.stringMatching(/not a real date/) });
    const future = withControlDigits('010130500') ?? withControlDigits('010130501');
    expect(parse(future!)).toMatchObject({ ok: false, problem: expect.stringMatching(/not plausible/) });
  });
});

describe('fromNormalised', () => {
  it('turns the stored form back into display and masked forms', () => {
    expect(fromNormalised('196408233234')).toMatchObject({ display: '19640823-3234', masked: '19640823-****' });
    expect(fromNormalised('186408233234')).toMatchObject({ display: '18640823-3234' });
    expect(fromNormalised('31129956715')).toMatchObject({ display: '31129956715', masked: '311299*****' });
  });
});

/** The last four digits (serial + Luhn digit) of a Swedish number with this date and serial. */
function tailFor(yymmdd: string, serial: string): string {
  return serial + luhnCheckDigit(yymmdd + serial);
}

function withControlDigits(nine: string): string | undefined {
  const mod11 = (d: string, w: number[]) => (11 - (w.reduce((s, x, i) => s + x * Number(d[i]), 0) % 11)) % 11;
  const k1 = mod11(nine, [3, 7, 6, 1, 8, 9, 4, 5, 2]);
  if (k1 === 10) return undefined;
  const k2 = mod11(nine + k1, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
  return k2 === 10 ? undefined : nine + k1 + k2;
}

import { describe, expect, it } from '@jest/globals';
import { contactAlarmText } from '../escalation/alarm-texts.js';
import { policyUrl } from '../privacy-policy/policy-version.js';
import { countSegments, isGsm7, type SmsLanguage } from '../sms/texts.js';
import { contactNoticeText } from './notice-texts.js';

const LANGUAGES: SmsLanguage[] = ['sv', 'nb', 'en'];
// 40 characters each, with the Nordic letters that GSM-7 has.
const COMPANY = 'Nordiska Larmcentralen Söderström och Bø';
const CUSTOMER = 'Åsa-Märta Øyvindsdotter Ljungqvist Ærø Ö';
const BASE = 'https://larmcentral.example-company.se';

describe('contactNoticeText', () => {
  it('fixtures are as long as the brief says (40 characters)', () => {
    expect(COMPANY).toHaveLength(40);
    expect(CUSTOMER).toHaveLength(40);
  });

  for (const language of LANGUAGES) {
    describe(language, () => {
      const url = policyUrl(BASE, language);
      const text = contactNoticeText({ language, company: COMPANY, customerName: CUSTOMER, policyUrl: url });

      it('fits two segments and stays GSM-7 with 40-character names', () => {
        expect(isGsm7(text)).toBe(true);
        expect(countSegments(text)).toMatchObject({ encoding: 'GSM-7' });
        expect(countSegments(text).segments).toBeLessThanOrEqual(2);
      });

      it('says who sends it, whose contact they are, the link, and STOP on a line of its own', () => {
        expect(text.startsWith(`${COMPANY}: `)).toBe(true);
        expect(text).toContain(CUSTOMER);
        expect(text).toContain(url);
        expect(url).toBe(`${BASE}/privacy?lang=${language}`);
        const lastLine = text.split('\n').at(-1)!;
        expect(lastLine).toMatch(/STOP/);
        expect(text.split('\n')[0]).not.toMatch(/STOP/);
      });

      it('says the contact is texted only when the alarm goes off and the owner cannot be reached', () => {
        const expected = {
          sv: /bara om larmet går och vi inte når/,
          nb: /bare hvis alarmen går og vi ikke når/,
          en: /only if their alarm goes off and we cannot reach them/,
        }[language];
        expect(text).toMatch(expected);
      });

      it('has no typographic quotes or dashes', () => {
        expect(text).not.toMatch(/[\u2018\u2019\u201c\u201d\u2013\u2014]/);
      });

      it('still fits two segments (shortening the names, keeping link and STOP) with very long names', () => {
        const long = contactNoticeText({
          language,
          company: COMPANY,
          customerName: 'Bartholomew Maximilian Alexander Montgomery-Fitzwilliam Andersson',
          policyUrl: url,
        });
        expect(countSegments(long).segments).toBeLessThanOrEqual(2);
        expect(isGsm7(long)).toBe(true);
        expect(long).toContain(url);
        expect(long).toMatch(/STOP/);
      });
    });
  }

  it('contains nothing but what it is given: no national id can appear', () => {
    const text = contactNoticeText({ language: 'sv', company: COMPANY, customerName: CUSTOMER, policyUrl: policyUrl(BASE, 'sv') });
    expect(text).not.toMatch(/\d{6}[-+]?\d{4}/);
  });
});

describe('contactAlarmText with the policy link (notice not delivered)', () => {
  for (const language of LANGUAGES) {
    it(`${language}: keeps the link within two segments, GSM-7, with long names and address`, () => {
      const url = policyUrl(BASE, language);
      const base = {
        language,
        company: COMPANY,
        subject: 'burglary' as const,
        street: 'Långa Vägen Till Söderåsens Gård 1234 B',
        city: 'Östra Göinge Kommun',
        zone: '12',
        code: 3,
        customerName: CUSTOMER,
      };
      const withLink = contactAlarmText({ ...base, policyUrl: url });
      expect(withLink).toContain(url);
      expect(withLink).toMatch(/ 3 /);
      expect(isGsm7(withLink)).toBe(true);
      expect(countSegments(withLink).segments).toBeLessThanOrEqual(2);
      expect(contactAlarmText(base)).not.toContain('privacy');
    });
  }

  describe("a customer's name that is not plain", () => {
    const url = policyUrl(BASE, 'en');

    it('defuses a web address in it: the only link is the privacy policy', () => {
      const text = contactNoticeText({ language: 'en', company: 'Keyholder', customerName: 'Anna (pay fee at https://evil.example/p)', policyUrl: url });
      expect(text).toContain('Anna (pay fee at https[:]//evil[.]example/p) has named you');
      expect(text.match(/https?:\/\//g)).toEqual(['https://']);
      expect(text).not.toContain('evil.example');
    });

    it('keeps the name on one line, without separators or bidi controls: the only line break is the STOP line', () => {
      for (const customerName of ['Anna\u2028Lind', 'Anna\u2029Lind', 'Anna \u202ELind', 'Anna\nLind']) {
        const text = contactNoticeText({ language: 'en', company: 'Keyholder', customerName, policyUrl: url });
        expect(text).toMatch(/^Keyholder: Anna Lind has named you/);
        expect(text).not.toMatch(/[\u2028\u2029\u202A-\u202E\u2066-\u2069]/);
        expect(text.split('\n')).toHaveLength(2);
      }
    });
  });
});

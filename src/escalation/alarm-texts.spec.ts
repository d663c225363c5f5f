import { describe, expect, it } from '@jest/globals';
import { countSegments, type SmsLanguage } from '../sms/texts.js';
import { acknowledgedText, alreadyAcknowledgedText, contactAlarmText, ownerAlarmText, type AlarmSubject } from './alarm-texts.js';

const LANGUAGES: SmsLanguage[] = ['sv', 'nb', 'en'];
const SUBJECTS: AlarmSubject[] = ['burglary', 'fire', 'gas', 'water', 'medical', 'panic', 'duress', 'tamper', 'technical', 'unknown', 'panel_offline'];
const LONGEST_COMPANY = 'K'.repeat(40);

describe('alarm texts', () => {
  it('tells the owner what, where and which code to reply, in their language', () => {
    const base = { company: 'Keyholder', subject: 'burglary' as const, street: 'Storgatan 1', city: 'Stockholm', zone: '3', code: 2 };
    expect(ownerAlarmText({ ...base, language: 'en' })).toBe('Keyholder: ALARM - burglary at Storgatan 1, Stockholm (zone 3). Reply 2 if you are handling it.');
    expect(ownerAlarmText({ ...base, language: 'sv' })).toBe('Keyholder: LARM - inbrott på Storgatan 1, Stockholm (sektion 3). Svara 2 om du tar hand om det.');
    expect(ownerAlarmText({ ...base, language: 'nb' })).toContain('innbrudd på Storgatan 1');
  });

  it('tells a contact whose alarm it is and that the owner could not be reached', () => {
    const text = contactAlarmText({
      language: 'en',
      company: 'Keyholder',
      subject: 'fire',
      street: 'Storgatan 1',
      city: 'Stockholm',
      code: 1,
      customerName: 'Anna Lind',
    });
    expect(text).toBe(
      "Keyholder: ALARM - fire at Anna Lind's, Storgatan 1, Stockholm. We cannot reach Anna Lind. You are their alarm contact: reply 1 if you are handling it.",
    );
  });

  it('tells a contact of a panic or duress alarm nothing about reaching the owner: the owner is never texted for those', () => {
    for (const subject of ['panic', 'duress'] as const) {
      for (const language of LANGUAGES) {
        const text = contactAlarmText({
          language,
          company: 'Keyholder',
          subject,
          street: 'Storgatan 1',
          city: 'Stockholm',
          code: 2,
          customerName: 'Anna Lind',
        });
        expect(text).not.toMatch(/cannot reach|når inte|når ikke/);
        expect(text).toContain('Anna Lind');
        // The shortest form too.
        const minimal = contactAlarmText({
          language,
          company: 'K'.repeat(40),
          subject,
          street: 'Å'.repeat(60),
          city: 'Ö'.repeat(40),
          code: 2,
          customerName: 'Ä'.repeat(60),
        });
        expect(minimal).not.toMatch(/cannot be reached|nås inte|nås ikke/);
      }
    }
    expect(
      contactAlarmText({
        language: 'sv',
        company: 'Keyholder',
        subject: 'duress',
        street: 'Storgatan 1',
        city: 'Stockholm',
        code: 2,
        customerName: 'Anna Lind',
      }),
    ).toBe('Keyholder: LARM - hotlarm hos Anna Lind, Storgatan 1, Stockholm. Du är larmkontakt: svara 2 om du tar hand om det.');
  });

  it('fits two segments in every language, with the longest company name, address and name allowed', () => {
    const worst = {
      company: LONGEST_COMPANY,
      street: 'Ö'.repeat(200),
      city: 'Å'.repeat(100),
      zone: 'z'.repeat(32),
      code: 999999,
      customerName: 'Æ'.repeat(200),
    };
    // Outside GSM-7 (UCS-2: 67 per part): the street and the name are where such characters come from.
    const unicode = { ...worst, street: 'Łódź street '.repeat(16), customerName: 'Łukasz Żółć '.repeat(16) };
    for (const language of LANGUAGES) {
      for (const subject of SUBJECTS) {
        for (const input of [worst, unicode]) {
          const owner = ownerAlarmText({ ...input, language, subject });
          const contact = contactAlarmText({ ...input, language, subject });
          expect(countSegments(owner).segments).toBeLessThanOrEqual(2);
          expect(countSegments(contact).segments).toBeLessThanOrEqual(2);
          expect(owner).toContain('999999');
          expect(contact).toContain('999999');
        }
      }
    }
  });

  it('keeps the whole address when it fits, and drops the city, then the zone, when it does not', () => {
    const long = ownerAlarmText({ language: 'en', company: 'Keyholder', subject: 'burglary', street: 'S'.repeat(240), city: 'Stockholm', zone: '7', code: 1 });
    expect(long).toContain('S'.repeat(240));
    expect(long).not.toContain('Stockholm');
    expect(long).not.toContain('zone 7');
  });

  it("confirms an acknowledgement with the alarm's address, as docs/alarm-handling.md#reply-codes asks", () => {
    expect(acknowledgedText('en', 'Storgatan 1')).toBe('Thanks, alarm at Storgatan 1 is marked as handled by you.');
    expect(acknowledgedText('sv', 'Storgatan 1')).toBe('Tack, larmet på Storgatan 1 är markerat som hanterat av dig.');
    expect(acknowledgedText('nb', 'Storgatan 1')).toBe('Takk, alarmen på Storgatan 1 er markert som håndtert av deg.');
    expect(alreadyAcknowledgedText('en', 'Storgatan 1')).toContain('already');
  });

  describe('values that are not ours', () => {
    const LINK = /https?:\/\/|[\p{L}\p{N}-]\.[\p{L}]{2,}/u;
    const INVISIBLE = /[\p{C}\p{Zl}\p{Zp}]/u;

    it("makes a panel's zone with a line break and a web address one line without a link", () => {
      for (const language of LANGUAGES) {
        const text = ownerAlarmText({
          language,
          company: 'Keyholder',
          subject: 'burglary',
          street: 'Storgatan 1',
          city: 'Stockholm',
          zone: '3\nCall https://evil.example now',
          code: 2,
        });
        expect(text).not.toMatch(INVISIBLE);
        expect(text).not.toMatch(LINK);
        expect(text).toContain('3 Call https[:]//evil[.]example now');
      }
    });

    it("defuses a web address and drops separators and bidi controls in a customer's name, street and city", () => {
      for (const language of LANGUAGES) {
        const text = contactAlarmText({
          language,
          company: 'Keyholder',
          subject: 'fire',
          code: 1,
          customerName: 'Anna (pay fee at https://evil.example/p)',
          street: 'Storgatan\u2028 1',
          city: '\u202EStockholm',
        });
        expect(text).not.toMatch(INVISIBLE);
        expect(text).not.toMatch(LINK);
        expect(text).toContain('Anna (pay fee at https[:]//evil[.]example/p)');
        expect(text).toContain('Storgatan 1, Stockholm');
      }
      expect(acknowledgedText('en', 'Storgatan\u2029 1\u202E')).toBe('Thanks, alarm at Storgatan 1 is marked as handled by you.');
      expect(alreadyAcknowledgedText('en', 'evil.example')).toContain('evil[.]example');
    });

    it('leaves a zone that is nothing but invisible characters out', () => {
      const text = ownerAlarmText({
        language: 'en',
        company: 'Keyholder',
        subject: 'burglary',
        street: 'Storgatan 1',
        city: 'Stockholm',
        zone: '\u2028\u202E',
        code: 2,
      });
      expect(text).toBe('Keyholder: ALARM - burglary at Storgatan 1, Stockholm. Reply 2 if you are handling it.');
    });
  });
});

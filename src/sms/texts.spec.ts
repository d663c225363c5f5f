import { describe, expect, it } from '@jest/globals';
import { codeWaitText, countSegments, helpText, isGsm7, languageForPhone, smsField, unknownCodeText, type SmsLanguage } from './texts.js';

describe('isGsm7', () => {
  it('accepts Swedish and Norwegian letters, which are in the GSM-7 alphabet', () => {
    expect(isGsm7('Larm på Storgatan 1: åäö ÅÄÖ æø ÆØ é É ü')).toBe(true);
  });

  it('accepts the extension table', () => {
    expect(isGsm7('[]{}~^|\\€')).toBe(true);
  });

  it('rejects characters outside GSM-7', () => {
    expect(isGsm7('smart “quotes”')).toBe(false);
    expect(isGsm7('ł')).toBe(false);
    expect(isGsm7('alarm 🔥')).toBe(false);
    expect(isGsm7('en – dash')).toBe(false);
  });
});

describe('countSegments', () => {
  it('fits 160 GSM-7 characters in one message and splits the 161st into 153-character parts', () => {
    expect(countSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(countSegments('a'.repeat(306)).segments).toBe(2);
    expect(countSegments('a'.repeat(307)).segments).toBe(3);
  });

  it('counts extension characters twice', () => {
    expect(countSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegments('€'.repeat(80) + 'a').segments).toBe(2);
  });

  it('never cuts an escape pair across parts', () => {
    // 152 plain + one € (2 septets) does not fit in 153: the € starts part two.
    expect(countSegments('a'.repeat(152) + '€' + 'a'.repeat(152)).segments).toBe(3);
    expect(countSegments('a'.repeat(151) + '€' + 'a'.repeat(153)).segments).toBe(2);
  });

  it('switches the whole message to UCS-2 for one character outside GSM-7: 70, then 67 per part', () => {
    expect(countSegments('ł' + 'a'.repeat(69))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(countSegments('ł' + 'a'.repeat(70)).segments).toBe(2);
    expect(countSegments('ł' + 'a'.repeat(133)).segments).toBe(2);
    expect(countSegments('ł' + 'a'.repeat(134)).segments).toBe(3);
  });

  it('counts characters beyond the BMP as two UCS-2 units and never splits them', () => {
    expect(countSegments('🔥').units).toBe(2);
    expect(countSegments('🔥'.repeat(35)).segments).toBe(1);
    expect(countSegments('a'.repeat(66) + '🔥' + 'a'.repeat(3)).segments).toBe(2);
    // 134 units would fill two parts exactly, but the emoji cannot sit across the border.
    expect(countSegments('ł' + 'a'.repeat(65) + '🔥' + 'a'.repeat(66)).segments).toBe(3);
  });

  it('gives an empty text no segments', () => {
    expect(countSegments('').segments).toBe(0);
  });
});

describe('reply texts', () => {
  const company = 'X'.repeat(40); // the longest COMPANY_NAME the configuration accepts
  const languages: SmsLanguage[] = ['sv', 'nb', 'en'];

  it('fit two GSM-7 segments in every language with the longest company name', () => {
    for (const lang of languages) {
      for (const text of [helpText(lang, company), unknownCodeText(lang, company, '9999'), codeWaitText(lang, company, 15)]) {
        const count = countSegments(text);
        expect({ lang, text, encoding: count.encoding }).toEqual({ lang, text, encoding: 'GSM-7' });
        expect(count.segments).toBeLessThanOrEqual(2);
      }
    }
  });

  it('say how to stop in the help text', () => {
    for (const lang of languages) expect(helpText(lang, 'Acme')).toContain('STOP');
  });

  it('picks the language from the number when nothing better is known', () => {
    expect(languageForPhone('+46701234567')).toBe('sv');
    expect(languageForPhone('+4791234567')).toBe('nb');
    expect(languageForPhone('+4520123456')).toBe('en');
  });
});

describe('smsField', () => {
  it('makes a panel zone with a line break and a web address one line without a link', () => {
    expect(smsField('3\nCall https://evil.example now')).toBe('3 Call https[:]//evil[.]example now');
  });

  it('defuses a web address in a customer name', () => {
    expect(smsField('Anna (pay fee at https://evil.example/p)')).toBe('Anna (pay fee at https[:]//evil[.]example/p)');
    expect(smsField('Anna www.evil.example')).toBe('Anna www[.]evil[.]example');
    expect(smsField('Anna EVIL.COM')).toBe('Anna EVIL[.]COM');
    expect(smsField('Anna evil\u3002example')).toBe('Anna evil[.]example');
  });

  it('replaces line and paragraph separators and bidi controls with spaces, then collapses them', () => {
    expect(smsField('Anna\u2028Lind')).toBe('Anna Lind');
    expect(smsField('Anna\u2029\u2029Lind')).toBe('Anna Lind');
    expect(smsField('Anna \u202Eelpmaxe')).toBe('Anna elpmaxe');
    expect(smsField('\u2066Anna\u2069 \u200FLind\u200E\u061C')).toBe('Anna Lind');
    expect(smsField(' Anna\t\r\n Lind\u00A0 ')).toBe('Anna Lind');
  });

  it('keeps ordinary names, addresses and zones as they are', () => {
    for (const text of ['Åsa-Märta Øyvindsdotter', "O'Brien", 'Storgatan 1', 'St. Eriksgatan 5', 'J.R.R. Tolkien', 'Zone 1.5', '3']) {
      expect(smsField(text)).toBe(text);
    }
  });

  it('gives an empty string for nothing', () => {
    expect(smsField(null)).toBe('');
    expect(smsField(undefined)).toBe('');
    expect(smsField('\u2028 \u202E')).toBe('');
  });
});

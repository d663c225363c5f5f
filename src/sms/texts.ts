/**
 * SMS length rules (docs/sms.md#segments-and-encoding) and the few texts this module writes itself.
 * Every text here must fit two segments in every language, with the longest allowed COMPANY_NAME.
 */

import { HOST_LIKE, singleLine, URL_SCHEME } from '../common/text-field.js';

export type SmsLanguage = 'sv' | 'nb' | 'en';
export type SmsEncoding = 'GSM-7' | 'UCS-2';

// GSM 03.38 default alphabet (ESC left out: it is not a character anyone types).
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' + '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
// The extension table: each costs an escape plus itself, two septets.
const GSM7_EXTENDED = new Set('\f^{}\\[~]|€');

/** True when every character is in the GSM-7 alphabet (basic or extension table). */
export function isGsm7(text: string): boolean {
  for (const ch of text) if (!GSM7_BASIC.has(ch) && !GSM7_EXTENDED.has(ch)) return false;
  return true;
}

export interface SegmentCount {
  encoding: SmsEncoding;
  /** Septets for GSM-7 (extension characters count two), UTF-16 code units for UCS-2. */
  units: number;
  segments: number;
}

/**
 * How many SMS segments a text takes: GSM-7 160 in one message, 153 per part when split; UCS-2 70
 * and 67. Parts are packed the way phones do it: an escape pair (GSM-7) or a surrogate pair (UCS-2)
 * is never cut in half, so a part may carry one unit less than the maximum.
 */
export function countSegments(text: string): SegmentCount {
  const gsm = isGsm7(text);
  const costs = [...text].map((ch) => (gsm ? (GSM7_EXTENDED.has(ch) ? 2 : 1) : ch.length));
  const units = costs.reduce((a, b) => a + b, 0);
  const single = gsm ? 160 : 70;
  const part = gsm ? 153 : 67;
  const encoding: SmsEncoding = gsm ? 'GSM-7' : 'UCS-2';
  if (units === 0) return { encoding, units, segments: 0 };
  if (units <= single) return { encoding, units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > part) {
      segments += 1;
      used = 0;
    }
    used += cost;
  }
  return { encoding, units, segments };
}

/**
 * A value as it may stand inside an SMS text: one line, without invisible characters, and with no
 * web address a phone would make a link of. Every builder passes each value it did not write itself
 * (names, addresses, a panel's zone, a code someone texted) through this, because the text reaches
 * people as if from us: a line break or a bidi override would change the message, and a link would
 * borrow our name. Values are defused rather than refused: panels' fields and records stored before
 * any check must still give a text. "https://evil.example/p" becomes "https[:]//evil[.]example/p",
 * still readable to an operator on the phone.
 */
export function smsField(value: string | null | undefined): string {
  if (!value) return '';
  return singleLine(value)
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(URL_SCHEME, (scheme) => `${scheme.slice(0, -3)}[:]//`)
    .replace(HOST_LIKE, (host) => host.replace(/[.\u3002\uFF0E\uFF61]/gu, '[.]'));
}

/** Without a better clue, the language of a number's country; English outside Sweden and Norway. */
export function languageForPhone(phone: string): SmsLanguage {
  if (phone.startsWith('+46')) return 'sv';
  if (phone.startsWith('+47')) return 'nb';
  return 'en';
}

/** Answer to a text that is neither a reply code nor STOP/START. */
export function helpText(language: SmsLanguage, company: string): string {
  switch (language) {
    case 'sv':
      return `${company}: Detta nummer tar bara emot svar på larm-SMS. Svara med koden från ditt larm-SMS, eller STOP för att inte få fler SMS.`;
    case 'nb':
      return `${company}: Dette nummeret tar bare imot svar på alarm-SMS. Svar med koden fra alarm-SMS-en din, eller STOP for å ikke få flere SMS.`;
    default:
      return `${company}: This number only takes replies to alarm SMS. Reply with the code from your alarm SMS, or STOP to get no more texts.`;
  }
}

/** Answer to a reply code that matches no open alarm for the sender. */
export function unknownCodeText(language: SmsLanguage, company: string, typed: string): string {
  const code = smsField(typed);
  switch (language) {
    case 'sv':
      return `${company}: Koden ${code} hör inte till något öppet larm för detta nummer. Svara med koden i ditt senaste larm-SMS.`;
    case 'nb':
      return `${company}: Koden ${code} hører ikke til en åpen alarm for dette nummeret. Svar med koden i den siste alarm-SMS-en din.`;
    default:
      return `${company}: The code ${code} does not match an open alarm for this number. Reply with the code from your latest alarm SMS.`;
  }
}

/** Answer, once per wait, to a reply code from a number that texted too many wrong ones. */
export function codeWaitText(language: SmsLanguage, company: string, minutes: number): string {
  switch (language) {
    case 'sv':
      return `${company}: För många felaktiga koder från detta nummer. Vänta ${minutes} min och svara sedan med koden i ditt senaste larm-SMS.`;
    case 'nb':
      return `${company}: For mange feil koder fra dette nummeret. Vent ${minutes} min og svar så med koden i den siste alarm-SMS-en din.`;
    default:
      return `${company}: Too many wrong codes from this number. Wait ${minutes} min, then reply with the code from your latest alarm SMS.`;
  }
}

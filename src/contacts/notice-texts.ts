import { countSegments, smsField, type SmsLanguage } from '../sms/texts.js';

/**
 * The onboarding notice to a new alarm contact (docs/privacy.md#onboarding-notice, GDPR Art. 14 and 21(4)): who
 * sends it, whose alarm contact they are, what that means, where the privacy policy is, and,
 * on a line of its own, how to say no. At most two segments, GSM-7 when the names are (plain
 * ASCII punctuation only: typographic quotes or dashes would switch the whole text to UCS-2).
 * Nothing here takes a national identity number. What two segments cannot hold (the processor that
 * texts them, its Art. 28 agreement and the transfer's safeguards) is in the policy's section for
 * alarm contacts, which the link opens.
 */

export const NOTICE_MAX_SEGMENTS = 2;

export interface NoticeTextInput {
  language: SmsLanguage;
  company: string;
  /** The customer who named them. */
  customerName: string;
  policyUrl: string;
}

function sentence(l: SmsLanguage, company: string, name: string, url: string, again = name): string {
  switch (l) {
    case 'sv':
      return `${company}: ${name} har angett dig som larmkontakt. Vi sms:ar dig bara om larmet går och vi inte når ${again}. Om dina uppgifter: ${url}\nVill du inte vara larmkontakt? Svara STOP.`;
    case 'nb':
      return `${company}: ${name} har oppgitt deg som alarmkontakt. Vi sender deg SMS bare hvis alarmen går og vi ikke når ${again}. Om personvern: ${url}\nVil du ikke være alarmkontakt? Svar STOP.`;
    default:
      return `${company}: ${name} has named you as their alarm contact. We will text you only if their alarm goes off and we cannot reach them. Privacy: ${url}\nDo not want this? Reply STOP.`;
  }
}

/** Last resort (names that cannot fit): still who, whose, the link and STOP. */
function minimal(l: SmsLanguage, company: string, name: string, url: string): string {
  switch (l) {
    case 'sv':
      return `${company}: Du är larmkontakt för ${name}. Info: ${url}\nSvara STOP för att säga nej.`;
    case 'nb':
      return `${company}: Du er alarmkontakt for ${name}. Info: ${url}\nSvar STOP for å si nei.`;
    default:
      return `${company}: You are ${name}'s alarm contact. Info: ${url}\nReply STOP to say no.`;
  }
}

const shorten = (s: string, max: number) => (s.length <= max ? s : s.slice(0, max).trimEnd());
const firstName = (name: string) => name.trim().split(/\s+/)[0] ?? name;

export function contactNoticeText(input: NoticeTextInput): string {
  const i = { ...input, customerName: smsField(input.customerName) };
  const first = firstName(i.customerName);
  const candidates: Array<() => string> = [
    () => sentence(i.language, i.company, i.customerName, i.policyUrl),
    // The second mention by first name only.
    () => sentence(i.language, i.company, i.customerName, i.policyUrl, shorten(first, 20)),
    () => sentence(i.language, i.company, shorten(i.customerName, 30), i.policyUrl, shorten(first, 20)),
    () => sentence(i.language, i.company, shorten(first, 20), i.policyUrl),
    () => minimal(i.language, i.company, shorten(i.customerName, 30), i.policyUrl),
    () => minimal(i.language, i.company, shorten(first, 12), i.policyUrl),
  ];
  for (const make of candidates) {
    const text = make();
    if (countSegments(text).segments <= NOTICE_MAX_SEGMENTS) return text;
  }
  return candidates[candidates.length - 1]();
}

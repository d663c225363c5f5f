import { countSegments, smsField, type SmsLanguage } from '../sms/texts.js';
import type { EventClass } from '../alarm-model/event-classification.js';

/**
 * The alarm SMS texts, in the recipient's language (sv, nb, en). Rules (docs/sms.md#segments-and-encoding):
 * short and clear, at most two segments whatever the address and names are, never a national
 * identity number (nothing here takes one). When the full text is too long, details are dropped in
 * a fixed order (zone, city, then a shortened street and name) until it fits.
 */

export const MAX_SEGMENTS = 2;

/** What the alarm is about, as people say it. `panel_offline` is the supervision alarm. */
export type AlarmSubject = EventClass | 'panel_offline';

const LABELS: Record<SmsLanguage, Record<AlarmSubject, string>> = {
  en: {
    burglary: 'burglary',
    fire: 'fire',
    gas: 'gas/CO',
    water: 'water leak',
    medical: 'medical alarm',
    panic: 'panic alarm',
    duress: 'duress alarm',
    tamper: 'tamper alarm',
    technical: 'technical fault',
    arming: 'arming',
    test: 'test',
    unknown: 'alarm',
    panel_offline: 'alarm panel not reporting',
  },
  sv: {
    burglary: 'inbrott',
    fire: 'brand',
    gas: 'gas/CO',
    water: 'vattenläcka',
    medical: 'medicinskt larm',
    panic: 'överfallslarm',
    duress: 'hotlarm',
    tamper: 'sabotagelarm',
    technical: 'tekniskt fel',
    arming: 'tillkoppling',
    test: 'test',
    unknown: 'larm',
    panel_offline: 'larmcentralen i hemmet svarar inte',
  },
  nb: {
    burglary: 'innbrudd',
    fire: 'brann',
    gas: 'gass/CO',
    water: 'vannlekkasje',
    medical: 'medisinsk alarm',
    panic: 'overfallsalarm',
    duress: 'truselalarm',
    tamper: 'sabotasjealarm',
    technical: 'teknisk feil',
    arming: 'tilkobling',
    test: 'test',
    unknown: 'alarm',
    panel_offline: 'alarmsentralen hjemme svarer ikke',
  },
};

export function alarmLabel(language: SmsLanguage, subject: AlarmSubject): string {
  return (LABELS[language] ?? LABELS.en)[subject];
}

export interface AlarmTextInput {
  language: SmsLanguage;
  company: string;
  subject: AlarmSubject;
  street: string;
  city: string;
  zone?: string | null;
  code: number;
}

export interface ContactAlarmTextInput extends AlarmTextInput {
  /** The customer, named so the contact knows whose alarm it is. */
  customerName: string;
  /**
   * The privacy policy's link, when the contact's onboarding notice has not been delivered: the
   * alarm SMS is then the first communication and must carry it (docs/privacy.md#onboarding-notice, Art. 14(3)(b)).
   * Kept in every shortened form; the address and name give way first.
   */
  policyUrl?: string;
}

function policySuffix(l: SmsLanguage, url: string | undefined): string {
  if (!url) return '';
  return ({ en: ` Privacy: ${url}`, sv: ` Om dina uppgifter: ${url}`, nb: ` Personvern: ${url}` } as const)[l] ?? ` Privacy: ${url}`;
}

interface Parts {
  place: string;
  zone?: string | null;
  name?: string;
}

function ownerSentence(l: SmsLanguage, company: string, label: string, p: Parts, code: number): string {
  const zone = p.zone ? ({ en: ` (zone ${p.zone})`, sv: ` (sektion ${p.zone})`, nb: ` (sone ${p.zone})` } as const)[l] : '';
  switch (l) {
    case 'sv':
      return `${company}: LARM - ${label} på ${p.place}${zone}. Svara ${code} om du tar hand om det.`;
    case 'nb':
      return `${company}: ALARM - ${label} på ${p.place}${zone}. Svar ${code} hvis du tar deg av det.`;
    default:
      return `${company}: ALARM - ${label} at ${p.place}${zone}. Reply ${code} if you are handling it.`;
  }
}

/**
 * Panic and duress never text the owner (a duress code means the owner may be under threat): their
 * contacts are texted on an operator's decision, so "we cannot reach the owner" would be untrue.
 */
const OWNER_NOT_TRIED: ReadonlySet<AlarmSubject> = new Set(['panic', 'duress']);

function contactSentence(l: SmsLanguage, company: string, label: string, p: Parts, code: number, ownerTried: boolean): string {
  const zone = p.zone ? ({ en: ` (zone ${p.zone})`, sv: ` (sektion ${p.zone})`, nb: ` (sone ${p.zone})` } as const)[l] : '';
  switch (l) {
    case 'sv':
      return `${company}: LARM - ${label} hos ${p.name}, ${p.place}${zone}.${ownerTried ? ` Vi når inte ${p.name}.` : ''} Du är larmkontakt: svara ${code} om du tar hand om det.`;
    case 'nb':
      return `${company}: ALARM - ${label} hos ${p.name}, ${p.place}${zone}.${ownerTried ? ` Vi når ikke ${p.name}.` : ''} Du er alarmkontakt: svar ${code} hvis du tar deg av det.`;
    default:
      return `${company}: ALARM - ${label} at ${p.name}'s, ${p.place}${zone}.${ownerTried ? ` We cannot reach ${p.name}.` : ''} You are their alarm contact: reply ${code} if you are handling it.`;
  }
}

/** Last resort for addresses and names that cannot fit (e.g. long and outside GSM-7): no free text but the company. */
function minimal(l: SmsLanguage, company: string, label: string, code: number, contact: boolean): string {
  switch (l) {
    case 'sv':
      return `${company}: LARM - ${label}.${contact ? ' Ägaren nås inte.' : ''} Svara ${code} om du tar hand om det.`;
    case 'nb':
      return `${company}: ALARM - ${label}.${contact ? ' Eieren nås ikke.' : ''} Svar ${code} hvis du tar deg av det.`;
    default:
      return `${company}: ALARM - ${label}.${contact ? ' The owner cannot be reached.' : ''} Reply ${code} if you are handling it.`;
  }
}

const shorten = (s: string, max: number) => (s.length <= max ? s : s.slice(0, max).trimEnd());
const firstName = (name: string) => name.split(/\s+/)[0] ?? name;

/** The first candidate that fits MAX_SEGMENTS; the last one always does (no free text but the company). */
function firstThatFits(candidates: Array<() => string>): string {
  for (const make of candidates) {
    const text = make();
    if (countSegments(text).segments <= MAX_SEGMENTS) return text;
  }
  return candidates[candidates.length - 1]();
}

/** The values the texts are made of, made safe to stand in an SMS before any is shortened. */
function fields<T extends AlarmTextInput>(i: T): T {
  return { ...i, street: smsField(i.street), city: smsField(i.city), zone: smsField(i.zone) || null };
}

/** The owner's alarm SMS, with their reply code. */
export function ownerAlarmText(input: AlarmTextInput): string {
  const i = fields(input);
  const label = alarmLabel(i.language, i.subject);
  const s = (p: Parts) => ownerSentence(i.language, i.company, label, p, i.code);
  return firstThatFits([
    () => s({ place: `${i.street}, ${i.city}`, zone: i.zone }),
    () => s({ place: i.street, zone: i.zone }),
    () => s({ place: i.street }),
    () => s({ place: shorten(i.street, 40) }),
    () => s({ place: shorten(i.street, 20) }),
    () => minimal(i.language, i.company, label, i.code, false),
  ]);
}

/**
 * A contact's alarm SMS (sent when the owner could not be reached, or for panic and duress on an
 * operator's decision), with their reply code.
 */
export function contactAlarmText(input: ContactAlarmTextInput): string {
  const i = { ...fields(input), customerName: smsField(input.customerName) };
  const label = alarmLabel(i.language, i.subject);
  const link = policySuffix(i.language, i.policyUrl);
  const ownerTried = !OWNER_NOT_TRIED.has(i.subject);
  const s = (p: Parts) => contactSentence(i.language, i.company, label, p, i.code, ownerTried) + link;
  const first = firstName(i.customerName);
  return firstThatFits([
    () => s({ place: `${i.street}, ${i.city}`, zone: i.zone, name: i.customerName }),
    () => s({ place: i.street, zone: i.zone, name: i.customerName }),
    () => s({ place: i.street, name: i.customerName }),
    () => s({ place: i.street, name: shorten(first, 20) }),
    () => s({ place: shorten(i.street, 40), name: shorten(first, 20) }),
    () => s({ place: shorten(i.street, 20), name: shorten(first, 12) }),
    () => minimal(i.language, i.company, label, i.code, ownerTried) + link,
  ]);
}

/** The answer to a reply code that acknowledged an alarm (docs/alarm-handling.md#reply-codes). */
export function acknowledgedText(language: SmsLanguage, street: string): string {
  const place = shorten(smsField(street), 60);
  switch (language) {
    case 'sv':
      return `Tack, larmet på ${place} är markerat som hanterat av dig.`;
    case 'nb':
      return `Takk, alarmen på ${place} er markert som håndtert av deg.`;
    default:
      return `Thanks, alarm at ${place} is marked as handled by you.`;
  }
}

/** The answer to a reply code for an alarm someone else had already acknowledged. */
export function alreadyAcknowledgedText(language: SmsLanguage, street: string): string {
  const place = shorten(smsField(street), 60);
  switch (language) {
    case 'sv':
      return `Tack. Larmet på ${place} är redan markerat som hanterat.`;
    case 'nb':
      return `Takk. Alarmen på ${place} er allerede markert som håndtert.`;
    default:
      return `Thanks. The alarm at ${place} is already marked as handled.`;
  }
}

import type { SmsLanguage } from '../sms/texts.js';

type Words = Record<SmsLanguage, string>;

/**
 * Art. 9 special categories this central processes. Only health: a medical alarm (SIA MA/QA,
 * Contact ID 100/101, class `medical`, which includes the fall and personal-assistance pendants)
 * says that someone at the address needed medical help, and the operator's notes and the
 * customer's own action plan for it often say why. Panic, duress and the other classes say
 * nothing about anyone's health.
 */
export const SPECIAL_CATEGORIES = {
  health: {
    en: "health data: medical alarms (including fall and assistance alarms) and operators' notes and procedures about them",
    sv: 'hälsouppgifter: medicinska larm (även fall- och trygghetslarm) och operatörernas anteckningar och rutiner om dem',
    nb: 'helseopplysninger: medisinske alarmer (også fall- og trygghetsalarmer) og operatørenes notater og rutiner om dem',
  },
} as const satisfies Record<string, Words>;

/**
 * The Art. 9(2) conditions relied on, and why these:
 * - (c) vital interests, for handling a medical alarm as it happens: the person who raised it is
 *   often unable to consent (fallen, unconscious), and the alarm exists to protect their life.
 * - (a) explicit consent, given when the customer orders medical-alarm monitoring in the contract,
 *   for the cases where the person could consent; (c) alone would not cover a customer who is
 *   conscious and answering, and (a) alone fails exactly when it matters.
 * - (f) legal claims, for keeping the alarm history after the alarm (the 10-year period) and for
 *   what an erasure must keep for claims (Art. 17(3)(e)).
 */
export const ART9_CONDITIONS = {
  vital_interests: {
    en: 'Art. 9(2)(c) vital interests, where the person cannot consent at the time of the alarm',
    sv: 'art. 9.2 c grundläggande intressen, när personen inte kan samtycka vid larmet',
    nb: 'art. 9 nr. 2 c vitale interesser, når personen ikke kan samtykke ved alarmen',
  },
  explicit_consent: {
    en: 'Art. 9(2)(a) explicit consent, given in the contract for medical-alarm monitoring',
    sv: 'art. 9.2 a uttryckligt samtycke, lämnat i avtalet om medicinsk larmövervakning',
    nb: 'art. 9 nr. 2 a uttrykkelig samtykke, gitt i avtalen om medisinsk alarmovervåking',
  },
  legal_claims: {
    en: 'Art. 9(2)(f) establishment or defence of legal claims',
    sv: 'art. 9.2 f för att fastställa eller försvara rättsliga anspråk',
    nb: 'art. 9 nr. 2 f for å fastsette eller forsvare rettskrav',
  },
} as const satisfies Record<string, Words>;

export type SpecialCategory = keyof typeof SPECIAL_CATEGORIES;
export type Art9Condition = keyof typeof ART9_CONDITIONS;

export interface SpecialCategoryUse {
  category: SpecialCategory;
  conditions: Art9Condition[];
}

/** Receiving, handling and texting about an alarm that may be medical. */
export const HEALTH_AT_ALARM: SpecialCategoryUse[] = [{ category: 'health', conditions: ['vital_interests', 'explicit_consent'] }];
/** Keeping, exporting or anonymising alarm history that may hold medical alarms. */
export const HEALTH_IN_HISTORY: SpecialCategoryUse[] = [{ category: 'health', conditions: ['explicit_consent', 'legal_claims'] }];
/** The customer's own procedure for a medical alarm, agreed in the contract. */
export const HEALTH_IN_PLANS: SpecialCategoryUse[] = [{ category: 'health', conditions: ['explicit_consent'] }];

/** One line per category: what it is, then its conditions. */
export function describeSpecialCategories(uses: readonly SpecialCategoryUse[] | undefined, language: SmsLanguage = 'en'): string[] {
  return (uses ?? []).map((u) => `${SPECIAL_CATEGORIES[u.category][language]} (${u.conditions.map((c) => ART9_CONDITIONS[c][language]).join('; ')})`);
}

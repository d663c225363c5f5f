import type { AppConfig } from '../config/app-config.js';
import { POLICY_VERSION } from '../privacy-policy/policy-version.js';
import { POLICY_TEXTS, type PolicySection } from '../privacy-policy/policy-texts.js';
import type { SmsLanguage } from '../sms/texts.js';

export interface SubjectRightsText {
  language: SmsLanguage;
  policyVersion: string;
  /** Art. 15(1)(e)-(f): rectification, erasure, restriction, objection, and the supervisory authority to complain to. */
  rights: { heading: string; paragraphs: string[]; items: string[] };
  contactUs: { heading: string; paragraphs: string[] };
  /** Art. 14(2)(f), for an alarm contact: where their data came from (the customer named them). */
  source?: { heading: string; paragraphs: string[] };
}

/**
 * What an export tells its subject about their rights and where to complain, in their language: the
 * very sentences of the current privacy policy, so the two cannot say different things.
 */
export function subjectRightsText(language: SmsLanguage, subject: 'customer' | 'contact', config: AppConfig): SubjectRightsText {
  const text = POLICY_TEXTS[POLICY_VERSION][language];
  const { name, orgNumber, address, contact, dpoContact } = config.controller;
  const fill = (s: string) =>
    s
      .replaceAll('{company}', config.companyName)
      .replaceAll('{controller}', name)
      .replaceAll('{controllerOrgNumber}', orgNumber)
      .replaceAll('{controllerAddress}', address)
      .replaceAll('{controllerContact}', contact)
      .replaceAll('{dpo}', dpoContact);
  const section = (about: NonNullable<PolicySection['about']>) => {
    const found = text.sections.find((s) => s.about === about);
    // A policy version without it would silently drop what Art. 15 asks for: fail loudly instead.
    if (!found) throw new Error(`privacy policy ${POLICY_VERSION} (${language}) has no section about ${about}`);
    return { heading: fill(found.heading), paragraphs: found.paragraphs.map(fill), items: (found.items ?? []).map(fill) };
  };
  const rights = section('rights');
  const { heading, paragraphs } = section('contact-us');
  const source = subject === 'contact' ? section('alarm-contact-source') : undefined;
  return {
    language,
    policyVersion: POLICY_VERSION,
    rights,
    contactUs: { heading, paragraphs },
    ...(source ? { source: { heading: source.heading, paragraphs: source.paragraphs } } : {}),
  };
}

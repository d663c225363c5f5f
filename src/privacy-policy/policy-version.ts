import type { SmsLanguage } from '../sms/texts.js';

/**
 * The privacy policy's current version. Changing what the policy says means adding a new version
 * in policy-texts.ts (the old one stays servable at GET /privacy/:version): every active contact is then sent
 * the onboarding notice again for the new version (ContactNotices.sendMissingNotices), as
 * docs/privacy.md#onboarding-notice asks (once per contact and policy version).
 */
export const POLICY_VERSION = '2026-11-23';

export const POLICY_LANGUAGES: readonly SmsLanguage[] = ['sv', 'nb', 'en'];

/** The link put in SMS: short (no version, it always shows the current one), in the reader's language. */
export function policyUrl(publicBaseUrl: string, language: SmsLanguage): string {
  return `${publicBaseUrl}/privacy?lang=${language}`;
}

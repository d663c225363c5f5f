import type { LegalBasis } from '../privacy/processing.decorator.js';

/** docs/api-contract.md#messages: why a message exists. Every outbound SMS names one. */
export const SMS_PURPOSES = ['contact_notice', 'alarm_owner', 'alarm_contact', 'reply'] as const;
export type SmsPurpose = (typeof SMS_PURPOSES)[number];

export const SMS_DIRECTIONS = ['outbound', 'inbound'] as const;
export type SmsDirection = (typeof SMS_DIRECTIONS)[number];

/** docs/sms.md#statuses: our own statuses; the provider's are mapped onto these (sms-status.ts). */
export const SMS_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'failed', 'undelivered', 'received', 'refused'] as const;
export type SmsStatus = (typeof SMS_STATUSES)[number];

/**
 * Dispatch order, highest first: an alarm SMS waiting behind a batch of onboarding notices could
 * cost someone their house (docs/sms.md#priority).
 */
export const SMS_PRIORITY: Record<SmsPurpose, number> = {
  alarm_owner: 100,
  alarm_contact: 100,
  reply: 50,
  contact_notice: 10,
};

/** The legal basis a purpose carries when the caller does not name one (docs/privacy.md#legal-bases). */
export const DEFAULT_LEGAL_BASIS: Partial<Record<SmsPurpose, LegalBasis>> = {
  contact_notice: 'legal_obligation',
  alarm_owner: 'contract',
  reply: 'legitimate_interests',
  // alarm_contact has none: vital interests or legitimate interests depends on the alarm's class.
};

/** Which bases each purpose may be sent under; anything else is a caller's mistake and is refused. */
export const ALLOWED_LEGAL_BASES: Record<SmsPurpose, readonly LegalBasis[]> = {
  contact_notice: ['legal_obligation'],
  alarm_owner: ['contract', 'vital_interests'],
  alarm_contact: ['vital_interests', 'legitimate_interests'],
  reply: ['legitimate_interests', 'contract'],
};

/** E.164 as Twilio wants it. */
export const E164 = /^\+[1-9]\d{6,14}$/;

/** Twilio's own limit for one message body. */
export const MAX_BODY_LENGTH = 1600;

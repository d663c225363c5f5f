import type { ProcessingDeclaration } from '../privacy/processing.decorator.js';
import { RETENTION_TEXT } from '../privacy/retention-policy.js';
import { HEALTH_AT_ALARM } from '../privacy/special-categories.js';
import { WRONG_CODE_WINDOW_MS } from './reply-code-guard.js';

const SUBJECTS = ['customers', 'alarm contacts', 'anyone texting the alarm-central number'];
const SMS_RETENTION = `${RETENTION_TEXT.smsBodies} (retention job privacy.retention.sms_bodies)`;

/** Reading the SMS log: GET /api/messages. */
export const MESSAGES_READ: ProcessingDeclaration = {
  operation: 'sms.messages.list',
  purpose: 'Follow up alarm SMS, onboarding notices and replies: what was sent to whom, why, and whether it arrived',
  legalBasis: 'legitimate_interests',
  legalBasisNote:
    'each message carries its own basis (legalBasis): contract for owner alarm SMS, legal obligation for notices, vital or legitimate interests for contacts; operators reading them follow up the alarm service',
  dataSubjects: SUBJECTS,
  dataCategories: ['phone number', 'SMS text', 'delivery status', 'alarm, customer and contact references'],
  recipients: ['staff'],
  retention: SMS_RETENTION,
  specialCategories: HEALTH_AT_ALARM,
};

/** Twilio's inbound webhook: reply codes, STOP/START, anything else. */
export const INBOUND_SMS: ProcessingDeclaration = {
  operation: 'sms.inbound',
  purpose:
    'Receive replies to our SMS: acknowledgement codes, objections (STOP) and opt-ins (START); answer with a confirmation or help text; count wrong codes per number so that codes cannot be guessed',
  legalBasis: 'legitimate_interests',
  legalBasisNote: 'a STOP is an objection under Art. 21 and is recorded as a legal obligation; reply codes serve the alarm contract',
  dataSubjects: SUBJECTS,
  dataCategories: ['phone number', 'SMS text', 'opt-out status', 'wrong reply codes per number'],
  recipients: ['twilio'],
  retention: `${SMS_RETENTION}; opt-outs: as long as the objection stands; wrong-code counts: while their ${WRONG_CODE_WINDOW_MS / 60_000}-minute window runs (removed after it, as further wrong codes arrive)`,
};

/** Twilio's delivery status callbacks. */
export const SMS_DELIVERY_STATUS: ProcessingDeclaration = {
  operation: 'sms.delivery_status',
  purpose: 'Record whether an SMS was delivered, so an alarm escalation moves on at once when it was not',
  legalBasis: 'legitimate_interests',
  legalBasisNote: 'the same basis as the message reported on (legalBasis on the message)',
  dataSubjects: ['customers', 'alarm contacts'],
  dataCategories: ['delivery status', 'provider error code'],
  recipients: ['twilio'],
  retention: SMS_RETENTION,
};

/**
 * Sending itself, one declaration per purpose (docs/privacy.md#legal-bases). These are not routes:
 * SendPolicy registers them with the processing registry (ProcessingRegistry.declare) for the record of processing.
 */
export const SMS_SENDING: ProcessingDeclaration[] = [
  {
    operation: 'sms.send.contact_notice',
    purpose: 'Tell a new alarm contact who we are, whose contact they are, what it means, and how to say no (Art. 14)',
    legalBasis: 'legal_obligation',
    dataSubjects: ['alarm contacts'],
    dataCategories: ['name', 'phone number', 'the customer’s name'],
    recipients: ['twilio', 'mobile_operators'],
    retention: SMS_RETENTION,
  },
  {
    operation: 'sms.send.alarm_owner',
    purpose: 'Tell the owner their alarm went off, with a code to acknowledge it',
    legalBasis: 'contract',
    dataSubjects: ['customers'],
    dataCategories: ['phone number', 'alarm address', 'alarm class'],
    recipients: ['twilio', 'mobile_operators'],
    retention: SMS_RETENTION,
    specialCategories: HEALTH_AT_ALARM,
  },
  {
    operation: 'sms.send.alarm_contact',
    purpose: 'Reach an alarm contact when the owner could not be reached',
    legalBasis: 'legitimate_interests',
    legalBasisNote: 'vital interests for fire, gas, medical and panic alarms; legitimate interests for the rest',
    dataSubjects: ['alarm contacts', 'customers'],
    dataCategories: ['phone number', 'alarm address', 'alarm class', 'the customer’s name'],
    recipients: ['twilio', 'mobile_operators', 'alarm_contacts'],
    retention: SMS_RETENTION,
    specialCategories: HEALTH_AT_ALARM,
  },
];

/** The send policy's refusals (docs/alarm-handling.md#contacts-only-after-the-owner: any other attempt to text a contact is refused and logged). */
export const SMS_REFUSAL: ProcessingDeclaration = {
  operation: 'sms.refused',
  purpose: 'Show that SMS the rules forbid (to a contact outside an alarm, after STOP, during a restriction) were refused, not sent',
  legalBasis: 'legal_obligation',
  legalBasisNote: 'accountability, Art. 5(2) and Art. 21(3): the controller must be able to show that objections and restrictions are honoured',
  dataSubjects: ['customers', 'alarm contacts'],
  dataCategories: ['contact, customer and alarm references', 'refusal reason'],
  recipients: ['none'],
  retention: 'with the processing log',
};

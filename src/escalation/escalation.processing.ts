import { ALARM_HISTORY_RETENTION } from '../alarm-model/alarm-history.processing.js';
import type { ProcessingDeclaration } from '../privacy/processing.decorator.js';
import { HEALTH_AT_ALARM } from '../privacy/special-categories.js';

/** The escalation's SMS to the owner (a provider method, not a route). */
export const ESCALATION_TEXT_OWNER: ProcessingDeclaration = {
  operation: 'alarms.escalation.text_owner',
  purpose: 'Text the owner the moment their alarm opens, with a code to acknowledge it',
  legalBasis: 'contract',
  dataSubjects: ['customers'],
  dataCategories: ['mobile phone number', 'alarm address', 'alarm class', 'reply code', 'preferred language'],
  recipients: ['twilio', 'mobile_operators'],
  retention: ALARM_HISTORY_RETENTION,
  specialCategories: HEALTH_AT_ALARM,
};

/** The escalation's SMS to a contact, only when the owner could not be reached. */
export const ESCALATION_TEXT_CONTACT: ProcessingDeclaration = {
  operation: 'alarms.escalation.text_contact',
  purpose: "Text the alarm contacts, one at a time in the customer's order, when the owner could not be reached",
  legalBasis: 'legitimate_interests',
  legalBasisNote: 'vital interests for fire, gas, medical and panic alarms; legitimate interests (reaching someone who can act) for the rest',
  dataSubjects: ['alarm contacts', 'customers'],
  dataCategories: ['contact mobile phone number', 'customer name', 'alarm address', 'alarm class', 'reply code'],
  recipients: ['twilio', 'mobile_operators', 'alarm_contacts'],
  retention: ALARM_HISTORY_RETENTION,
  specialCategories: HEALTH_AT_ALARM,
};

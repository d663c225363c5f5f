import type { ProcessingDeclaration } from '../privacy/processing.decorator.js';

/** What every operation on the contact register shares; each adds its operation name and purpose. */
export const CONTACT_REGISTER: Omit<ProcessingDeclaration, 'operation' | 'purpose'> = {
  legalBasis: 'legitimate_interests',
  legalBasisNote:
    "the customer's and the alarm central's interest in reaching someone when the alarm goes off and the owner cannot be reached; " +
    'balanced by telling each contact at once (Art. 14 notice), texting them only for alarms, and honouring an objection (STOP) at once',
  dataSubjects: ['alarm contacts (keyholders)', 'customers'],
  dataCategories: ['contact name', 'mobile phone number', 'email address', 'relation to the customer', 'escalation priority', 'objection (opt-out) status'],
  recipients: ['staff_and_dpo'],
  retention:
    "while the customer's contract lasts and the contact is on their list, then 12 months; " +
    'a contact removed by the customer, or who objects (STOP), is no longer texted and is erased at the end of that period',
};

import type { ProcessingDeclaration } from '../privacy/processing.decorator.js';
import { RETENTION_TEXT, FORMER_CUSTOMER_MONTHS } from '../privacy/retention-policy.js';

/** What every operation on the customer register shares; each adds its operation name and purpose. */
export const CUSTOMER_REGISTER: Omit<ProcessingDeclaration, 'operation' | 'purpose'> = {
  legalBasis: 'contract',
  legalBasisNote: 'the alarm monitoring contract with the customer',
  dataSubjects: ['customers'],
  dataCategories: [
    'name',
    'mobile phone number',
    'email address',
    'preferred language',
    'alarm address',
    'postal address',
    'national identity number (encrypted; shown masked)',
  ],
  recipients: ['staff_and_dpo'],
  retention: `while the alarm contract lasts; then ${RETENTION_TEXT.formerCustomers}`,
};

export const NATIONAL_ID_REVEAL: ProcessingDeclaration = {
  operation: 'customers.national_id.reveal',
  purpose: 'Secure identification of the customer (e.g. before acting on a request by phone); every reveal is logged',
  legalBasis: 'contract',
  legalBasisNote: 'only for secure identification under the contract (IMY and Datatilsynet: the number is used only where identification must be certain)',
  dataSubjects: ['customers'],
  dataCategories: ['national identity number (personnummer, samordningsnummer, fødselsnummer, D-number)'],
  recipients: ['supervisors_and_dpo'],
  retention: `stored encrypted while the contract lasts; erased with the customer record ${FORMER_CUSTOMER_MONTHS} months after the contract ends; never sent by SMS or written to logs`,
};

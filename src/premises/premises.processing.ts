import type { ProcessingDeclaration } from '../privacy/processing.decorator.js';
import { RETENTION_TEXT } from '../privacy/retention-policy.js';

const PREMISES_RETENTION = `while the alarm contract lasts; erased with the customer record (${RETENTION_TEXT.formerCustomers})`;

/** What reading and keeping the premises facts share; each adds its operation name and purpose. */
export const PREMISES: Omit<ProcessingDeclaration, 'operation' | 'purpose'> = {
  legalBasis: 'contract',
  legalBasisNote: "the alarm monitoring contract: the central needs to know the premises to handle the customer's alarms",
  dataSubjects: ['customers', "users of the customer's alarm panel (by the names the customer gives them)"],
  dataCategories: [
    'notes about the premises',
    'animals on the premises',
    'names of the alarm zones',
    "names of the alarm panel's users",
    'access information, verbal password and duress word (encrypted; shown masked)',
  ],
  recipients: ['staff_and_dpo'],
  retention: PREMISES_RETENTION,
};

/** GET /api/customers/:id/premises/secrets. */
export const PREMISES_SECRETS_REVEAL: ProcessingDeclaration = {
  operation: 'customers.premises.secrets.reveal',
  purpose:
    'Secure identification of callers: check the verbal password or duress word a keyholder gives on the phone, and get into the premises; every reveal is logged',
  legalBasis: 'contract',
  legalBasisNote: 'only to identify a caller with certainty or to give access to the premises, under the alarm monitoring contract',
  dataSubjects: ['customers'],
  dataCategories: ['access information (key box, codes)', 'verbal password', 'duress word'],
  recipients: ['staff_and_administrators'],
  retention: `stored encrypted; ${PREMISES_RETENTION}; never sent by SMS or written to logs`,
};

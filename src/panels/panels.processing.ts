import type { ProcessingDeclaration } from '../privacy/processing.decorator.js';
import { FORMER_CUSTOMER_MONTHS } from '../privacy/retention-policy.js';

/** What every operation on a customer's panels shares; each adds its operation name and purpose. */
export const PANEL_REGISTER: Omit<ProcessingDeclaration, 'operation' | 'purpose'> = {
  legalBasis: 'contract',
  legalBasisNote: "the alarm monitoring contract: the panel at the customer's alarm address signals to the alarm central",
  dataSubjects: ['customers'],
  dataCategories: [
    'panel identifier and label',
    'panel secret or DC-09 key (encrypted; shown once)',
    'DC-09 account number',
    'time the panel was last heard from',
  ],
  recipients: ['staff'],
  retention: `while the alarm contract lasts; erased with the customer record ${FORMER_CUSTOMER_MONTHS} months after the contract ends`,
};

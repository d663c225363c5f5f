import type { ProcessingDeclaration } from '../privacy/processing.decorator.js';
import { CUSTOMER_REGISTER } from '../customers/customers.processing.js';
import { HEALTH_IN_PLANS } from '../privacy/special-categories.js';

/** A customer's own procedure for an alarm class may name people to call and how to reach the premises. */
export const CUSTOMER_ACTION_PLANS: Omit<ProcessingDeclaration, 'operation' | 'purpose'> = {
  ...CUSTOMER_REGISTER,
  legalBasisNote: 'the alarm monitoring contract: the procedure agreed with the customer for handling their alarms',
  dataCategories: ["the customer's own steps per alarm class (free text the operator follows, which may name people or access details)"],
  recipients: ['staff'],
  specialCategories: HEALTH_IN_PLANS,
};

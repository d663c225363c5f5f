import type { ProcessingDeclaration } from '../privacy/processing.decorator.js';
import { DISABLED_OPERATOR_MONTHS } from '../privacy/retention-policy.js';

/** What every operation on operator accounts shares; each adds its own operation name and purpose. */
export const OPERATOR_ACCOUNTS: Omit<ProcessingDeclaration, 'operation' | 'purpose'> = {
  legalBasis: 'contract',
  legalBasisNote: 'the employment contract with alarm-central staff',
  dataSubjects: ['operators'],
  dataCategories: ['name', 'email', 'role', 'password hash (argon2id)', 'when disabled, time of last login', 'IP address of failed logins'],
  recipients: ['none'],
  retention:
    `while employed; ${DISABLED_OPERATOR_MONTHS} months after the account is disabled, name, email, password hash and sessions are erased ` +
    '(the id stays, for alarm timelines and the processing log); sessions are deleted once expired; failed-login counters after at most 2 hours',
};

import type { ProcessingDeclaration } from '../privacy/processing.decorator.js';

/** What every operation on operator accounts shares; each adds its own operation name and purpose. */
export const OPERATOR_ACCOUNTS: Omit<ProcessingDeclaration, 'operation' | 'purpose'> = {
  legalBasis: 'contract',
  legalBasisNote: 'the employment contract with alarm-central staff',
  dataSubjects: ['operators'],
  dataCategories: ['name', 'email', 'role', 'password hash (argon2id)', 'when disabled, time of last login', 'IP address of failed logins'],
  recipients: ['none'],
  retention: 'while employed; sessions end after SESSION_TTL_SECONDS; failed-login counters after at most 1 hour',
};

import type { ProcessingDeclaration } from './processing.decorator.js';

/**
 * The retention jobs of the tables besides the customer records and the alarm history
 * (retention-tables.ts); their rules are in each module's *.retention.ts.
 */
const TABLE_RETENTION_JOB: Pick<ProcessingDeclaration, 'legalBasis' | 'legalBasisNote' | 'recipients'> = {
  legalBasis: 'legal_obligation',
  legalBasisNote: 'Art. 5(1)(e) storage limitation',
  recipients: ['none'],
};

export const RETENTION_DISABLED_OPERATORS: ProcessingDeclaration = {
  ...TABLE_RETENTION_JOB,
  operation: 'privacy.retention.disabled_operators',
  purpose: 'Erase the accounts of operators disabled longer than their retention period (never the last admin)',
  dataSubjects: ['operators'],
  dataCategories: ['name, email, password hash, time of last login, sessions (erased); the account id (kept)'],
  retention: 'the account row stays, erased, so alarm timelines and the processing log keep referring to "an erased operator"',
};

export const RETENTION_ERASURE_RECORDS: ProcessingDeclaration = {
  ...TABLE_RETENTION_JOB,
  operation: 'privacy.retention.erasure_records',
  purpose: 'Delete erasure records once no restored backup can bring the erased data back',
  dataSubjects: ['former customers and alarm contacts who were erased'],
  dataCategories: ['ids of erased subjects, when and by whom they were erased, what was done'],
  retention: 'deleted; the log entry names no subject, so it is not a new link to the erased ids',
};

export const RETENTION_PANEL_SILENCES: ProcessingDeclaration = {
  ...TABLE_RETENTION_JOB,
  operation: 'privacy.retention.panel_silences',
  purpose: 'Delete old records of panels going silent, once the panel has been heard from again',
  dataSubjects: ['customers'],
  dataCategories: ['panel id and when it was last heard from'],
  retention: 'deleted',
};

export const RETENTION_UNKNOWN_SENDERS: ProcessingDeclaration = {
  ...TABLE_RETENTION_JOB,
  operation: 'privacy.retention.unknown_senders',
  purpose: "Delete SMS from numbers that are nobody's on file, and the automatic answers to them",
  dataSubjects: ['anyone texting the alarm-central number'],
  dataCategories: ['phone number, SMS text, times and status'],
  retention: 'deleted',
};

export const RETENTION_REPLY_CODES: ProcessingDeclaration = {
  ...TABLE_RETENTION_JOB,
  operation: 'privacy.retention.reply_codes',
  purpose: 'Delete reply codes, and the phone numbers they were sent to, once their alarm is closed',
  dataSubjects: ['customers', 'alarm contacts'],
  dataCategories: ['phone number, reply code, alarm id'],
  retention: 'deleted',
};

export const RETENTION_EXPIRED_SESSIONS: ProcessingDeclaration = {
  ...TABLE_RETENTION_JOB,
  operation: 'privacy.retention.expired_sessions_and_counters',
  purpose: 'Delete expired login sessions, failed-login counters and wrong-reply-code counters',
  dataSubjects: ['operators', 'anyone trying to log in', 'anyone texting the alarm-central number'],
  dataCategories: ['session token hashes, IP addresses and email hashes of failed logins, phone numbers that texted wrong codes'],
  retention: 'deleted',
};

export const RETENTION_PRIVACY_REQUESTS: ProcessingDeclaration = {
  ...TABLE_RETENTION_JOB,
  operation: 'privacy.retention.privacy_requests',
  purpose: 'Delete the register entries of data-subject requests closed longer ago than their retention period',
  dataSubjects: ['customers', 'alarm contacts'],
  dataCategories: ['the request: kind, subject id, dates, how identity was checked, notes, outcome, what was produced'],
  retention: 'deleted; the log entry names the subjects whose requests went, as every retention job does',
};

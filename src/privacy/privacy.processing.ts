import type { ProcessingDeclaration } from './processing.decorator.js';

/** What is in the processing log, for every declaration about it. */
const LOG_CONTENT: Omit<ProcessingDeclaration, 'operation' | 'purpose' | 'recipients'> = {
  legalBasis: 'legal_obligation',
  legalBasisNote: 'Art. 5(2) accountability and Art. 30 record of processing',
  dataSubjects: ['customers', 'alarm contacts', 'operators'],
  dataCategories: [
    'ids of the data subjects an operation touched (never names, phone numbers or message text)',
    'which operation, its purpose and legal basis, when, by which operator, panel or job, and its outcome',
  ],
  retention:
    'ten years, then removed by a nightly job under a sealed checkpoint. Ten years because the log accounts for the ' +
    'longest-kept records (the alarm history, ten years): what was done with them can be shown while they exist, and an ' +
    'entry older than that has nothing left to account for. Otherwise append-only: an entry is never changed, and is ' +
    'removed only oldest first, only once older than ten years (the database refuses anything younger, whatever the ' +
    'application asks), and only by writing a checkpoint of what was removed (how many entries of each operation, which ' +
    'positions, the hash the kept chain links to), itself hashed and recorded in the log, so the rest of the chain can ' +
    'still be verified. Entries hold ids only, so once a subject is erased or anonymised elsewhere they no longer identify them',
};

/** Keeping the log itself (declared on ProcessingLog.record, so it is in the record of processing too). */
export const PROCESSING_LOG_KEEPING: ProcessingDeclaration = {
  ...LOG_CONTENT,
  operation: 'privacy.processing-log.record',
  purpose:
    'Record what a data subject or the data protection officer would ask about, in an append-only, hash-chained log, to be ' +
    'able to demonstrate compliance: every access and change by a person, every SMS, every alarm and its handling, every ' +
    'privacy request, each as its own entry. Machine supervision of a panel (heartbeats, DC-09 link tests, test signals that ' +
    'raise no alarm) is one entry per panel and day, with how many signals came and the first and last: one entry per ' +
    'signal (every 90 seconds to 5 minutes, for every panel) would tell no one more, and would make the log too large to ' +
    'keep for its period',
  recipients: ['dpo', 'supervisory_authority'],
};

export const PROCESSING_LOG_READ: ProcessingDeclaration = {
  ...LOG_CONTENT,
  operation: 'privacy.processing-log.read',
  purpose: 'Let the data protection officer see what was done to whose data, e.g. to answer an access request',
  recipients: ['dpo'],
};

export const PROCESSING_LOG_VERIFY: ProcessingDeclaration = {
  ...LOG_CONTENT,
  operation: 'privacy.processing-log.verify',
  purpose: 'Check that the processing log has not been altered (integrity of the accountability record)',
  recipients: ['none'],
};

/** The nightly removal of entries older than the log's period (ProcessingLogRetention). */
export const PROCESSING_LOG_RETENTION: ProcessingDeclaration = {
  ...LOG_CONTENT,
  operation: 'privacy.processing-log.retention',
  purpose: "Remove processing-log entries older than the log's period, leaving a sealed checkpoint that keeps the rest of the chain verifiable",
  legalBasisNote: 'Art. 5(1)(e) storage limitation and Art. 5(2) accountability',
  recipients: ['none'],
};

export const RECORD_OF_PROCESSING: ProcessingDeclaration = {
  operation: 'privacy.ropa',
  purpose: 'Produce the record of processing activities (Art. 30) from the declarations in the code',
  legalBasis: 'legal_obligation',
  legalBasisNote: 'Art. 30(1) and 30(4): kept and made available to the supervisory authority',
  dataSubjects: ["the controller's and the data protection officer's contact persons"],
  dataCategories: ['the configured contact details of the controller and the data protection officer'],
  recipients: ['dpo', 'supervisory_authority'],
  retention: 'not stored: generated on each request from the code and the configuration',
};

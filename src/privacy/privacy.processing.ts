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
    'append-only: entries are never changed or removed by the application; they hold ids only, so once a subject is erased ' +
    'or anonymised elsewhere the entries no longer identify them. A pruning period is not set yet',
};

/** Keeping the log itself (declared on ProcessingLog.record, so it is in the record of processing too). */
export const PROCESSING_LOG_KEEPING: ProcessingDeclaration = {
  ...LOG_CONTENT,
  operation: 'privacy.processing-log.record',
  purpose: 'Record every operation on personal data in an append-only, hash-chained log, to be able to demonstrate compliance',
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

export const RECORD_OF_PROCESSING: ProcessingDeclaration = {
  operation: 'privacy.ropa',
  purpose: 'Produce the record of processing activities (Art. 30) from the declarations in the code',
  legalBasis: 'legal_obligation',
  legalBasisNote: 'Art. 30(1) and 30(4): kept and made available to the supervisory authority',
  dataSubjects: ['the controller\'s and the data protection officer\'s contact persons'],
  dataCategories: ['the configured contact details of the controller and the data protection officer'],
  recipients: ['dpo', 'supervisory_authority'],
  retention: 'not stored: generated on each request from the code and the configuration',
};

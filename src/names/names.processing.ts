import type { ProcessingDeclaration } from '../privacy/processing.decorator.js';

/** Names for ids the dashboard shows (a message's customer, a log entry's operator): nothing new is disclosed. */
export const NAMES_READ: ProcessingDeclaration = {
  operation: 'names.read',
  purpose: 'Show people by name instead of by id in the messages list and the processing log, so staff can follow them up',
  legalBasis: 'legitimate_interests',
  legalBasisNote: 'the same staff already read these people in the registers; names replace ids on screen only',
  dataSubjects: ['customers', 'alarm contacts', 'operators'],
  dataCategories: ['name'],
  recipients: ['staff_and_dpo'],
  retention: 'not stored: read from the registers for the screen',
};

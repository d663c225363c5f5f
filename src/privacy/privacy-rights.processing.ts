import type { ProcessingDeclaration } from './processing.decorator.js';
import { RETENTION_TEXT } from './retention-policy.js';
import { HEALTH_IN_HISTORY } from './special-categories.js';

const SUBJECTS = ['customers', 'alarm contacts'];
const DSR_NOTE = "Art. 12, 15, 17, 18 and 20: answering the data subject's request is an obligation on the controller";
const DSR_RECORD = 'the erasure record (ids, when, what was done) is kept as proof the request was carried out; the processing log entry likewise';

/** GET /api/customers/:id/export and the contact's: Art. 15 access and Art. 20 portability. */
export const SUBJECT_EXPORT: ProcessingDeclaration = {
  operation: 'privacy.subject.export',
  purpose: 'Give a data subject a copy of everything held about them, machine-readable (access and portability)',
  legalBasis: 'legal_obligation',
  legalBasisNote: DSR_NOTE,
  dataSubjects: SUBJECTS,
  dataCategories: [
    'the customer or contact record, including the national identity number in full (the export is for the person it is about)',
    'contacts and panels (for a customer)',
    'arm/disarm history, alarms involving them, SMS to and from their phone',
    'processing log entries naming them',
  ],
  recipients: ['data_subject'],
  retention: 'not stored: generated on each request',
  specialCategories: HEALTH_IN_HISTORY,
};

/** POST .../erasure: Art. 17, with the Art. 17(3)(e) exception for alarm history needed for claims. */
export const SUBJECT_ERASURE: ProcessingDeclaration = {
  operation: 'privacy.subject.erasure',
  purpose: 'Erase a data subject on request; anonymise the alarm history that must be kept for legal claims (Art. 17(3)(e))',
  legalBasis: 'legal_obligation',
  legalBasisNote: DSR_NOTE,
  dataSubjects: SUBJECTS,
  dataCategories: ['every category held about the subject (erased or anonymised)', "the subject's id and what was done (kept)"],
  recipients: ['dpo'],
  retention: DSR_RECORD,
  specialCategories: HEALTH_IN_HISTORY,
};

/** POST/DELETE .../restriction: Art. 18. */
export const SUBJECT_RESTRICTION: ProcessingDeclaration = {
  operation: 'privacy.subject.restriction',
  purpose: "Restrict processing of a data subject's data on request (stored only; alarm messages still go out, Art. 18(2)), tell the recipients, or lift it",
  legalBasis: 'legal_obligation',
  legalBasisNote:
    'Art. 18 and 19; alarm SMS continue under Art. 18(2) (protection of the rights of other persons at the home); ' +
    'contacts who had alarm texts about a restricted customer are told (Art. 19); lifting needs the time the subject was told (Art. 18(3))',
  dataSubjects: SUBJECTS,
  dataCategories: ['the restriction: flag, ground, when, the Art. 18(2) exception, the recipients told, when the subject was told of the lifting'],
  recipients: ['staff_and_dpo', 'alarm_contacts', 'twilio'],
  retention: 'with the customer or contact record',
};

const RETENTION_JOB: Omit<ProcessingDeclaration, 'operation' | 'purpose' | 'retention' | 'dataCategories'> = {
  legalBasis: 'legal_obligation',
  legalBasisNote: 'Art. 5(1)(e) storage limitation',
  dataSubjects: SUBJECTS,
  recipients: ['none'],
};

export const RETENTION_FORMER_CUSTOMERS: ProcessingDeclaration = {
  ...RETENTION_JOB,
  operation: 'privacy.retention.former_customers',
  purpose: 'Erase former customers and removed alarm contacts once their retention period is over',
  dataCategories: ['customer and contact records, panels, arm/disarm history; alarm history and SMS (anonymised)'],
  retention: `${RETENTION_TEXT.formerCustomers}; ${RETENTION_TEXT.removedContacts}`,
  specialCategories: HEALTH_IN_HISTORY,
};

export const RETENTION_SMS_BODIES: ProcessingDeclaration = {
  ...RETENTION_JOB,
  operation: 'privacy.retention.sms_bodies',
  purpose: 'Blank the text of old SMS',
  dataSubjects: ['customers', 'alarm contacts', 'anyone texting the alarm-central number'],
  dataCategories: ['SMS text'],
  retention: RETENTION_TEXT.smsBodies,
};

export const RETENTION_SUPERVISION_SIGNALS: ProcessingDeclaration = {
  ...RETENTION_JOB,
  operation: 'privacy.retention.supervision_signals',
  purpose: 'Delete old test signals and heartbeats of alarm panels',
  dataSubjects: ['customers'],
  dataCategories: ['test and heartbeat signals: code, time, panel'],
  retention: RETENTION_TEXT.supervisionSignals,
};

export const RETENTION_ALARM_HISTORY: ProcessingDeclaration = {
  ...RETENTION_JOB,
  operation: 'privacy.retention.alarm_history',
  purpose: 'Anonymise alarm history once the period for legal claims is over',
  dataCategories: ['alarm history: events, escalation, SMS, acknowledgements and outcomes'],
  retention: RETENTION_TEXT.alarmHistory,
  specialCategories: HEALTH_IN_HISTORY,
};

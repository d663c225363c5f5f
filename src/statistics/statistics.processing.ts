import type { ProcessingDeclaration } from '../privacy/processing.decorator.js';

/** GET /api/statistics: counts and times, with the operators and the premises they are about. */
export const STATISTICS_READ: ProcessingDeclaration = {
  operation: 'statistics.read',
  purpose:
    "Report how fast the alarm central handles alarms (time to first SMS, to an operator's handling, to close; share handled within 30 and 60 s), " +
    'per class and per operator, and which premises raise the most false alarms, to run and certify the central (EN 50518) and to follow up false alarms',
  legalBasis: 'legitimate_interests',
  legalBasisNote:
    "the central's interest in measuring and improving its response times, which its certification and its customers require; " +
    'figures are aggregates: an operator appears by name with counts and times only, a customer by name with alarm counts only, never alarm details',
  dataSubjects: ['operators', 'customers'],
  dataCategories: [
    'operator id and name, the number of alarms they handled first and how fast',
    'customer id and name, their number of alarms and false alarms',
  ],
  recipients: ['supervisors_and_administrators'],
  retention: 'not stored: computed on each request from the alarm history, which keeps its own retention',
};

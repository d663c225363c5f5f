import { ALARM_HISTORY_YEARS } from '../privacy/retention-policy.js';
import type { RetentionRule } from '../privacy/retention-rule.js';

export const ALARM_HANDLING_RETENTION: RetentionRule[] = [
  {
    table: 'alarm_call',
    period: { amount: ALARM_HISTORY_YEARS, unit: 'years' },
    end: 'anonymised',
    reason: 'how an alarm was handled is alarm history, evidence until claims are time-barred',
    text: {
      en: `Operators' calls about an alarm (to whom, number, outcome, note) are kept with the alarm: ${ALARM_HISTORY_YEARS} years, then anonymised.`,
      sv: `Operatörernas samtal om ett larm (till vem, nummer, utfall, anteckning) sparas med larmet: ${ALARM_HISTORY_YEARS} år, sedan anonymiseras de.`,
      nb: `Operatørenes samtaler om en alarm (til hvem, nummer, utfall, notat) lagres med alarmen: ${ALARM_HISTORY_YEARS} år, deretter anonymiseres de.`,
    },
    carriedOutBy: 'RetentionJobs.anonymiseAlarmHistory',
  },
];

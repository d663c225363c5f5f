import { ALARM_HISTORY_YEARS, SUPERVISION_SIGNAL_DAYS } from '../privacy/retention-policy.js';
import type { RetentionRule } from '../privacy/retention-rule.js';

export const PANEL_RETENTION: RetentionRule[] = [
  {
    table: 'panel',
    period: { while: 'the customer exists' },
    end: 'deleted',
    reason: "a panel is part of the customer's contract",
    text: {
      en: 'Alarm panels (label and secret) are kept with the customer and erased with them.',
      sv: 'Larmpaneler (benämning och hemlig nyckel) sparas med kunden och raderas med den.',
      nb: 'Alarmpaneler (navn og hemmelig nøkkel) lagres med kunden og slettes sammen med den.',
    },
    carriedOutBy: 'erasure of the customer (ON DELETE CASCADE)',
  },
  {
    table: 'panel_event',
    period: { amount: SUPERVISION_SIGNAL_DAYS, unit: 'days' },
    end: 'deleted',
    reason: 'test signals and heartbeats that raised no alarm: three months answer "has this panel been dropping out?"',
    text: {
      en: `Test signals and heartbeats that raised no alarm are deleted ${SUPERVISION_SIGNAL_DAYS} days after they were received.`,
      sv: `Testsignaler och livstecken som inte utlöste något larm raderas ${SUPERVISION_SIGNAL_DAYS} dagar efter att de togs emot.`,
      nb: `Testsignaler og livstegn som ikke utløste noen alarm, slettes ${SUPERVISION_SIGNAL_DAYS} dager etter at de ble mottatt.`,
    },
    carriedOutBy: 'RetentionJobs.deleteOldSupervisionSignals',
  },
  {
    table: 'panel_event',
    period: { while: 'the customer exists' },
    end: 'deleted',
    reason: "arm/disarm history and other signals without an alarm are the customer's own record",
    text: {
      en: 'Arm/disarm history and other signals without an alarm are kept with the customer and erased with them.',
      sv: 'Historik över till- och frånkoppling och andra signaler utan larm sparas med kunden och raderas med den.',
      nb: 'Historikk over av- og påslag og andre signaler uten alarm lagres med kunden og slettes sammen med den.',
    },
    carriedOutBy: 'RetentionJobs.eraseFormerCustomers',
  },
  {
    table: 'panel_event',
    period: { amount: ALARM_HISTORY_YEARS, unit: 'years' },
    end: 'anonymised',
    reason: 'signals that raised or joined an alarm are alarm history, evidence until claims are time-barred',
    text: {
      en: `Signals that raised or joined an alarm are alarm history: kept ${ALARM_HISTORY_YEARS} years after the alarm closed, then anonymised.`,
      sv: `Signaler som utlöste eller hör till ett larm är larmhistorik: de sparas i ${ALARM_HISTORY_YEARS} år efter att larmet avslutades och anonymiseras sedan.`,
      nb: `Signaler som utløste eller hører til en alarm, er alarmhistorikk: de lagres i ${ALARM_HISTORY_YEARS} år etter at alarmen ble avsluttet, og anonymiseres deretter.`,
    },
    carriedOutBy: 'RetentionJobs.anonymiseAlarmHistory',
  },
];

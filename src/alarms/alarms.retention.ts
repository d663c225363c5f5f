import { ALARM_HISTORY_YEARS, PANEL_SILENCE_DAYS } from '../privacy/retention-policy.js';
import type { RetentionRule } from '../privacy/retention-rule.js';

const CLAIMS = 'evidence until claims against the alarm central for an alarm handled badly are time-barred';

export const ALARM_RETENTION: RetentionRule[] = [
  {
    table: 'alarm',
    period: { amount: ALARM_HISTORY_YEARS, unit: 'years' },
    end: 'anonymised',
    reason: CLAIMS,
    text: {
      en: `Alarms are kept ${ALARM_HISTORY_YEARS} years after they closed (for legal claims), then anonymised.`,
      sv: `Larm sparas i ${ALARM_HISTORY_YEARS} år efter att de avslutades (för rättsliga anspråk) och anonymiseras sedan.`,
      nb: `Alarmer lagres i ${ALARM_HISTORY_YEARS} år etter at de ble avsluttet (for rettslige krav), og anonymiseres deretter.`,
    },
    carriedOutBy: 'RetentionJobs.anonymiseAlarmHistory',
  },
  {
    table: 'alarm_log',
    period: { amount: ALARM_HISTORY_YEARS, unit: 'years' },
    end: 'anonymised',
    reason: CLAIMS,
    text: {
      en: `An alarm's timeline (escalation, acknowledgements, notes) is kept with the alarm: ${ALARM_HISTORY_YEARS} years, then anonymised.`,
      sv: `Ett larms händelseförlopp (eskalering, kvitteringar, anteckningar) sparas med larmet: ${ALARM_HISTORY_YEARS} år, sedan anonymiseras det.`,
      nb: `En alarms hendelsesforløp (eskalering, kvitteringer, notater) lagres med alarmen: ${ALARM_HISTORY_YEARS} år, deretter anonymiseres det.`,
    },
    carriedOutBy: 'RetentionJobs.anonymiseAlarmHistory',
  },
  {
    table: 'panel_supervision_day',
    period: { amount: 25, unit: 'hours' },
    end: 'deleted',
    reason: "the running count of a panel's supervision signals for the current UTC day; when the day is closed it becomes one processing-log entry",
    text: {
      en: "The count of the day's supervision signals from your panel is kept until the day is over (at most 25 hours), then it is one entry in the processing log.",
      sv: 'Antalet övervakningssignaler från din larmpanel under dagen sparas tills dagen är slut (högst 25 timmar) och blir sedan en post i behandlingsloggen.',
      nb: 'Antallet overvåkingssignaler fra alarmpanelet ditt i løpet av dagen lagres til dagen er over (høyst 25 timer), og blir deretter én oppføring i behandlingsloggen.',
    },
    carriedOutBy: 'PanelSupervisionDays (closes each day after midnight UTC)',
  },
  {
    table: 'panel_silence',
    period: { amount: PANEL_SILENCE_DAYS, unit: 'days' },
    end: 'deleted',
    reason: 'like the supervision signals it is about; while the panel is still silent the row keeps a second alarm from opening',
    text: {
      en: `That a panel went silent is kept ${PANEL_SILENCE_DAYS} days after it was noticed, and once the panel has been heard from again it is deleted.`,
      sv: `Att en larmpanel tystnade sparas i ${PANEL_SILENCE_DAYS} dagar efter att det upptäcktes och raderas sedan, när panelen har hörts av igen.`,
      nb: `At en alarmpanel ble stille, lagres i ${PANEL_SILENCE_DAYS} dager etter at det ble oppdaget, og slettes deretter når panelet har meldt seg igjen.`,
    },
    carriedOutBy: 'TableRetentionJobs.deletePanelSilences',
  },
];

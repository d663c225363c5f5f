import { RETENTION_TEXT } from '../privacy/retention-policy.js';

/** How long an alarm's history is kept, as every declaration of processing about alarms states it (the alarms' own and the escalation's SMS). */
export const ALARM_HISTORY_RETENTION =
  `${RETENTION_TEXT.alarmHistory}; ` +
  'when the customer record is erased before that, alarm history still needed for claims is anonymised, not kept identifiable';

import { REPLY_CODE_DAYS } from '../privacy/retention-policy.js';
import type { RetentionRule } from '../privacy/retention-rule.js';

export const ESCALATION_RETENTION: RetentionRule[] = [
  {
    table: 'escalation_setting',
    period: { while: 'the setting is in use' },
    end: 'kept',
    reason: 'no personal data beyond the id of the operator who last changed it',
    text: {
      en: 'Escalation waiting times (no personal data) are kept while they are in use.',
      sv: 'Väntetider för eskalering (inga personuppgifter) sparas så länge de används.',
      nb: 'Ventetider for eskalering (ingen personopplysninger) lagres så lenge de er i bruk.',
    },
    carriedOutBy: 'replaced when an admin changes them',
  },
  {
    table: 'reply_code',
    period: { amount: REPLY_CODE_DAYS, unit: 'days' },
    end: 'deleted',
    reason:
      'a code is matched only while its alarm is open, and avoided for a new alarm for a day; the acknowledgement stays in the alarm history without the number',
    text: {
      en: `The phone number a reply code was sent to is deleted with the code ${REPLY_CODE_DAYS} days after it was sent, once the alarm is closed.`,
      sv: `Telefonnumret som en svarskod skickades till raderas med koden ${REPLY_CODE_DAYS} dagar efter att den skickades, när larmet är avslutat.`,
      nb: `Telefonnummeret en svarkode ble sendt til, slettes med koden ${REPLY_CODE_DAYS} dager etter at den ble sendt, når alarmen er avsluttet.`,
    },
    carriedOutBy: 'TableRetentionJobs.deleteReplyCodes',
  },
];

/**
 * Every retention period, in one place. The retention jobs (retention.ts) use these numbers and the
 * record of processing quotes the texts below, so what the ROPA promises is what the jobs do.
 *
 * Why these defaults:
 * - Former customers: 12 months after the contract ends (the seeds: "contact data as long as the
 *   relationship lasts plus 12 months"), time for final invoicing and for complaints about the last
 *   months of service.
 * - SMS texts: 90 days. An alarm's follow-up (complaints, "did the SMS go out?") happens within
 *   weeks; who was texted when, and whether it arrived, stays with the alarm history, without the text.
 * - Test signals and heartbeats: 90 days. They prove a panel was alive; the supervision itself
 *   needs only the latest (panel.last_seen_at), and three months answer "has this panel been
 *   dropping out?". Signals that raised or joined an alarm are alarm history, and arm/disarm
 *   history is the customer's own record: neither is touched by this rule.
 * - Alarm history: 10 years after the alarm closed; until then the history is evidence for claims
 *   against the alarm central for an alarm handled badly. Sweden: a claim is time-barred after 10
 *   years (preskriptionslagen 2 §). Norway: a claim under the alarm contract is time-barred 3 years
 *   after it could first be demanded (foreldelsesloven §§ 2 and 3), but a customer who could not
 *   know of it (damage found later) gets the additional period of § 10, which ends at the latest 10
 *   years after; § 9 (damages outside contract, from knowledge) is not the rule for a contract claim.
 *   The longest of these, 10 years, covers both countries; then the history is anonymised
 *   (alarm-history-unlink.ts).
 */
export const FORMER_CUSTOMER_MONTHS = 12;
export const REMOVED_CONTACT_MONTHS = 12;
export const SMS_BODY_DAYS = 90;
export const SUPERVISION_SIGNAL_DAYS = 90;
export const ALARM_HISTORY_YEARS = 10;

/** The id alarm history is re-linked to when it is anonymised at the end of its legal period. */
export const ANONYMOUS_ID = '00000000-0000-0000-0000-000000000000';
/** What replaces a phone number in SMS rows that were anonymised. */
export const ERASED_PHONE = 'erased';

const WITH_CUSTOMER_RECORD = `kept while the customer is a customer and erased with their record ${FORMER_CUSTOMER_MONTHS} months after the contract ends`;

export const RETENTION_TEXT = {
  formerCustomers:
    `a former customer's record, contacts, panels and arm/disarm history are erased ${FORMER_CUSTOMER_MONTHS} months after the contract ends; ` +
    'their alarm history is anonymised then (kept for legal claims, without names, phone numbers, notes or message texts)',
  removedContacts:
    `an alarm contact removed from a customer's list, or who objected (STOP), is erased ${REMOVED_CONTACT_MONTHS} months after removal or objection ` +
    '(the opt-out of their number is kept, so the objection keeps being honoured)',
  smsBodies: `SMS texts are blanked ${SMS_BODY_DAYS} days after the message; numbers, purpose, status and times stay with the alarm history`,
  supervisionSignals:
    `test signals and heartbeats that raised no alarm are deleted ${SUPERVISION_SIGNAL_DAYS} days after they were received; ` +
    'the time the panel was last heard from stays with the panel',
  armingHistory: `arm/disarm history is ${WITH_CUSTOMER_RECORD}`,
  otherPanelSignals: `every other signal (arm/disarm, a restore with no alarm open) is ${WITH_CUSTOMER_RECORD}`,
  alarmHistory:
    `alarm history (events, escalation, SMS, outcomes) is kept ${ALARM_HISTORY_YEARS} years after the alarm closed, for legal claims ` +
    '(Sweden: preskriptionslagen 2 §; Norway: foreldelsesloven §§ 2, 3 and 10), ' +
    'then anonymised: unlinked from the customer, panel and contacts, without names, phone numbers, notes or texts',
} as const;

/** Dates the jobs compare with, from `now`. */
export function cutoffs(now: Date) {
  const months = (n: number) => {
    const d = new Date(now);
    d.setUTCMonth(d.getUTCMonth() - n);
    return d;
  };
  const formerCustomers = months(FORMER_CUSTOMER_MONTHS);
  const removedContacts = months(REMOVED_CONTACT_MONTHS);
  const smsBodies = new Date(now.getTime() - SMS_BODY_DAYS * 24 * 3600 * 1000);
  const supervisionSignals = new Date(now.getTime() - SUPERVISION_SIGNAL_DAYS * 24 * 3600 * 1000);
  const alarmHistory = months(ALARM_HISTORY_YEARS * 12);
  return { formerCustomers, removedContacts, smsBodies, supervisionSignals, alarmHistory };
}

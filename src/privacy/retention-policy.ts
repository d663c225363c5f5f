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

/**
 * The tables that had no rule. Why these periods:
 * - Disabled operators: 12 months after they were disabled, like former customers: time for a
 *   question about their work (a complaint about an alarm they handled) while their name still helps.
 *   The row stays, erased, so alarm timelines and the processing log keep pointing at an account.
 * - The erasure record: 13 months after the erasure. It is what lets an erasure be applied again
 *   after a backup from before it is restored; backups are kept at most 12 months (a yearly copy),
 *   and one more month covers noticing the restore. Kept longer, it would only be one more place
 *   linking an erased person's ids.
 * - Panel silences: 90 days, like the supervision signals they are about, and only once the panel was
 *   heard from again (while it is silent, the row is what keeps a second alarm from opening).
 * - Unknown senders: 30 days. Texts from numbers that are nobody's on file, and the automatic
 *   answers to them, matter only while an SMS loop or abuse is looked into; today's count is all the
 *   daily reply caps need.
 * - Reply codes: 7 days after they were sent, once no longer active (the alarm closed). A code is
 *   only ever matched while its alarm is open; the day after, a new alarm avoids reusing it; the
 *   acknowledgement itself stays in the alarm history, without the number.
 * - The processing log: PROCESSING_LOG_YEARS, the same as the alarm history it accounts for, then
 *   summarised by a sealed checkpoint (the log's own job, not these).
 */
export const DISABLED_OPERATOR_MONTHS = 12;
export const ERASURE_RECORD_MONTHS = 13;
/** A closed data-subject request: 3 years, the general limitation period for a claim over how it was answered (Norway, foreldelsesloven § 2), and long enough to show a supervisory authority how it was handled. */
export const PRIVACY_REQUEST_YEARS = 3;
export const PANEL_SILENCE_DAYS = 90;
export const UNKNOWN_SENDER_DAYS = 30;
export const REPLY_CODE_DAYS = 7;
/** The processing log's period: carried out by the log's own pruning, which summarises what it removes in a sealed checkpoint. */
export const PROCESSING_LOG_YEARS = 10;

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
  const days = (n: number) => new Date(now.getTime() - n * 24 * 3600 * 1000);
  const formerCustomers = months(FORMER_CUSTOMER_MONTHS);
  const removedContacts = months(REMOVED_CONTACT_MONTHS);
  const smsBodies = new Date(now.getTime() - SMS_BODY_DAYS * 24 * 3600 * 1000);
  const supervisionSignals = new Date(now.getTime() - SUPERVISION_SIGNAL_DAYS * 24 * 3600 * 1000);
  const alarmHistory = months(ALARM_HISTORY_YEARS * 12);
  const disabledOperators = months(DISABLED_OPERATOR_MONTHS);
  const erasureRecords = months(ERASURE_RECORD_MONTHS);
  const privacyRequests = months(PRIVACY_REQUEST_YEARS * 12);
  const panelSilences = days(PANEL_SILENCE_DAYS);
  const unknownSenders = days(UNKNOWN_SENDER_DAYS);
  const replyCodes = days(REPLY_CODE_DAYS);
  return {
    formerCustomers,
    removedContacts,
    smsBodies,
    supervisionSignals,
    alarmHistory,
    disabledOperators,
    erasureRecords,
    privacyRequests,
    panelSilences,
    unknownSenders,
    replyCodes,
  };
}

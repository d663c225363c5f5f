/**
 * When a contact's onboarding notice (GDPR Art. 14) is tried again after its SMS failed, and when it
 * is given up. A pure function of the failure and the time, so the schedule is tested with a fixed
 * clock.
 *
 * The schedule: 5 min, 30 min, 2 h and 12 h after a failure, then once a day, ten attempts in all
 * (about six and a half days from the first). The early steps catch a phone that was off or out of
 * coverage for a moment; 12 h and the daily ones a phone off overnight, abroad or on a holiday
 * weekend. Art. 14(3) allows a month at most, but after a week of failures the number is almost
 * certainly wrong: the operator is shown the contact as never informed and can correct the number
 * (a new number starts a new notice), and each attempt is an SMS to a person who has not agreed to
 * anything yet, so they are not texted for a month on a dead number.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The wait after the n-th failed attempt (index n-1); every later one waits a day. */
export const NOTICE_RETRY_DELAYS_MS = [5 * MINUTE, 30 * MINUTE, 2 * HOUR, 12 * HOUR] as const;
const DAILY_MS = 24 * HOUR;

/** SMS sent for one notice before it is given up. */
export const MAX_NOTICE_ATTEMPTS = 10;

/**
 * The provider's error codes that mean this number will never receive the SMS (Twilio's): trying
 * again cannot help, only a corrected number can.
 * 21211 invalid To number, 21214 To number cannot be reached, 21217 number not valid, 21407 number
 * type does not support SMS, 21612 cannot route to this number, 21614 not a mobile number, 30005
 * unknown handset, 30006 landline or unreachable carrier.
 */
export const NUMBER_CANNOT_RECEIVE_CODES: ReadonlySet<string> = new Set(['21211', '21214', '21217', '21407', '21612', '21614', '30005', '30006']);

/**
 * The recipient said no: 21610 (they replied STOP to the provider's number), 30004 (they blocked us).
 * Texting them again would be against their wish (Art. 21).
 */
export const RECIPIENT_REFUSED_CODES: ReadonlySet<string> = new Set(['21610', '30004']);

/** Why a notice was given up; the operator is shown it (the contact's `notice.failedReason`, docs/api-contract.md#customers-contacts-panels). */
export type NoticeFailedReason = 'number_cannot_receive' | 'opted_out' | 'contact_removed' | 'number_changed' | 'not_allowed' | 'attempts_exhausted';

export interface FailedNoticeAttempt {
  /** SMS sent for the notice so far, the failed one included. */
  attempts: number;
  /** The failed SMS's status. */
  status: 'failed' | 'undelivered' | 'refused';
  /** The provider's error code, for failed/undelivered. */
  errorCode: string | null;
  /** The send gate's refusal (a RefusalCode, perhaps followed by ": detail"), for refused. */
  refusalReason: string | null;
}

export type NoticeRetryDecision = { retryAt: Date } | { giveUp: NoticeFailedReason };

/** What to do after a notice's SMS failed, seen at `now`. */
export function afterFailedNotice(attempt: FailedNoticeAttempt, now: Date): NoticeRetryDecision {
  if (attempt.status === 'refused') return { giveUp: refusalReason(attempt.refusalReason) };
  const code = attempt.errorCode ?? '';
  if (NUMBER_CANNOT_RECEIVE_CODES.has(code)) return { giveUp: 'number_cannot_receive' };
  if (RECIPIENT_REFUSED_CODES.has(code)) return { giveUp: 'opted_out' };
  if (attempt.attempts >= MAX_NOTICE_ATTEMPTS) return { giveUp: 'attempts_exhausted' };
  return { retryAt: new Date(now.getTime() + retryDelayMs(attempt.attempts)) };
}

/** The wait after the `attempts`-th failed attempt. */
export function retryDelayMs(attempts: number): number {
  return NOTICE_RETRY_DELAYS_MS[Math.max(0, attempts - 1)] ?? DAILY_MS;
}

/** Every refusal by the send gate is final for the notice: it says this person may not be texted now. */
function refusalReason(reason: string | null): NoticeFailedReason {
  const code = (reason ?? '').split(':')[0];
  if (code === 'opted_out' || code === 'contact_opted_out') return 'opted_out';
  if (code === 'recipient_ended' || code === 'recipient_unknown') return 'contact_removed';
  if (code === 'phone_mismatch') return 'number_changed';
  return 'not_allowed';
}

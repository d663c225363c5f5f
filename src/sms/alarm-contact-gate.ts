import type { EntityManager } from 'typeorm';

export interface AlarmContactQuestion {
  alarmId: string;
  contactId: string;
  /** The number the SMS would go to. */
  phone: string;
}

export type AlarmContactAnswer = { allowed: true } | { allowed: false; reason: string };

/**
 * "May contact X be texted for alarm Y now?": only for an open alarm whose owner stage ended
 * without the owner acknowledging (docs/alarm-handling.md#contacts-only-after-the-owner). The send policy asks this for every `alarm_contact`
 * SMS, inside the transaction that enqueues it (`manager`), so the answer and the enqueue see the
 * same alarm state. The escalation module provides the real answer; the class is the DI token.
 */
export abstract class AlarmContactGate {
  abstract mayText(question: AlarmContactQuestion, manager: EntityManager): Promise<AlarmContactAnswer>;
}

/**
 * The gate when the SMS module is given none: nobody may be texted about an alarm. The app always
 * gives it the escalation's (EscalationContactGate); failing closed keeps owner first
 * (docs/alarm-handling.md#contacts-only-after-the-owner) true in an SMS module wired without it.
 */
export class NoAlarmContactGate extends AlarmContactGate {
  async mayText(): Promise<AlarmContactAnswer> {
    return { allowed: false, reason: 'no alarm escalation is configured to allow texting contacts' };
  }
}

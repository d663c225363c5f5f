import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { firstRow } from '../database/rows.js';
import { AlarmContactGate, type AlarmContactAnswer, type AlarmContactQuestion } from '../sms/alarm-contact-gate.js';

/**
 * The owner-first rule (docs/alarm-handling.md#contacts-only-after-the-owner) where SMS are sent:
 * the send policy asks this for every alarm_contact SMS, in the transaction that would enqueue it.
 * Yes only when the alarm is open, its owner stage ended without an acknowledgement (stage
 * `contacts`), the contact is in the chain frozen when the alarm opened, and it is that contact's
 * turn. The escalation sets the step before it enqueues, in the same transaction, so its own SMS
 * pass; anything else is refused (and logged by the send policy).
 */
@Injectable()
export class EscalationContactGate extends AlarmContactGate {
  async mayText(q: AlarmContactQuestion, m: EntityManager): Promise<AlarmContactAnswer> {
    const alarm = await firstRow<{ status: string; stage: string; chain: string[]; step: number }>(
      m,
      `SELECT status, stage, chain, step FROM alarm WHERE id = $1`,
      [q.alarmId],
    );
    if (!alarm) return { allowed: false, reason: 'no such alarm' };
    if (alarm.status !== 'open') return { allowed: false, reason: 'the alarm is closed' };
    if (alarm.stage !== 'contacts') {
      return { allowed: false, reason: `the alarm is in stage ${alarm.stage}; contacts are texted only after the owner stage ended unacknowledged` };
    }
    const position = (alarm.chain ?? []).indexOf(q.contactId);
    if (position < 0) return { allowed: false, reason: "the contact is not in the alarm's escalation chain" };
    if (position + 1 !== alarm.step) return { allowed: false, reason: "it is not this contact's turn in the escalation" };
    return { allowed: true };
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { ALARM_CHANNEL, announceAlarmChangeSql } from '../alarm-model/alarm-changes.js';
import { writeAlarmLog, type AlarmRow, type AlarmStage } from '../alarm-model/alarm-state.js';
import { noticeDeliveredSql } from '../contacts/contact-notices.js';
import type { Address, Language } from '../customers/customer.entity.js';
import { ProcessingLog } from '../privacy/processing-log.service.js';
import { POLICY_VERSION } from '../privacy-policy/policy-version.js';
import { queryPrepared } from '../database/prepared-sql.js';
import type { SmsStatus } from '../sms/sms.types.js';
import {
  DEFAULT_CONTACT_WAIT_SECONDS,
  DEFAULT_OWNER_WAIT_SECONDS,
  type EscalationState,
  type SkippedStep,
  type StepEndReason,
  type StepMessage,
} from './escalation-policy.js';
import { INSERT_REPLY_CODE, replyCodeValues, type ReplyCodeRow } from './reply-codes.js';

/** The customer an alarm is about: the owner texted first, and named in their contacts' texts. */
export interface CustomerFacts {
  id: string;
  name: string;
  phone: string;
  language: Language;
  alarm_address: Address;
  /** The customer's contract has ended. */
  ended: boolean;
}

/** A contact of the chain, with whether they have had the onboarding notice for the current policy. */
export interface ContactFacts {
  id: string;
  name: string;
  phone: string;
  status: string;
  /** The contact was removed. */
  ended: boolean;
  notice_delivered: boolean;
}

/** A due alarm as the engine claims it: with its current step's message (JSON, so times are strings). */
export type DueAlarm = AlarmRow & { step_message: { status: SmsStatus; sent_at: string | null; created_at: string } | null };

/** A stage change for the timeline: from which stage, and why the step before it ended. */
export interface StageChange {
  from: AlarmStage;
  reason: StepEndReason;
}

/** The escalation state of an alarm row, as the policy reads it. */
export function escalationState(alarm: AlarmRow): EscalationState {
  return {
    class: alarm.class,
    status: alarm.status,
    stage: alarm.stage,
    step: alarm.step,
    chain: alarm.chain ?? [],
    ownerWaitSeconds: alarm.owner_wait_seconds,
    contactWaitSeconds: alarm.contact_wait_seconds,
    stepMessageId: alarm.step_message_id,
  };
}

/** The step's message of a claimed due alarm. */
export function dueStepMessage(alarm: DueAlarm): StepMessage | null {
  const m = alarm.step_message;
  return m && { status: m.status, sentAt: m.sent_at ? new Date(m.sent_at) : null, createdAt: new Date(m.created_at) };
}

/**
 * The escalation state of alarms in the database: the SQL that reads and moves it. Every method that
 * takes an EntityManager runs in the caller's transaction, the alarm row locked by it. The statements
 * that run for every alarm (opening, each step) are prepared and do several things in one round trip.
 */
@Injectable()
export class EscalationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * A new alarm: freezes the chain of active contacts in priority order and the waits of its class,
   * and writes the "opened" entry of the timeline; returns the row and the owner. One statement:
   * this runs while a panel waits for its 202.
   */
  async freezeAtOpening(m: EntityManager, alarm: AlarmRow): Promise<{ frozen: AlarmRow; owner: CustomerFacts | null }> {
    const [row] = await queryPrepared<AlarmRow & { owner: CustomerFacts | null }>(
      m,
      'escalation_start',
      `WITH s AS (SELECT owner_wait_seconds, contact_wait_seconds FROM escalation_setting WHERE class = $2::text),
       u AS (
         UPDATE alarm SET
           chain = ARRAY(SELECT k.id FROM contact k
                          WHERE k.customer_id = alarm.customer_id AND k.ended_at IS NULL AND k.status = 'active'
                          ORDER BY k.priority, k.created_at, k.id),
           owner_wait_seconds = COALESCE((SELECT owner_wait_seconds FROM s), $3::int),
           contact_wait_seconds = COALESCE((SELECT contact_wait_seconds FROM s), $4::int),
           step = 0
          WHERE id = $1::uuid
          RETURNING *),
       l AS (
         INSERT INTO alarm_log (alarm_id, kind, operator_id, data, at)
         SELECT id, 'opened', NULL, jsonb_build_object('class', class, 'reason', reason, 'stage', stage, 'chain', to_jsonb(chain),
                  'ownerWaitSeconds', owner_wait_seconds, 'contactWaitSeconds', contact_wait_seconds), now()
           FROM u)
       SELECT u.*, (SELECT row_to_json(c) FROM (SELECT id, name, phone, language, alarm_address, ended_at IS NOT NULL AS ended FROM customer WHERE id = u.customer_id) c) AS owner
         FROM u`,
      [alarm.id, alarm.class, DEFAULT_OWNER_WAIT_SECONDS, DEFAULT_CONTACT_WAIT_SECONDS],
    );
    const { owner, ...frozen } = row;
    return { frozen, owner };
  }

  /** The step's SMS: its status and hand-over time. */
  async stepMessage(m: EntityManager, id: string): Promise<Pick<StepMessage, 'status' | 'sentAt'> | undefined> {
    const [row] = await queryPrepared<{ status: SmsStatus; sent_at: Date | null }>(
      m,
      'escalation_step_message',
      `SELECT status, sent_at FROM sms_message WHERE id = $1::uuid`,
      [id],
    );
    return row && { status: row.status, sentAt: row.sent_at };
  }

  /**
   * The contacts of the chain still to try, and the customer they would be texted about: one read.
   * A contact whose row is gone is not in the map.
   */
  async chainFacts(
    m: EntityManager,
    contactIds: readonly string[],
    customerId: string,
  ): Promise<{ contacts: Map<string, ContactFacts>; customer: CustomerFacts | null }> {
    const [row] = await queryPrepared<{ contacts: ContactFacts[]; customer: CustomerFacts | null }>(
      m,
      'escalation_chain_facts',
      `SELECT (SELECT COALESCE(json_agg(k), '[]'::json) FROM (
                SELECT id, name, phone, status, ended_at IS NOT NULL AS ended, ${noticeDeliveredSql('c.id', 'c.phone', '$3::text')} AS notice_delivered
                  FROM contact c WHERE c.id = ANY($1::uuid[])) k) AS contacts,
              (SELECT row_to_json(u) FROM (SELECT id, name, phone, language, alarm_address, ended_at IS NOT NULL AS ended FROM customer WHERE id = $2::uuid) u) AS customer`,
      [contactIds, customerId, POLICY_VERSION],
    );
    return { contacts: new Map(row.contacts.map((c) => [c.id, c])), customer: row.customer };
  }

  /** Contacts passed over, on the timeline. */
  async stepsSkipped(m: EntityManager, alarmId: string, skipped: readonly SkippedStep[]): Promise<void> {
    for (const s of skipped) await writeAlarmLog(m, alarmId, 'step_skipped', { ...s });
  }

  /** A step that could not start (nobody to text, or the SMS refused), with why, on the timeline. */
  async stepNotStarted(m: EntityManager, alarmId: string, data: Record<string, unknown>): Promise<void> {
    await writeAlarmLog(m, alarmId, 'step_skipped', data);
  }

  /**
   * The alarm moves to a contact's step, before its SMS is enqueued: the send policy asks (in this
   * transaction) whether this contact is the current step of an alarm in stage 'contacts'. Entering
   * the stage goes on the timeline in the same statement.
   */
  async enterContactStep(m: EntityManager, alarmId: string, step: number, stageChange: StageChange | null): Promise<void> {
    const entry = stageChange && { stage: 'contacts', from: stageChange.from, reason: stageChange.reason };
    await queryPrepared(
      m,
      'escalation_enter_contact_step',
      `WITH l AS (INSERT INTO alarm_log (alarm_id, kind, operator_id, data, at) SELECT $1::uuid, 'stage', NULL, $3::jsonb, now() WHERE $3::jsonb IS NOT NULL)
       UPDATE alarm SET stage = 'contacts', step = $2::int, step_message_id = NULL, next_step_at = NULL, updated_at = now() WHERE id = $1::uuid`,
      [alarmId, step, entry ? JSON.stringify(entry) : null],
    );
  }

  /**
   * The step's SMS is queued: in one statement, its reply code is kept, the processing-log entry for
   * texting this person is written (its values from ProcessingLog.values), and the alarm waits for
   * this message until `nextLook`.
   */
  async stepStarted(m: EntityManager, code: ReplyCodeRow, processingLogValues: unknown[], nextLook: Date): Promise<void> {
    await queryPrepared(
      m,
      'escalation_step_started',
      `WITH r AS (${INSERT_REPLY_CODE}),
       l AS (INSERT INTO processing_log (${ProcessingLog.COLUMNS}) VALUES ${ProcessingLog.placeholders(8)})
       UPDATE alarm SET step_message_id = $6::uuid, next_step_at = $7::timestamptz, updated_at = now() WHERE id = $3::uuid`,
      [...replyCodeValues(code), nextLook, ...processingLogValues],
    );
  }

  /** Nobody is left to text: the alarm is unreached (the stage change on the timeline, unless it already was). */
  async unreached(m: EntityManager, alarmId: string, stageChange: StageChange | null): Promise<void> {
    if (stageChange) await writeAlarmLog(m, alarmId, 'stage', { stage: 'unreached', from: stageChange.from, reason: stageChange.reason });
    await m.query(`UPDATE alarm SET stage = 'unreached', next_step_at = NULL, updated_at = now() WHERE id = $1`, [alarmId]);
  }

  /** When the engine looks at the alarm next (null: never, its escalation is over). */
  async lookAgainAt(m: EntityManager, alarmId: string, at: Date | null): Promise<void> {
    await m.query(`UPDATE alarm SET next_step_at = $2 WHERE id = $1`, [alarmId, at]);
  }

  /**
   * Claims the most urgent alarm whose next look is due by `now` (by urgency, then the longest due),
   * with its step's message, skipping alarms another transaction holds: instances sharing the
   * database never run the same step twice.
   */
  async claimDue(m: EntityManager, now: Date): Promise<DueAlarm | undefined> {
    const [alarm] = await queryPrepared<DueAlarm>(
      m,
      'escalation_claim_due',
      `SELECT a.*, (SELECT row_to_json(s) FROM (SELECT status, sent_at, created_at FROM sms_message WHERE id = a.step_message_id) s) AS step_message
         FROM alarm a WHERE a.next_step_at <= $1::timestamptz ORDER BY a.urgency DESC, a.next_step_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [now],
    );
    return alarm;
  }

  /** Locks the alarm whose current step's SMS is this one (undefined: the step has moved on). */
  async lockForStepMessage(m: EntityManager, alarmId: string, messageId: string): Promise<AlarmRow | undefined> {
    const [alarm] = await queryPrepared<AlarmRow>(
      m,
      'escalation_lock_for_step_message',
      `SELECT * FROM alarm WHERE id = $1::uuid AND step_message_id = $2::uuid FOR UPDATE`,
      [alarmId, messageId],
    );
    return alarm;
  }

  /** A step that failed with an error (rolled back) is looked at again at `retryAt`, unless something moved it meanwhile. */
  async retryStepAt(alarmId: string, retryAt: Date, claimedAt: Date): Promise<void> {
    await this.dataSource.query(`UPDATE alarm SET next_step_at = $2 WHERE id = $1 AND next_step_at <= $3`, [alarmId, retryAt, claimedAt]);
  }

  /** The earliest next look of any alarm (undefined: none is waiting). */
  async earliestNextLook(): Promise<Date | undefined> {
    const [row] = await queryPrepared<{ at: Date | null }>(
      this.dataSource.manager,
      'escalation_earliest_next_look',
      `SELECT min(next_step_at) AS at FROM alarm WHERE next_step_at IS NOT NULL`,
      [],
    );
    return row?.at ?? undefined;
  }

  /** The waits set per alarm class (a class without a row has the defaults). */
  async waitSettings(): Promise<Array<{ class: string; owner_wait_seconds: number; contact_wait_seconds: number }>> {
    return queryPrepared(
      this.dataSource.manager,
      'escalation_wait_settings',
      `SELECT class, owner_wait_seconds, contact_wait_seconds FROM escalation_setting`,
      [],
    );
  }

  /** Sets a class's waits, for alarms opened from now on. */
  async setWaits(cls: string, ownerWaitSeconds: number, contactWaitSeconds: number, operatorId: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO escalation_setting (class, owner_wait_seconds, contact_wait_seconds, updated_at, updated_by) VALUES ($1, $2, $3, now(), $4)
       ON CONFLICT (class) DO UPDATE SET owner_wait_seconds = $2, contact_wait_seconds = $3, updated_at = now(), updated_by = $4`,
      [cls, ownerWaitSeconds, contactWaitSeconds, operatorId],
    );
  }

  /**
   * The current step's SMS was handed over: its wait runs from `sent_at`. One statement outside any
   * transaction (it runs for every alarm SMS): the row lock of the UPDATE and its re-checked conditions
   * keep it exact against a step that moves on meanwhile. It announces the alarm either way, so the
   * queue and the alarm page show the SMS's new status live. Returns the new next look, or undefined
   * when it did not change.
   */
  async startWaitAtHandOver(alarmId: string, messageId: string): Promise<Date | undefined> {
    const waitEnds = `m.sent_at + make_interval(secs => CASE WHEN a.step = 0 THEN COALESCE(a.owner_wait_seconds, $3::int) ELSE COALESCE(a.contact_wait_seconds, $4::int) END)`;
    const [row] = await queryPrepared<{ next_step_at: Date | null }>(
      this.dataSource.manager,
      'escalation_handed_over',
      `WITH u AS (
         UPDATE alarm a SET next_step_at = ${waitEnds}
           FROM sms_message m
          WHERE a.id = $1::uuid AND a.step_message_id = $2::uuid AND m.id = $2::uuid
            AND a.status = 'open' AND a.stage IN ('owner', 'contacts')
            AND m.status IN ('sent', 'delivered') AND m.sent_at IS NOT NULL
            AND a.next_step_at IS DISTINCT FROM ${waitEnds}
          RETURNING a.next_step_at)
       SELECT (SELECT next_step_at FROM u) AS next_step_at, ${announceAlarmChangeSql('$5', '$1::uuid', '(SELECT next_step_at FROM u)')}`,
      [alarmId, messageId, DEFAULT_OWNER_WAIT_SECONDS, DEFAULT_CONTACT_WAIT_SECONDS, ALARM_CHANNEL],
    );
    return row?.next_step_at ?? undefined;
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { contactAlarmText, ownerAlarmText, type AlarmSubject, type AlarmTextInput } from './alarm-texts.js';
import { ALARM_CHANNEL, announceAlarmChangeSql } from '../alarm-model/alarm-changes.js';
import { writeAlarmLog, type AlarmRow, type AlarmStage } from '../alarm-model/alarm-state.js';
import { ESCALATION_TEXT_CONTACT, ESCALATION_TEXT_OWNER } from './escalation.processing.js';
import type { EventClass } from '../alarm-model/event-classification.js';
import { DomainError } from '../common/domain-error.js';
import { noticeDeliveredSql } from '../contacts/contact-notices.js';
import { POLICY_VERSION, policyUrl } from '../privacy-policy/policy-version.js';
import { AppConfig } from '../config/app-config.js';
import type { Address, Language } from '../customers/customer.entity.js';
import { Processing, type LegalBasis } from '../privacy/processing.decorator.js';
import { ProcessingLog, type ProcessingLogEntry } from '../privacy/processing-log.service.js';
import { queryPrepared } from '../database/prepared-sql.js';
import { SmsOutbox, type EnqueuedSms } from '../sms/sms-outbox.js';
import type { OutboundSms } from '../sms/send-policy.js';
import type { SmsStatus } from '../sms/sms.types.js';
import { Clock } from '../common/clock.js';
import { allocateReplyCode, INSERT_REPLY_CODE, replyCodeValues, type ReplyCodeRow } from './reply-codes.js';

/** Classes that text no one (PRODUCT.md: a duress code means the owner may be under threat). */
export const TEXTS_NOBODY: readonly EventClass[] = ['panic', 'duress'];
/** Classes whose escalation stops after the owner. */
export const OWNER_ONLY: readonly EventClass[] = ['technical'];
/** Classes for which contacts are texted under vital interests (PRODUCT.md, Legal bases). */
export const VITAL_INTERESTS: readonly EventClass[] = ['fire', 'gas', 'medical', 'panic'];
/** Every class that texts anyone has escalation settings (API.md). */
export const ESCALATING_CLASSES = ['burglary', 'fire', 'gas', 'water', 'medical', 'tamper', 'technical', 'unknown'] as const;
export type EscalatingClass = (typeof ESCALATING_CLASSES)[number];

/** PRODUCT.md defaults, used only if a class has no settings row. */
export const DEFAULT_OWNER_WAIT_SECONDS = 60;
export const DEFAULT_CONTACT_WAIT_SECONDS = 60;

/**
 * While a step's SMS is still waiting to be handed to the provider, the engine looks again this often:
 * the wait starts only at the hand-over (API.md), so there is nothing to advance yet.
 */
export const RECHECK_MS = 1000;

export const initialStage = (c: EventClass): AlarmStage => (TEXTS_NOBODY.includes(c) ? 'unreached' : 'owner');
export const contactLegalBasis = (c: EventClass): LegalBasis => (VITAL_INTERESTS.includes(c) ? 'vital_interests' : 'legitimate_interests');

interface CustomerFacts {
  id: string;
  name: string;
  phone: string;
  language: Language;
  alarm_address: Address;
  ended_at: Date | null;
}

interface ContactFacts {
  id: string;
  name: string;
  phone: string;
  status: string;
  ended_at: string | null;
  notice_delivered: boolean;
}

/** A due alarm as the engine claims it: with its current step's message (JSON, so times are strings). */
export type DueAlarm = AlarmRow & { step_message: { status: SmsStatus; sent_at: string | null; created_at: string } | null };

interface MessageFacts {
  status: SmsStatus;
  sent_at: Date | null;
}

const ENDED: ReadonlySet<SmsStatus> = new Set(['failed', 'undelivered', 'refused']);

/**
 * The escalation of one alarm, step by step (PRODUCT.md, Escalation). Every method runs inside the
 * caller's transaction and expects the alarm row locked (FOR UPDATE) by it: the step's SMS is
 * enqueued and the state moved on in that one transaction, so a step runs exactly once however many
 * instances look at the alarm. Each returns when the alarm must be looked at next (or null).
 *
 * State: `step` 0 is the owner, k is the k-th contact of the chain frozen at opening. `next_step_at`
 * is when to look again. It is first set at enqueue + the hand-over bound (SMS_HANDOVER_TIMEOUT_SECONDS,
 * or the wait when that is shorter), moved to the provider hand-over (`sms_message.sent_at`) + wait
 * when that is known, and checked against `sent_at` again when it falls due, so the wait always
 * starts at the hand-over whichever instance sent the SMS. An SMS not handed over by the bound ends
 * the step (`sms_not_handed_over`): a provider that is down or hangs must not hold up the next
 * person. A permanent failure (failed, undelivered, refused) ends the step at once.
 */
@Injectable()
export class Escalation {
  private readonly logger = new Logger(Escalation.name);

  constructor(
    private readonly outbox: SmsOutbox,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly processingLog: ProcessingLog,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * A new alarm (in the transaction that inserted it): freeze the chain and the waits, then text the
   * owner, unless the class texts no one.
   */
  async start(alarm: AlarmRow, m: EntityManager): Promise<Date | null> {
    // One statement (this runs while a panel waits for its 202): the waits of the class, the chain
    // of active contacts in priority order, the "opened" entry of the timeline, and the owner.
    const [frozen] = await queryPrepared<AlarmRow & { owner: CustomerFacts | null }>(
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
       SELECT u.*, (SELECT row_to_json(c) FROM (SELECT id, name, phone, language, alarm_address, ended_at FROM customer WHERE id = u.customer_id) c) AS owner
         FROM u`,
      [alarm.id, alarm.class, DEFAULT_OWNER_WAIT_SECONDS, DEFAULT_CONTACT_WAIT_SECONDS],
    );
    if (alarm.stage !== 'owner') return null; // panic, duress: nobody is texted
    const { owner, ...row } = frozen;
    return this.textOwner(row, owner ?? undefined, m);
  }

  /**
   * The alarm's next_step_at has come: move on if its step is over, else say when to look again.
   * The engine claims the alarm together with its step's message (one round trip less per step).
   */
  async due(alarm: DueAlarm, m: EntityManager): Promise<Date | null> {
    if (alarm.status !== 'open' || (alarm.stage !== 'owner' && alarm.stage !== 'contacts')) {
      await m.query(`UPDATE alarm SET next_step_at = NULL WHERE id = $1`, [alarm.id]);
      return null;
    }
    const message = alarm.step_message && {
      status: alarm.step_message.status,
      sent_at: alarm.step_message.sent_at ? new Date(alarm.step_message.sent_at) : null,
    };
    if (!message || ENDED.has(message.status)) return this.advance(alarm, m, 'sms_failed');
    if (message.status === 'queued' || message.status === 'sending') {
      // Not handed over yet: the wait has not started. But a provider that is down, hangs or lost the
      // send must not hold the step for longer than it would last had the hand-over worked: past the
      // bound (or the step's own wait, when shorter) the person counts as not reached.
      const now = this.clock.now().getTime();
      const giveUpAt = new Date(alarm.step_message!.created_at).getTime() + Math.min(this.config.sms.handoverTimeoutSeconds * 1000, this.waitMs(alarm));
      if (now >= giveUpAt) return this.advance(alarm, m, 'sms_not_handed_over');
      return this.setNext(alarm.id, new Date(Math.min(now + RECHECK_MS, giveUpAt)), m);
    }
    const due = this.waitEnds(alarm, message);
    if (due.getTime() > this.clock.now().getTime()) return this.setNext(alarm.id, due, m);
    return this.advance(alarm, m, 'wait_ran_out');
  }

  /** The current step's SMS changed status (SmsOutbox.statusChanges$). Ignored for any other message. */
  async messageStatus(alarm: AlarmRow, messageId: string, m: EntityManager): Promise<Date | null | undefined> {
    if (alarm.status !== 'open' || alarm.step_message_id !== messageId || (alarm.stage !== 'owner' && alarm.stage !== 'contacts')) return undefined;
    const message = await this.message(messageId, m);
    if (!message) return undefined;
    if (ENDED.has(message.status)) return this.advance(alarm, m, 'sms_failed');
    if (message.sent_at) return this.setNext(alarm.id, this.waitEnds(alarm, message), m);
    return undefined;
  }

  /**
   * An alarm SMS was handed to the provider (status sent or delivered). If it is the current step's,
   * its wait now runs from that moment. The common case of messageStatus, in one statement outside
   * any transaction (it runs for every alarm SMS): the row lock of the UPDATE and its re-checked
   * conditions keep it exact against a step that moves on meanwhile. It announces the alarm either
   * way, so the queue and the alarm page show the SMS's new status live. Returns the new next step
   * time, or undefined when it did not change.
   */
  async handedOver(alarmId: string, messageId: string): Promise<Date | undefined> {
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

  /**
   * An operator decided to text the contacts of an alarm that texts nobody by itself (panic,
   * duress: AlarmActions checks that). The owner is still skipped: the contacts are tried from the
   * first, as after an owner step. Runs in the caller's transaction, the alarm row locked.
   */
  async startContacts(alarm: AlarmRow, m: EntityManager): Promise<Date | null> {
    return this.advance({ ...alarm, step: 0 }, m, 'operator_decision');
  }

  /**
   * The step is over without an acknowledgement: text the next contact who may still be texted
   * (skipping those who opted out or were removed since the chain was frozen), or, when none is
   * left (or the class stops at the owner), the alarm is unreached.
   */
  private async advance(
    alarm: AlarmRow,
    m: EntityManager,
    why: 'wait_ran_out' | 'sms_failed' | 'sms_not_handed_over' | 'sms_refused' | 'owner_unavailable' | 'operator_decision',
  ): Promise<Date | null> {
    const chain = alarm.chain ?? [];
    let stage = alarm.stage;
    if (!OWNER_ONLY.includes(alarm.class)) {
      for (let step = alarm.step + 1; step <= chain.length; step++) {
        const contactId = chain[step - 1];
        // The contact, whether they have had the onboarding notice, and the customer: one read.
        const [facts] = await queryPrepared<{ contact: ContactFacts | null; customer: CustomerFacts | null }>(
          m,
          'escalation_contact_facts',
          `SELECT (SELECT row_to_json(k) FROM (
                    SELECT id, name, phone, status, ended_at, ${noticeDeliveredSql('c.id', 'c.phone', '$3::text')} AS notice_delivered
                      FROM contact c WHERE c.id = $1::uuid) k) AS contact,
                  (SELECT row_to_json(u) FROM (SELECT id, name, phone, language, alarm_address, ended_at FROM customer WHERE id = $2::uuid) u) AS customer`,
          [contactId, alarm.customer_id, POLICY_VERSION],
        );
        const contact = facts.contact;
        if (!contact || contact.ended_at || contact.status !== 'active') {
          const reason = !contact || contact.ended_at ? 'contact_removed' : 'contact_opted_out';
          await writeAlarmLog(m, alarm.id, 'step_skipped', { step, contactId, reason });
          continue;
        }
        if (!facts.customer) break; // the alarm outlived its customer's row: nobody to text about
        // The state first, then the SMS: the send policy asks the AlarmContactGate, in this
        // transaction, whether this contact is the current step of an alarm in stage 'contacts'.
        // The stage change goes on the timeline in the same statement.
        const stageChange = stage !== 'contacts' ? { stage: 'contacts', from: stage, reason: why } : null;
        await queryPrepared(
          m,
          'escalation_enter_contact_step',
          `WITH l AS (INSERT INTO alarm_log (alarm_id, kind, operator_id, data, at) SELECT $1::uuid, 'stage', NULL, $3::jsonb, now() WHERE $3::jsonb IS NOT NULL)
           UPDATE alarm SET stage = 'contacts', step = $2::int, step_message_id = NULL, next_step_at = NULL, updated_at = now() WHERE id = $1::uuid`,
          [alarm.id, step, stageChange ? JSON.stringify(stageChange) : null],
        );
        stage = 'contacts';
        const sent = await this.textContact({ ...alarm, stage: 'contacts', step }, contact, facts.customer, m);
        if (sent) return sent;
        why = 'sms_refused';
      }
    }
    if (stage !== 'unreached') {
      await writeAlarmLog(m, alarm.id, 'stage', { stage: 'unreached', from: stage, reason: why });
    }
    await m.query(`UPDATE alarm SET stage = 'unreached', next_step_at = NULL, updated_at = now() WHERE id = $1`, [alarm.id]);
    return null;
  }

  @Processing(ESCALATION_TEXT_OWNER)
  private async textOwner(alarm: AlarmRow, customer: CustomerFacts | undefined, m: EntityManager): Promise<Date | null> {
    if (!customer || customer.ended_at) {
      await writeAlarmLog(m, alarm.id, 'step_skipped', { step: 0, reason: 'owner_unavailable' });
      return this.advance(alarm, m, 'owner_unavailable');
    }
    const code = await allocateReplyCode(customer.phone, m);
    const body = ownerAlarmText(this.textInput(alarm, customer, code));
    const result = await this.enqueue(
      { purpose: 'alarm_owner', to: customer.phone, body, legalBasis: 'contract', alarmId: alarm.id, customerId: customer.id },
      m,
    );
    if (result.status !== 'queued') {
      await writeAlarmLog(m, alarm.id, 'step_skipped', { step: 0, reason: 'sms_refused', refusal: result.refusalReason ?? null, messageId: result.id ?? null });
      return this.advance(alarm, m, 'sms_refused');
    }
    return this.stepStarted(
      { phone: customer.phone, code, alarmId: alarm.id, customerId: customer.id, contactId: null, messageId: result.id },
      { ...ESCALATION_TEXT_OWNER, actor: { type: 'system', id: 'escalation' }, subjectIds: [customer.id, alarm.id] },
      alarm.owner_wait_seconds ?? DEFAULT_OWNER_WAIT_SECONDS,
      m,
    );
  }

  @Processing(ESCALATION_TEXT_CONTACT)
  private async textContact(alarm: AlarmRow, contact: ContactFacts, customer: CustomerFacts, m: EntityManager): Promise<Date | null> {
    const code = await allocateReplyCode(contact.phone, m);
    const body = contactAlarmText({
      ...this.textInput(alarm, customer, code),
      customerName: customer.name,
      // Rule 3: until the onboarding notice is delivered, the alarm SMS is their first notice too.
      policyUrl: contact.notice_delivered ? undefined : policyUrl(this.config.publicBaseUrl, customer.language),
    });
    const legalBasis = contactLegalBasis(alarm.class);
    const result = await this.enqueue(
      { purpose: 'alarm_contact', to: contact.phone, body, legalBasis, alarmId: alarm.id, customerId: customer.id, contactId: contact.id },
      m,
    );
    if (result.status !== 'queued') {
      await writeAlarmLog(m, alarm.id, 'step_skipped', {
        step: alarm.step,
        contactId: contact.id,
        reason: 'sms_refused',
        refusal: result.refusalReason ?? null,
        messageId: result.id ?? null,
      });
      return null;
    }
    return this.stepStarted(
      { phone: contact.phone, code, alarmId: alarm.id, customerId: customer.id, contactId: contact.id, messageId: result.id },
      { ...ESCALATION_TEXT_CONTACT, legalBasis, actor: { type: 'system', id: 'escalation' }, subjectIds: [contact.id, customer.id, alarm.id] },
      alarm.contact_wait_seconds ?? DEFAULT_CONTACT_WAIT_SECONDS,
      m,
    );
  }

  /** What every alarm text says, for the owner and the contacts alike: who, what, where, which code. */
  private textInput(alarm: AlarmRow, customer: CustomerFacts, code: number): AlarmTextInput {
    return {
      language: customer.language,
      company: this.config.companyName,
      subject: this.subject(alarm),
      street: customer.alarm_address.street,
      city: customer.alarm_address.city,
      zone: alarm.zone,
      code,
    };
  }

  /** A malformed message (say, a phone number stored before validation existed) must not lose the alarm: it counts as refused. */
  private async enqueue(sms: OutboundSms, m: EntityManager): Promise<EnqueuedSms | { status: 'invalid'; id?: undefined; refusalReason: string }> {
    try {
      return await this.outbox.enqueue(sms, m);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      this.logger.warn({ alarmId: sms.alarmId, purpose: sms.purpose, code: e.code }, 'alarm SMS could not be enqueued; moving on');
      return { status: 'invalid', refusalReason: e.code };
    }
  }

  /**
   * The step's SMS is queued: in one statement, its reply code is kept, the processing-log entry
   * for texting this person is written, and the alarm waits for this message.
   */
  private async stepStarted(code: ReplyCodeRow, entry: ProcessingLogEntry, waitSeconds: number, m: EntityManager): Promise<Date> {
    // Until the hand-over is known: the hand-over bound, or the wait when shorter (see the class comment).
    const next = new Date(this.clock.now().getTime() + Math.min(waitSeconds, this.config.sms.handoverTimeoutSeconds) * 1000);
    await queryPrepared(
      m,
      'escalation_step_started',
      `WITH r AS (${INSERT_REPLY_CODE}),
       l AS (INSERT INTO processing_log (${ProcessingLog.COLUMNS}) VALUES ${ProcessingLog.placeholders(8)})
       UPDATE alarm SET step_message_id = $6::uuid, next_step_at = $7::timestamptz, updated_at = now() WHERE id = $3::uuid`,
      [...replyCodeValues(code), next, ...this.processingLog.values(entry)],
    );
    this.processingLog.written();
    return next;
  }

  private async setNext(alarmId: string, next: Date, m: EntityManager): Promise<Date> {
    await m.query(`UPDATE alarm SET next_step_at = $2 WHERE id = $1`, [alarmId, next]);
    return next;
  }

  private waitEnds(alarm: AlarmRow, message: MessageFacts): Date {
    const start = message.sent_at ?? this.clock.now();
    return new Date(start.getTime() + this.waitMs(alarm));
  }

  /** The current step's wait, as frozen when the alarm opened. */
  private waitMs(alarm: AlarmRow): number {
    return (alarm.step === 0 ? (alarm.owner_wait_seconds ?? DEFAULT_OWNER_WAIT_SECONDS) : (alarm.contact_wait_seconds ?? DEFAULT_CONTACT_WAIT_SECONDS)) * 1000;
  }

  private subject(alarm: AlarmRow): AlarmSubject {
    return alarm.reason === 'panel_offline' ? 'panel_offline' : alarm.class;
  }

  private async message(id: string | null, m: EntityManager): Promise<MessageFacts | undefined> {
    if (!id) return undefined;
    const [row] = (await m.query(`SELECT status, sent_at FROM sms_message WHERE id = $1`, [id])) as MessageFacts[];
    return row;
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Observable } from 'rxjs';
import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { DomainError } from '../common/domain-error.js';
import { Clock } from '../common/clock.js';
import { Metrics } from '../metrics/metrics.js';
import { LEGAL_BASES, type LegalBasis } from '../privacy/processing.decorator.js';
import { countsTowardCaps, SmsDailyCaps } from './daily-caps.js';
import { queryPrepared } from '../database/prepared-sql.js';
import { SendPolicy, type OutboundSms } from './send-policy.js';
import { SmsDeliveryStatus, type SmsStatusChange } from './sms-delivery-status.js';
import { SmsDispatcher } from './sms-dispatcher.js';
import { SmsSender } from './sms-sender.js';
import { DEFAULT_LEGAL_BASIS, E164, MAX_BODY_LENGTH, SMS_PRIORITY, SMS_PURPOSES, type SmsStatus } from './sms.types.js';
import { countSegments } from './texts.js';
import { isUuid } from '../common/uuid.js';

export interface EnqueuedSms {
  id: string;
  status: 'queued' | 'refused';
  /** Why the send policy refused it (a RefusalCode, perhaps followed by ": detail"). */
  refusalReason?: string;
  legalBasis: LegalBasis;
}

/**
 * The durable SMS outbox, where every outbound SMS is written: a row first, committed, and only then
 * sent (by SmsDispatcher).
 *
 * - `enqueue` stores the message after the SendPolicy has checked it (a refusal is stored too, as
 *   `refused`, and never sent). Given an EntityManager it joins the caller's transaction: the alarm
 *   and its SMS commit together or not at all.
 * - Dispatch starts in this process right after the commit (a kick from the commit hook, no polling
 *   on the normal path); SmsSweeper picks up anything missed every second.
 * - `statusChanges$` tells the callers what became of what they enqueued (SmsDeliveryStatus).
 */
@Injectable()
export class SmsOutbox {
  private readonly logger = new Logger(SmsOutbox.name);
  /** Every committed status change of an outbound message, in this process. */
  readonly statusChanges$: Observable<SmsStatusChange>;
  /** Transactions that enqueued a message and have not committed yet. */
  private readonly pendingCommit = new WeakSet<QueryRunner>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sender: SmsSender,
    private readonly policy: SendPolicy,
    private readonly caps: SmsDailyCaps,
    private readonly metrics: Metrics,
    private readonly dispatcher: SmsDispatcher,
    status: SmsDeliveryStatus,
    private readonly clock: Clock,
  ) {
    this.statusChanges$ = status.statusChanges$;
    this.dataSource.subscribers.push(this.commitHook());
  }

  /**
   * Stores an outbound SMS after the send policy has checked it, and (once committed) sends it.
   * With `manager`, the row is written in the caller's transaction and sending starts when that
   * transaction commits. Malformed input (not E.164, empty body, unknown purpose) is a caller's
   * mistake and throws DomainError('invalid'); a policy refusal is an answer, not an error. A
   * message over a daily cap (SmsDailyCaps) is not stored: it throws DomainError('rate_limited'),
   * so the caller's change that would have sent it rolls back whole.
   */
  async enqueue(sms: OutboundSms, manager?: EntityManager): Promise<EnqueuedSms> {
    if (countsTowardCaps(sms) && !manager?.queryRunner?.isTransactionActive) {
      // The cap's count and the insert must share one transaction (see SmsDailyCaps).
      return this.dataSource.transaction((m) => this.enqueue(sms, m));
    }
    const legalBasis = this.validate(sms);
    const refused = async (m: EntityManager, reason: string): Promise<EnqueuedSms> => {
      const id = await this.insert(m, sms, legalBasis, this.sender.from, 'refused', reason);
      await this.policy.recordRefusal(sms, reason, id, m);
      return { id, status: 'refused', legalBasis, refusalReason: reason };
    };
    const decision = await this.policy.check(sms, legalBasis, manager ?? this.dataSource.manager);
    if (manager) {
      if (!decision.allowed) return refused(manager, decision.reason);
      const over = await this.caps.check(sms, manager);
      if (over) {
        this.metrics.smsRefused.inc({ reason: over.cap });
        throw over.error;
      }
      const id = await this.insert(manager, sms, legalBasis, this.sender.from, 'queued');
      this.kickAfterCommit(manager);
      return { id, status: 'queued', legalBasis };
    }
    // Without a caller's transaction the check and the insert commit on their own (no row locks are
    // taken either way); a refusal is written with its processing-log hook in one transaction.
    if (!decision.allowed) return this.dataSource.transaction((m) => refused(m, decision.reason));
    const id = await this.insert(this.dataSource.manager, sms, legalBasis, this.sender.from, 'queued');
    this.dispatcher.kick();
    return { id, status: 'queued', legalBasis };
  }

  /**
   * A reply given in the webhook's TwiML answer (Twilio sends it; it never enters the queue). It
   * passes the same send policy and is stored as `sent` (handed to the provider) or `refused`; a
   * help or unknown-code reply over the central's daily cap is refused (`central_cap`).
   * Returns whether it may be sent.
   */
  async recordReply(
    sms: OutboundSms & { purpose: 'reply' },
    from: string,
    manager: EntityManager,
  ): Promise<{ id: string; allowed: boolean; refusalReason?: string }> {
    const legalBasis = this.validate(sms);
    const decision = await this.policy.check(sms, legalBasis, manager);
    const refusalReason = decision.allowed ? (await this.caps.check(sms, manager))?.cap : decision.reason;
    const id = await this.insert(manager, sms, legalBasis, from, refusalReason ? 'refused' : 'sent', refusalReason);
    if (refusalReason) await this.policy.recordRefusal(sms, refusalReason, id, manager);
    return { id, allowed: !refusalReason, ...(refusalReason ? { refusalReason } : {}) };
  }

  /** Resolves when nothing is being claimed or sent by this instance (tests, benchmarks, shutdown). */
  idle(): Promise<void> {
    return this.dispatcher.idle();
  }

  private validate(sms: OutboundSms): LegalBasis {
    const invalid = (code: string, message: string) => new DomainError('invalid', code, message);
    if (!SMS_PURPOSES.includes(sms.purpose)) throw invalid('sms_purpose_invalid', `purpose must be one of ${SMS_PURPOSES.join(', ')}`);
    if (typeof sms.to !== 'string' || !E164.test(sms.to)) throw invalid('sms_to_invalid', 'to must be an E.164 phone number such as +46701234567');
    if (typeof sms.body !== 'string' || !sms.body.trim()) throw invalid('sms_body_empty', 'body must not be empty');
    if (sms.body.length > MAX_BODY_LENGTH) throw invalid('sms_body_too_long', `body must be at most ${MAX_BODY_LENGTH} characters`);
    for (const key of ['alarmId', 'customerId', 'contactId', 'inReplyTo', 'operatorId'] as const) {
      const v = sms[key];
      if (v !== undefined && !isUuid(v)) throw invalid('sms_id_invalid', `${key} must be a UUID`);
    }
    const legalBasis = sms.legalBasis ?? DEFAULT_LEGAL_BASIS[sms.purpose];
    if (!legalBasis) throw invalid('sms_legal_basis_required', `legalBasis is required for ${sms.purpose} (it depends on the alarm's class)`);
    if (!LEGAL_BASES.includes(legalBasis)) throw invalid('sms_legal_basis_invalid', `legalBasis must be one of ${LEGAL_BASES.join(', ')}`);
    const { segments } = countSegments(sms.body);
    if (segments > 2) this.logger.warn({ purpose: sms.purpose, segments }, 'SMS text is longer than two segments');
    return legalBasis;
  }

  private async insert(m: EntityManager, sms: OutboundSms, legalBasis: LegalBasis, from: string, status: SmsStatus, refusalReason?: string): Promise<string> {
    const [row] = await queryPrepared<{ id: string }>(
      m,
      'sms_insert',
      `INSERT INTO sms_message (direction, to_phone, from_phone, body, purpose, legal_basis, alarm_id, contact_id, customer_id,
                                in_reply_to, reply_kind, status, priority, refusal_reason, sent_at, operator_id)
       VALUES ('outbound', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
               -- An alarm's SMS goes out in the order of its alarm's urgency (a fire before a burglary) when many wait.
               $12::int + COALESCE((SELECT urgency FROM alarm WHERE id = $6::uuid), 0), $13, CASE WHEN $11 = 'sent' THEN $15::timestamptz END, $14::uuid)
       RETURNING id`,
      [
        sms.to,
        from,
        sms.body,
        sms.purpose,
        legalBasis,
        sms.alarmId ?? null,
        sms.contactId ?? null,
        sms.customerId ?? null,
        sms.inReplyTo ?? null,
        sms.replyKind ?? null,
        status,
        SMS_PRIORITY[sms.purpose],
        refusalReason ?? null,
        sms.operatorId ?? null,
        this.clock.now(),
      ],
    );
    return row.id;
  }

  private kickAfterCommit(manager: EntityManager): void {
    const runner = manager.queryRunner;
    if (runner?.isTransactionActive) this.pendingCommit.add(runner);
    else this.dispatcher.kick(); // no transaction: the insert has committed already
  }

  private commitHook(): EntitySubscriberInterface {
    return {
      afterTransactionCommit: (event: TransactionCommitEvent) => {
        // A released savepoint also reports a commit; only the outermost one counts.
        if (event.queryRunner.isTransactionActive || !this.pendingCommit.has(event.queryRunner)) return;
        this.pendingCommit.delete(event.queryRunner);
        this.dispatcher.kick();
      },
      afterTransactionRollback: (event: TransactionRollbackEvent) => {
        if (!event.queryRunner.isTransactionActive) this.pendingCommit.delete(event.queryRunner);
      },
    };
  }
}

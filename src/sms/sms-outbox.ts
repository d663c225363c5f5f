import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { Observable, Subject } from 'rxjs';
import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { DomainError } from '../common/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { inBackground } from '../database/connection-priority.js';
import { Metrics } from '../metrics/metrics.js';
import { LEGAL_BASES, type LegalBasis } from '../privacy/processing.decorator.js';
import { queueProcessorDeletionOf } from '../privacy/processor-deletion.js';
import { countsTowardCaps, SmsDailyCaps } from './daily-caps.js';
import { queryPrepared } from '../database/prepared-sql.js';
import { SendPolicy, type OutboundSms } from './send-policy.js';
import { MAX_SEND_ATTEMPTS, retryDelayMs } from './send-rate.js';
import { OUTCOME_UNKNOWN_CODES, SmsSendError, SmsSender, type SmsSendResult } from './sms-sender.js';
import { advanceStatus, fromTwilioStatus } from './sms-status.js';
import { DEFAULT_LEGAL_BASIS, E164, MAX_BODY_LENGTH, SMS_PRIORITY, SMS_PURPOSES, type SmsPurpose, type SmsStatus } from './sms.types.js';
import { countSegments } from './texts.js';

export interface EnqueuedSms {
  id: string;
  status: 'queued' | 'refused';
  /** Why the send policy refused it (a RefusalCode, perhaps followed by ": detail"). */
  refusalReason?: string;
  legalBasis: LegalBasis;
}

/** One change of an outbound message's status, emitted once the change is committed. */
export interface SmsStatusChange {
  messageId: string;
  purpose: SmsPurpose;
  previous: SmsStatus;
  status: SmsStatus;
  alarmId: string | null;
  contactId: string | null;
  customerId: string | null;
  providerId: string | null;
  errorCode: string | null;
  at: Date;
}

/** The message a delivery report was about, and what it changed. */
export interface ReportedMessage {
  messageId: string;
  customerId: string | null;
  contactId: string | null;
  change?: SmsStatusChange;
}

interface ClaimedRow {
  id: string;
  to_phone: string;
  body: string;
  purpose: SmsPurpose;
  priority: number;
  attempts: number;
  alarm_id: string | null;
  contact_id: string | null;
  customer_id: string | null;
  /** Why the previous attempt failed, if one did: after an unknown outcome the provider is asked first. */
  error_code: string | null;
  created_at: Date;
}

/** Sends in flight at once per instance; more are claimed when this many minus LOW_WATER are done. */
const MAX_IN_FLIGHT = 32;
const LOW_WATER = 8;
/**
 * How long a claimed message may stay in `sending`. Well above the provider call's own timeout
 * (10 s), so only a crash (or a frozen process) leaves a message past it.
 */
const SEND_DEADLINE_SECONDS = 60;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CHANGE_COLUMNS = 'id, purpose, alarm_id, contact_id, customer_id, provider_id, error_code';

/**
 * The durable SMS outbox. Every outbound SMS is a row first, committed, and only then sent.
 *
 * - `enqueue` stores the message after the SendPolicy has checked it (a refusal is stored too, as
 *   `refused`, and never sent). Given an EntityManager it joins the caller's transaction: the alarm
 *   and its SMS commit together or not at all.
 * - Dispatch starts in this process right after the commit (a kick from the commit hook, no polling
 *   on the normal path); a sweeper every second picks up anything missed: rows committed by another
 *   instance or a process that died, and retries whose timer was lost.
 * - A claim is `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)`, so instances sharing
 *   the database never claim the same row.
 * - Temporary failures (429, 5xx, timeouts, network) are retried with exponential backoff up to
 *   MAX_SEND_ATTEMPTS; permanent ones are failed at once.
 * - Never sent twice blindly. An attempt without an answer (a timeout, a dropped connection:
 *   OUTCOME_UNKNOWN_CODES) may have reached the provider, and some providers process such a request
 *   late. The next attempt first asks the provider for a message to that number with that body
 *   since the message was queued (`SmsSender.findSent`); if it has one, that is recorded as this
 *   message's hand-over and nothing is sent; if it cannot tell, the attempt is retried later without
 *   sending. Only a provider that cannot be asked at all (a permanent error) gets the message again
 *   unchecked: an alarm SMS that never leaves is worse than one that arrives twice.
 * - A claimed row gets a deadline (`claimed_until`). If the process dies mid-send, the sweeper finds
 *   the row in `sending` past its deadline and returns it to `queued` with error_code
 *   `outcome_unknown`, so it is checked with the provider like a timeout, then sent if it never left.
 * - Alarm SMS are claimed before replies and notices (priority), the more urgent alarm's first (a fire
 *   before a burglary, alarm.urgency), and no more than SMS_RATE_PER_SECOND are handed
 *   to the provider per second by all instances together (a token bucket row in PostgreSQL, drawn
 *   from by the claim itself).
 * - Status only moves forward (`advanceStatus`); every change is emitted on `statusChanges$` once
 *   committed, so escalation can react to a permanent failure at once. Subscribers must not throw.
 */
@Injectable()
export class SmsOutbox implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SmsOutbox.name);
  private readonly changes = new Subject<SmsStatusChange>();
  /** Every committed status change of an outbound message, in this process. */
  readonly statusChanges$: Observable<SmsStatusChange> = this.changes.asObservable();

  /** SMS_RATE_PER_SECOND, and the bucket's size: one second's worth, at least one message. */
  private readonly rate: number;
  private readonly burst: number;
  /** The shared bucket had no whole token left until then (epoch ms): no claim is tried before it. */
  private notBefore = 0;
  /** Transactions that enqueued a message and have not committed yet. */
  private readonly pendingCommit = new WeakSet<QueryRunner>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Provider acceptances waiting to be written together (one UPDATE for many). */
  private acceptedBatch: Array<{ id: string; providerId: string; done: () => void; failed: (e: unknown) => void }> = [];
  private acceptedFlush = false;
  private running = false;
  private drainPass?: Promise<void>;
  /** A kick arrived while a pass was running: run another. */
  private rerun = false;
  /** There may be more due right now (the last claim came back full, or it was put off for room). */
  private backlog = false;
  /** When retries and the rate limit next let something go (epoch ms), earliest first. */
  private wakeTimes: number[] = [];
  private wakeTimer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sender: SmsSender,
    private readonly policy: SendPolicy,
    private readonly config: AppConfig,
    private readonly caps: SmsDailyCaps,
    private readonly metrics: Metrics,
  ) {
    this.rate = config.sms.ratePerSecond;
    this.burst = Math.max(1, this.rate);
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
    this.kick();
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

  /**
   * A delivery report from the provider (Twilio's status callback). Finds the message by the
   * provider's id, or by our id (the callback URL carries it, so a report that overtakes the
   * provider's own answer, or follows a crash, still finds its message). Returns the message it
   * found, with whose it is (for the processing log), and the change, if any.
   */
  async applyProviderStatus(report: { providerId?: string; messageId?: string; status?: string; errorCode?: string }): Promise<ReportedMessage | undefined> {
    const reported = fromTwilioStatus(report.status);
    if (!reported) return undefined;
    type Found = { id: string; status: SmsStatus; customer_id: string | null; contact_id: string | null };
    let [row] = report.providerId
      ? ((await this.dataSource.query(`SELECT id, status, customer_id, contact_id FROM sms_message WHERE provider_id = $1`, [report.providerId])) as Found[])
      : [];
    if (!row && report.messageId && UUID.test(report.messageId)) {
      [row] = (await this.dataSource.query(`SELECT id, status, customer_id, contact_id FROM sms_message WHERE id = $1 AND direction = 'outbound'`, [
        report.messageId,
      ])) as Found[];
    }
    if (!row) return undefined;
    const errorCode = report.errorCode && /^\w{1,40}$/.test(report.errorCode) ? report.errorCode : undefined;
    const change = await this.report(
      row.id,
      reported,
      { providerId: report.providerId, errorCode, sent: reported === 'sent' || reported === 'delivered' },
      row.status,
    );
    return { messageId: row.id, customerId: row.customer_id, contactId: row.contact_id, change };
  }

  /**
   * Marks queued messages to a number refused (it just replied STOP), in the caller's transaction.
   * The caller emits the returned changes after its commit, with `emit`.
   */
  async refuseQueuedTo(phone: string, reason: string, manager: EntityManager): Promise<SmsStatusChange[]> {
    const rows = (await manager.query(
      `WITH u AS (
         UPDATE sms_message SET status = 'refused', refusal_reason = $2, updated_at = now()
          WHERE to_phone = $1 AND direction = 'outbound' AND status = 'queued'
          RETURNING ${CHANGE_COLUMNS})
       SELECT * FROM u`,
      [phone, reason],
    )) as ChangeRow[];
    return rows.map((r) => toChange(r, 'queued', 'refused'));
  }

  /** Publishes changes committed by a caller's transaction. */
  emit(changes: SmsStatusChange[]): void {
    for (const c of changes) this.changes.next(c);
  }

  /** Starts a dispatch pass now (or right after the one running). Cheap to call often. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = true;
    this.drainPass = inBackground(() => this.drain());
  }

  /** Resolves when nothing is being claimed or sent by this instance (tests, benchmarks, shutdown). */
  async idle(): Promise<void> {
    while (this.running || this.inFlight.size > 0) {
      await Promise.allSettled([this.drainPass, ...this.inFlight]);
    }
  }

  /**
   * The safety net, every second: returns sends whose deadline passed to the queue (their outcome is
   * unknown: they are checked with the provider before being sent again, see the class comment),
   * refuses queued messages to numbers that opted out meanwhile (a STOP that committed while they
   * were being enqueued), and dispatches whatever is due and was not kicked here.
   */
  async sweep(): Promise<void> {
    while (this.sweeping) await this.sweeping;
    if (this.stopped) return;
    this.sweeping = this.sweepOnce().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  @Interval('sms-outbox-sweep', 1000)
  sweepTick(): void {
    // A slow sweep (a busy database) is not stacked up behind itself.
    if (!this.sweeping) void this.sweep();
  }

  private async sweepOnce(): Promise<void> {
    try {
      const stuck = (await this.dataSource.query(
        `WITH u AS (
           UPDATE sms_message SET status = 'queued', error_code = 'outcome_unknown', claimed_until = NULL,
                  next_attempt_at = now(), updated_at = now()
            WHERE status = 'sending' AND claimed_until < now()
            RETURNING ${CHANGE_COLUMNS})
         SELECT * FROM u`,
      )) as ChangeRow[];
      for (const row of stuck) {
        this.logger.warn(
          { messageId: row.id, purpose: row.purpose },
          'SMS was being sent when its sender stopped; outcome unknown; will check with the provider before sending again',
        );
        this.changes.next(toChange(row, 'sending', 'queued'));
      }
      const optedOut = (await this.dataSource.query(
        `WITH u AS (
           UPDATE sms_message m SET status = 'refused', refusal_reason = 'opted_out', updated_at = now()
            WHERE m.status = 'queued' AND EXISTS (SELECT 1 FROM sms_opt_out o WHERE o.phone = m.to_phone)
            RETURNING ${CHANGE_COLUMNS.replace(/(\w+)/g, 'm.$1')})
         SELECT * FROM u`,
      )) as ChangeRow[];
      for (const row of optedOut) this.changes.next(toChange(row, 'queued', 'refused'));
      this.kick();
    } catch (e) {
      if (!this.stopped) this.logger.warn({ err: e }, 'SMS outbox sweep failed; next sweep in a second');
    }
  }

  onApplicationBootstrap(): void {
    // Whatever was queued before this process started.
    this.kick();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.sweeping;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    // Let sends in flight finish and record their outcome (bounded by the provider timeout), so a
    // clean shutdown does not leave messages in `sending` to wait out their deadline as "outcome unknown".
    await this.idle();
  }

  private validate(sms: OutboundSms): LegalBasis {
    const invalid = (code: string, message: string) => new DomainError('invalid', code, message);
    if (!SMS_PURPOSES.includes(sms.purpose)) throw invalid('sms_purpose_invalid', `purpose must be one of ${SMS_PURPOSES.join(', ')}`);
    if (typeof sms.to !== 'string' || !E164.test(sms.to)) throw invalid('sms_to_invalid', 'to must be an E.164 phone number such as +46701234567');
    if (typeof sms.body !== 'string' || !sms.body.trim()) throw invalid('sms_body_empty', 'body must not be empty');
    if (sms.body.length > MAX_BODY_LENGTH) throw invalid('sms_body_too_long', `body must be at most ${MAX_BODY_LENGTH} characters`);
    for (const key of ['alarmId', 'customerId', 'contactId', 'inReplyTo', 'operatorId'] as const) {
      const v = sms[key];
      if (v !== undefined && (typeof v !== 'string' || !UUID.test(v))) throw invalid('sms_id_invalid', `${key} must be a UUID`);
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
               $12::int + COALESCE((SELECT urgency FROM alarm WHERE id = $6::uuid), 0), $13, CASE WHEN $11 = 'sent' THEN now() END, $14::uuid)
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
      ],
    );
    return row.id;
  }

  private kickAfterCommit(manager: EntityManager): void {
    const runner = manager.queryRunner;
    if (runner?.isTransactionActive) this.pendingCommit.add(runner);
    else this.kick(); // no transaction: the insert has committed already
  }

  private commitHook(): EntitySubscriberInterface {
    return {
      afterTransactionCommit: (event: TransactionCommitEvent) => {
        // A released savepoint also reports a commit; only the outermost one counts.
        if (event.queryRunner.isTransactionActive || !this.pendingCommit.has(event.queryRunner)) return;
        this.pendingCommit.delete(event.queryRunner);
        this.kick();
      },
      afterTransactionRollback: (event: TransactionRollbackEvent) => {
        if (!event.queryRunner.isTransactionActive) this.pendingCommit.delete(event.queryRunner);
      },
    };
  }

  private async drain(): Promise<void> {
    // Let the caller that kicked finish its turn first (it is usually answering a request).
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      do {
        this.rerun = false;
        await this.claimAndSend();
      } while (this.rerun && !this.stopped);
    } catch (e) {
      if (!this.stopped) this.logger.warn({ err: e }, 'SMS dispatch pass failed; the sweeper retries within a second');
    } finally {
      // Synchronously after the last look at `rerun`: a kick from now on starts a new pass.
      this.running = false;
    }
  }

  private async claimAndSend(): Promise<void> {
    while (!this.stopped) {
      const room = MAX_IN_FLIGHT - this.inFlight.size;
      if (room < LOW_WATER && this.inFlight.size > 0) {
        // Completions kick again; claiming one row at a time would cost a query per message.
        this.backlog = true;
        return;
      }
      // Others only ever take tokens, so "none before notBefore" learned from the bucket still holds.
      const wait = this.notBefore - Date.now();
      if (wait > 0) {
        this.wakeIn(wait);
        return;
      }
      const { rows, tokens } = await this.claim(room);
      const allowed = Math.min(room, Math.floor(tokens));
      this.backlog = rows.length === room;
      if (rows.length === allowed && allowed < room) {
        // The rate limit stopped this claim (there may be more queued): look again at the next whole token.
        const ms = Math.ceil(((1 - (tokens - rows.length)) / this.rate) * 1000);
        this.notBefore = Date.now() + ms;
        this.wakeIn(ms);
      }
      rows.sort((a, b) => b.priority - a.priority);
      for (const row of rows) {
        this.changes.next(toChange({ ...row, provider_id: null, error_code: null }, 'queued', 'sending'));
        this.startSend(row);
      }
      if (!this.backlog) return;
    }
  }

  /**
   * Claims up to `limit` queued messages, and no more than the shared token bucket (sms_send_rate)
   * allows, in one statement: the bucket row is locked, refilled for the time since it was last
   * drawn from (up to the burst), and charged for what was claimed, so instances sharing the
   * database share SMS_RATE_PER_SECOND. `tokens` is what the bucket held before this claim.
   */
  private async claim(limit: number): Promise<{ rows: ClaimedRow[]; tokens: number }> {
    const result = await queryPrepared<ClaimedRow & { bucket_tokens: number }>(
      this.dataSource.manager,
      'sms_claim',
      `WITH b AS (
         SELECT LEAST($3::float8, tokens + GREATEST(0, extract(epoch FROM clock_timestamp() - refilled_at))::float8 * $4::float8) AS tokens,
                clock_timestamp() AS at
           FROM sms_send_rate FOR UPDATE),
       claimed AS (
         UPDATE sms_message m
            SET status = 'sending', attempts = m.attempts + 1,
                claimed_until = now() + make_interval(secs => $2), updated_at = now()
          WHERE m.id IN (
                SELECT id FROM sms_message
                 WHERE status = 'queued' AND next_attempt_at <= now()
                   -- enqueued while a STOP for the number was committing: the sweeper refuses it
                   AND NOT EXISTS (SELECT 1 FROM sms_opt_out o WHERE o.phone = sms_message.to_phone)
                 ORDER BY priority DESC, next_attempt_at, created_at
                 LIMIT LEAST($1::int, COALESCE((SELECT floor(tokens)::int FROM b), 0))
                 FOR UPDATE SKIP LOCKED)
          RETURNING m.id, m.to_phone, m.body, m.purpose, m.priority, m.attempts, m.alarm_id, m.contact_id, m.customer_id,
                    m.error_code, m.created_at),
       u AS (UPDATE sms_send_rate SET tokens = (SELECT tokens FROM b) - (SELECT count(*) FROM claimed), refilled_at = (SELECT at FROM b))
       SELECT b.tokens AS bucket_tokens, c.* FROM b LEFT JOIN claimed c ON true`,
      [limit, SEND_DEADLINE_SECONDS, this.burst, this.rate],
    );
    return {
      rows: result.filter((r) => r.id !== null),
      tokens: result.length ? Number(result[0].bucket_tokens) : 0,
    };
  }

  private startSend(row: ClaimedRow): void {
    const sending: Promise<void> = this.sendOne(row)
      .catch((e: unknown) => this.logger.error({ err: e, messageId: row.id }, 'could not record the outcome of an SMS send'))
      .finally(() => {
        this.inFlight.delete(sending);
        if (this.backlog) this.kick();
      });
    this.inFlight.add(sending);
  }

  private async sendOne(row: ClaimedRow): Promise<void> {
    if (row.error_code && OUTCOME_UNKNOWN_CODES.has(row.error_code)) {
      const previous = await this.previousAttempt(row);
      if (previous === 'retry') return;
      if (previous !== 'send') {
        this.logger.warn(
          { messageId: row.id, purpose: row.purpose, code: row.error_code, attempts: row.attempts },
          'the provider had an SMS whose send went unanswered; recorded as sent, not sent again',
        );
        await this.recordAnswer(row, previous);
        return;
      }
    }
    let result;
    try {
      result = await this.sender.send({ to: row.to_phone, body: row.body, statusCallback: this.statusCallback(row.id) });
    } catch (e) {
      await this.failed(row, asSendError(e));
      return;
    }
    await this.recordAnswer(row, result);
  }

  private async recordAnswer(row: ClaimedRow, result: SmsSendResult): Promise<void> {
    if (advanceStatus('sending', result.status) === 'sent') await this.accepted(row.id, result.providerId);
    else await this.report(row.id, result.status, { providerId: result.providerId, sent: true }, 'sending');
  }

  /**
   * Whether an earlier attempt whose outcome is unknown reached the provider after all. Returns the
   * provider's message if it did, 'send' if it did not, and 'retry' when the provider could not
   * tell: the claim is then returned to the queue (keeping its error code, so the next attempt asks
   * again) and nothing is sent.
   */
  private async previousAttempt(row: ClaimedRow): Promise<SmsSendResult | 'send' | 'retry'> {
    let found: SmsSendResult[];
    try {
      found = await this.sender.findSent({ to: row.to_phone, body: row.body, since: row.created_at });
    } catch (e) {
      const error = asSendError(e);
      if (error.permanent) {
        // Asking will never work (say, an API key allowed to send but not to read messages).
        this.logger.error(
          { messageId: row.id, purpose: row.purpose, code: error.code },
          'cannot ask the provider whether an unanswered SMS was sent; sending it again unchecked',
        );
        return 'send';
      }
      await this.failed(row, error, row.error_code!);
      return 'retry';
    }
    if (!found.length) return 'send';
    // The same text to the same number may be another message of ours (two alarms alike, a minute
    // apart): one the provider holds for another row is not this one.
    const taken = new Set(
      (
        (await this.dataSource.query(`SELECT provider_id FROM sms_message WHERE provider_id = ANY($1::text[]) AND id <> $2`, [
          found.map((f) => f.providerId),
          row.id,
        ])) as Array<{ provider_id: string }>
      ).map((r) => r.provider_id),
    );
    return found.find((f) => !taken.has(f.providerId)) ?? 'send';
  }

  /**
   * The provider accepted a message (sending -> sent, the common case): written with the others
   * accepted in the same turn of the event loop, one UPDATE for all, which is what lets one instance
   * hand over a thousand messages a second. A row that moved meanwhile takes the general path.
   */
  private accepted(id: string, providerId: string): Promise<void> {
    return new Promise<void>((done, failed) => {
      this.acceptedBatch.push({ id, providerId, done, failed });
      if (this.acceptedBatch.length >= 64) this.flushAccepted();
      else if (!this.acceptedFlush) {
        this.acceptedFlush = true;
        setImmediate(() => this.flushAccepted());
      }
    });
  }

  private flushAccepted(): void {
    this.acceptedFlush = false;
    const batch = this.acceptedBatch.splice(0);
    if (!batch.length) return;
    void (async () => {
      let written: ChangeRow[];
      try {
        written = await queryPrepared<ChangeRow>(
          this.dataSource.manager,
          'sms_accepted',
          `WITH v AS (SELECT * FROM unnest($1::uuid[], $2::text[]) AS v(id, provider_id)),
           u AS (
             UPDATE sms_message m
                SET status = 'sent', provider_id = COALESCE(m.provider_id, v.provider_id), sent_at = COALESCE(m.sent_at, now()),
                    claimed_until = NULL, updated_at = now()
               FROM v
              WHERE m.id = v.id AND m.status = 'sending'
              RETURNING ${CHANGE_COLUMNS.replace(/(\w+)/g, 'm.$1')})
           SELECT * FROM u`,
          [batch.map((b) => b.id), batch.map((b) => b.providerId)],
        );
      } catch {
        written = []; // e.g. one provider id clashing: every message on its own below
      }
      const done = new Set(written.map((r) => r.id));
      for (const row of written) this.changes.next(toChange(row, 'sending', 'sent'));
      for (const item of batch) {
        if (done.has(item.id)) item.done();
        else this.report(item.id, 'sent', { providerId: item.providerId, sent: true }).then(() => item.done(), item.failed);
      }
    })();
  }

  /** `code`: what to record (by default the error's own). */
  private async failed(row: ClaimedRow, error: SmsSendError, code = error.code ?? 'unknown'): Promise<void> {
    if (error.permanent || row.attempts >= MAX_SEND_ATTEMPTS) {
      this.logger.warn(
        { messageId: row.id, purpose: row.purpose, code: error.code ?? 'unknown', attempts: row.attempts, permanent: error.permanent },
        'SMS failed',
      );
      await this.report(row.id, 'failed', { errorCode: code }, 'sending');
      return;
    }
    // Twilio's 429 may say how long to wait: sooner would only be refused again.
    const delay = Math.max(retryDelayMs(row.attempts), error.retryAfterMs ?? 0);
    // A step back in a message's life: the dispatcher returns its own claim (same attempt) to the queue.
    const rows = (await this.dataSource.query(
      `WITH u AS (
         UPDATE sms_message SET status = 'queued', claimed_until = NULL, error_code = $3,
                next_attempt_at = now() + make_interval(secs => $4), updated_at = now()
          WHERE id = $1 AND status = 'sending' AND attempts = $2
          RETURNING ${CHANGE_COLUMNS})
       SELECT * FROM u`,
      [row.id, row.attempts, code, delay / 1000],
    )) as ChangeRow[];
    this.logger.warn(
      { messageId: row.id, purpose: row.purpose, code: error.code ?? 'unknown', attempts: row.attempts, retryInMs: delay },
      'SMS send failed; will retry',
    );
    if (rows[0]) this.changes.next(toChange(rows[0], 'sending', 'queued'));
    this.wakeIn(delay);
  }

  /**
   * Applies a reported status with `advanceStatus` (never backwards), as a compare-and-set on the
   * status so concurrent reports (the send's answer racing a callback) cannot overwrite each other.
   */
  private async report(
    id: string,
    reported: SmsStatus,
    patch: { providerId?: string; errorCode?: string; sent?: boolean },
    knownCurrent?: SmsStatus,
  ): Promise<SmsStatusChange | undefined> {
    let current = knownCurrent;
    for (let attempt = 0; attempt < 5; attempt++) {
      if (current === undefined) {
        const [row] = (await this.dataSource.query(`SELECT status FROM sms_message WHERE id = $1`, [id])) as Array<{ status: SmsStatus }>;
        if (!row) {
          // Erased while it was being handed over (its row moved to a new id or went): the provider's
          // copy is all that is left of it, and goes too.
          if (patch.providerId) {
            await queueProcessorDeletionOf(this.dataSource.manager, [patch.providerId]);
            this.logger.warn(
              { messageId: id, reported },
              'the provider took an SMS whose row an erasure had removed meanwhile; its copy there is queued for deletion',
            );
          }
          return undefined;
        }
        current = row.status;
      }
      const next = advanceStatus(current, reported);
      if (next === current) {
        // Nothing changes, but keep the provider's id: later callbacks look the message up by it.
        if (patch.providerId) {
          await this.dataSource.query(`UPDATE sms_message SET provider_id = $2 WHERE id = $1 AND provider_id IS NULL`, [id, patch.providerId]);
        }
        return undefined;
      }
      const rows = (await this.dataSource.query(
        `WITH u AS (
           UPDATE sms_message
              SET status = $3, provider_id = COALESCE(provider_id, $4), error_code = COALESCE($5, error_code),
                  sent_at = CASE WHEN $6::boolean THEN COALESCE(sent_at, now()) ELSE sent_at END,
                  claimed_until = NULL, updated_at = now()
            WHERE id = $1 AND status = $2
            RETURNING ${CHANGE_COLUMNS})
         SELECT * FROM u`,
        [id, current, next, patch.providerId ?? null, patch.errorCode ?? null, !!patch.sent && next !== 'failed' && next !== 'undelivered'],
      )) as ChangeRow[];
      if (rows[0]) {
        const change = toChange(rows[0], current, next);
        this.changes.next(change);
        return change;
      }
      current = undefined; // someone else moved it meanwhile: look again
    }
    this.logger.warn({ messageId: id, reported }, 'status report lost a race five times; dropped');
    return undefined;
  }

  private statusCallback(id: string): string | undefined {
    // Our id in the URL lets a callback find its message even before the provider's id is stored.
    return this.sender.delivers ? `${this.config.publicBaseUrl}/webhooks/twilio/status?messageId=${id}` : undefined;
  }

  /** Kicks again in `ms` (a retry falls due, the rate limit lets the next one go). */
  private wakeIn(ms: number): void {
    if (this.stopped) return;
    // 50 ms steps (rounded up, so the row is due when we look): a burst of 429s makes one timer, not thousands.
    const at = Math.ceil((Date.now() + ms + 5) / 50) * 50;
    if (this.wakeTimes.includes(at)) return;
    this.wakeTimes.push(at);
    this.wakeTimes.sort((x, y) => x - y);
    this.armWake();
  }

  private armWake(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    const next = this.wakeTimes[0];
    if (next === undefined || this.stopped) return;
    this.wakeTimer = setTimeout(
      () => {
        const now = Date.now();
        this.wakeTimes = this.wakeTimes.filter((t) => t > now);
        this.kick();
        this.armWake();
      },
      Math.max(1, next - Date.now()),
    );
    this.wakeTimer.unref();
  }
}

interface ChangeRow {
  id: string;
  purpose: SmsPurpose;
  alarm_id: string | null;
  contact_id: string | null;
  customer_id: string | null;
  provider_id: string | null;
  error_code: string | null;
}

function asSendError(e: unknown): SmsSendError {
  return e instanceof SmsSendError ? e : new SmsSendError(`sender failed: ${(e as Error)?.message}`, { permanent: false, code: 'sender_error' });
}

function toChange(row: ChangeRow, previous: SmsStatus, status: SmsStatus): SmsStatusChange {
  return {
    messageId: row.id,
    purpose: row.purpose,
    previous,
    status,
    alarmId: row.alarm_id,
    contactId: row.contact_id,
    customerId: row.customer_id,
    providerId: row.provider_id,
    errorCode: row.error_code,
    at: new Date(),
  };
}

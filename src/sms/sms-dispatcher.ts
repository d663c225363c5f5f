import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import { DrainRunner } from '../common/drain-runner.js';
import { AppConfig } from '../config/app-config.js';
import { queryPrepared } from '../database/prepared-sql.js';
import { rows } from '../database/rows.js';
import { MAX_SEND_ATTEMPTS, retryDelayMs } from './send-rate.js';
import { CHANGE_COLUMNS, SmsDeliveryStatus, type ChangeRow } from './sms-delivery-status.js';
import { OUTCOME_UNKNOWN_CODES, SmsSendError, SmsSender, type SmsSendResult } from './sms-sender.js';
import { advanceStatus } from './sms-status.js';
import type { SmsPurpose } from './sms.types.js';

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
export const SEND_DEADLINE_SECONDS = 60;

/**
 * Hands committed messages to the provider:
 * - a claim is `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)`, so instances sharing
 *   the database never claim the same row; a claimed row gets a deadline (`claimed_until`) that the
 *   sweeper (SmsSweeper) enforces when a process dies mid-send;
 * - alarm SMS are claimed before replies and notices (priority), the more urgent alarm's first (a
 *   fire before a burglary, alarm.urgency), and no more than SMS_RATE_PER_SECOND are handed to the
 *   provider per second by all instances together (a token bucket row in PostgreSQL, drawn from by
 *   the claim itself);
 * - temporary failures (429, 5xx, timeouts, network) are retried with exponential backoff up to
 *   MAX_SEND_ATTEMPTS; permanent ones are failed at once;
 * - never sent twice blindly. An attempt without an answer (a timeout, a dropped connection:
 *   OUTCOME_UNKNOWN_CODES) may have reached the provider, and some providers process such a request
 *   late. The next attempt first asks the provider for a message to that number with that body
 *   since the message was queued (`SmsSender.findSent`); if it has one, that is recorded as this
 *   message's hand-over and nothing is sent; if it cannot tell, the attempt is retried later without
 *   sending. Only a provider that cannot be asked at all (a permanent error) gets the message again
 *   unchecked: an alarm SMS that never leaves is worse than one that arrives twice.
 *
 * When to look again (a retry falling due, the rate limit's next token) is measured on the process's
 * monotonic timer, like the timers that wait for it: the due times themselves are PostgreSQL's
 * (`next_attempt_at <= now()`, the bucket's refill), never the app's Clock, which tests move.
 */
@Injectable()
export class SmsDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SmsDispatcher.name);
  private readonly runner = new DrainRunner({
    pass: () => this.claimAndSend(),
    onError: (e) => this.logger.warn({ err: e }, 'SMS dispatch pass failed; the sweeper retries within a second'),
    // The caller that kicked is usually answering a request or committing its transaction.
    yieldFirst: true,
  });
  /** SMS_RATE_PER_SECOND, and the bucket's size: one second's worth, at least one message. */
  private readonly rate: number;
  private readonly burst: number;
  /** The shared bucket had no whole token left until then (monotonic ms): no claim is tried before it. */
  private notBefore = 0;
  private readonly inFlight = new Set<Promise<void>>();
  /** There may be more due right now (the last claim came back full, or it was put off for room). */
  private backlog = false;
  /** When retries and the rate limit next let something go (monotonic ms), earliest first. */
  private wakeTimes: number[] = [];
  private wakeTimer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sender: SmsSender,
    private readonly status: SmsDeliveryStatus,
    private readonly config: AppConfig,
  ) {
    this.rate = config.sms.ratePerSecond;
    this.burst = Math.max(1, this.rate);
  }

  /** Starts a dispatch pass now (or right after the one running). Cheap to call often. */
  kick(): void {
    this.runner.kick();
  }

  /** Resolves when nothing is being claimed or sent by this instance (tests, benchmarks, shutdown). */
  async idle(): Promise<void> {
    while (this.runner.busy || this.inFlight.size > 0) {
      await Promise.allSettled([this.runner.idle(), ...this.inFlight]);
    }
  }

  onApplicationBootstrap(): void {
    // Whatever was queued before this process started.
    this.kick();
  }

  async onModuleDestroy(): Promise<void> {
    await this.runner.stop();
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    // Let sends in flight finish and record their outcome (bounded by the provider timeout), so a
    // clean shutdown does not leave messages in `sending` to wait out their deadline as "outcome unknown".
    await this.idle();
  }

  private async claimAndSend(): Promise<void> {
    while (!this.runner.stopped) {
      const room = MAX_IN_FLIGHT - this.inFlight.size;
      if (room < LOW_WATER && this.inFlight.size > 0) {
        // Completions kick again; claiming one row at a time would cost a query per message.
        this.backlog = true;
        return;
      }
      // Others only ever take tokens, so "none before notBefore" learned from the bucket still holds.
      const wait = this.notBefore - performance.now();
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
        this.notBefore = performance.now() + ms;
        this.wakeIn(ms);
      }
      rows.sort((a, b) => b.priority - a.priority);
      for (const row of rows) {
        this.status.emitRows([{ ...row, provider_id: null, error_code: null }], 'queued', 'sending');
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
    if (advanceStatus('sending', result.status) === 'sent') await this.status.accepted(row.id, result.providerId);
    else await this.status.report(row.id, result.status, { providerId: result.providerId, sent: true }, 'sending');
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
        await rows<{ provider_id: string }>(this.dataSource, `SELECT provider_id FROM sms_message WHERE provider_id = ANY($1::text[]) AND id <> $2`, [
          found.map((f) => f.providerId),
          row.id,
        ])
      ).map((r) => r.provider_id),
    );
    return found.find((f) => !taken.has(f.providerId)) ?? 'send';
  }

  /** `code`: what to record (by default the error's own). */
  private async failed(row: ClaimedRow, error: SmsSendError, code = error.code ?? 'unknown'): Promise<void> {
    if (error.permanent || row.attempts >= MAX_SEND_ATTEMPTS) {
      this.logger.warn(
        { messageId: row.id, purpose: row.purpose, code: error.code ?? 'unknown', attempts: row.attempts, permanent: error.permanent },
        'SMS failed',
      );
      await this.status.report(row.id, 'failed', { errorCode: code }, 'sending');
      return;
    }
    // Twilio's 429 may say how long to wait: sooner would only be refused again.
    const delay = Math.max(retryDelayMs(row.attempts), error.retryAfterMs ?? 0);
    // A step back in a message's life: the dispatcher returns its own claim (same attempt) to the queue.
    const requeued = await rows<ChangeRow>(
      this.dataSource,
      `WITH u AS (
         UPDATE sms_message SET status = 'queued', claimed_until = NULL, error_code = $3,
                next_attempt_at = now() + make_interval(secs => $4), updated_at = now()
          WHERE id = $1 AND status = 'sending' AND attempts = $2
          RETURNING ${CHANGE_COLUMNS})
       SELECT * FROM u`,
      [row.id, row.attempts, code, delay / 1000],
    );
    this.logger.warn(
      { messageId: row.id, purpose: row.purpose, code: error.code ?? 'unknown', attempts: row.attempts, retryInMs: delay },
      'SMS send failed; will retry',
    );
    this.status.emitRows(requeued, 'sending', 'queued');
    this.wakeIn(delay);
  }

  private statusCallback(id: string): string | undefined {
    // Our id in the URL lets a callback find its message even before the provider's id is stored.
    return this.sender.delivers ? `${this.config.publicBaseUrl}/webhooks/twilio/status?messageId=${id}` : undefined;
  }

  /** Kicks again in `ms` (a retry falls due, the rate limit lets the next one go). */
  private wakeIn(ms: number): void {
    if (this.runner.stopped) return;
    // 50 ms steps (rounded up, so the row is due when we look): a burst of 429s makes one timer, not thousands.
    const at = Math.ceil((performance.now() + ms + 5) / 50) * 50;
    if (this.wakeTimes.includes(at)) return;
    this.wakeTimes.push(at);
    this.wakeTimes.sort((x, y) => x - y);
    this.armWake();
  }

  private armWake(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    const next = this.wakeTimes[0];
    if (next === undefined || this.runner.stopped) return;
    this.wakeTimer = setTimeout(
      () => {
        const now = performance.now();
        this.wakeTimes = this.wakeTimes.filter((t) => t > now);
        this.kick();
        this.armWake();
      },
      Math.max(1, next - performance.now()),
    );
    this.wakeTimer.unref();
  }
}

function asSendError(e: unknown): SmsSendError {
  return e instanceof SmsSendError ? e : new SmsSendError(`sender failed: ${(e as Error)?.message}`, { permanent: false, code: 'sender_error' });
}

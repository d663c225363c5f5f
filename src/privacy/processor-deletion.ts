import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import type { DataSource, EntityManager } from 'typeorm';
import { DrainRunner } from '../common/drain-runner.js';
import { Metrics } from '../metrics/metrics.js';
import { rows } from '../database/rows.js';
import { OUTBOX_PROVIDER_ID_PREFIX } from '../sms/adapters/outbox-sms-sender.js';
import { SmsSendError, SmsSender } from '../sms/sms-sender.js';
import { ProcessingLog } from './processing-log.service.js';
import { Processing, type ProcessingDeclaration } from './processing.decorator.js';
import { ERASED_PHONE } from './retention-policy.js';

/** The only SMS processor whose copies can be deleted; the outbox's own ids name no processor's copy. */
const PROVIDER = 'twilio';
/** Deletions claimed per query; each is one API call, made one after another. */
const BATCH = 50;
/** How long a claimed deletion is left to its claimer: after a crash it is due again then. */
const CLAIM_SECONDS = 300;
/** Backoff after a failure: doubling from the first, up to the last; Twilio asks for minutes when a message is not complete yet. */
const FIRST_RETRY_SECONDS = 30;
const NOT_COMPLETE_RETRY_SECONDS = 120;
const MAX_RETRY_SECONDS = 6 * 3600;
/** A deletion still pending this long after it was requested is worth a warning at every sweep. */
const OVERDUE_HOURS = 24;

export const PROCESSOR_DELETION: ProcessingDeclaration = {
  operation: 'privacy.processor.sms_deletion',
  purpose: "Delete the SMS provider's copy of the messages of an erased data subject, and of alarm history at the end of its retention period",
  legalBasis: 'legal_obligation',
  legalBasisNote: 'Art. 17 erasure and Art. 5(1)(e) storage limitation reach the copies a processor holds (Art. 28(3)(g))',
  dataSubjects: ['customers', 'alarm contacts', 'anyone texting the alarm-central number'],
  dataCategories: ["the provider's message id (nothing else is kept while the deletion is pending)"],
  recipients: ['twilio'],
  retention: 'until the provider confirms the deletion',
};

/**
 * Queues, in the caller's transaction, the deletion at the provider of every SMS matching `where`
 * (a condition on sms_message): to be called before those rows lose their provider id or are
 * deleted, so the ids survive a crash. Messages that never reached a processor are left out.
 * Returns how many were queued.
 */
export async function queueProcessorDeletions(m: EntityManager, where: string, params: unknown[]): Promise<number> {
  const p = params.length + 1;
  const counted = await rows<{ n: number }>(
    m,
    `WITH q AS (
       INSERT INTO processor_deletion (provider, message_sid)
       SELECT DISTINCT $${p}::text, provider_id FROM sms_message
        WHERE (${where}) AND provider_id IS NOT NULL AND provider_id NOT LIKE $${p + 1}
       ON CONFLICT DO NOTHING RETURNING 1)
     SELECT count(*)::int AS n FROM q`,
    [...params, PROVIDER, `${OUTBOX_PROVIDER_ID_PREFIX}%`],
  );
  return counted[0].n;
}

/**
 * Queues the deletion of messages known only by the provider's id: the provider's answer for a send
 * came after an erasure had removed or moved its row, so nothing of ours names the message any more.
 */
export async function queueProcessorDeletionOf(m: EntityManager, providerIds: string[]): Promise<void> {
  await m.query(
    `INSERT INTO processor_deletion (provider, message_sid)
     SELECT $1, sid FROM unnest($2::text[]) AS sid WHERE sid NOT LIKE $3
     ON CONFLICT DO NOTHING`,
    [PROVIDER, providerIds, `${OUTBOX_PROVIDER_ID_PREFIX}%`],
  );
}

interface Due {
  provider: string;
  message_sid: string;
  attempts: number;
}

/**
 * Drains processor_deletion: deletes each queued message at the provider (SmsSender.deleteMessage)
 * and drops the row once the provider confirms, or says the message is gone. Kicked after an
 * erasure commits; a sweep every 30 s retries failures after their backoff and picks up what
 * another instance or a crash left. A claim moves the row's next attempt past CLAIM_SECONDS, so two
 * instances never delete the same message at once, and one pass at a time runs per instance.
 * Without a provider that delivers (the outbox adapter) nothing is drained: the queued copies are
 * at a provider this instance cannot reach, and stay pending until it can.
 */
@Injectable()
export class ProcessorDeletions implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ProcessorDeletions.name);
  private readonly pending: Gauge;
  private readonly runner = new DrainRunner({
    pass: () => this.deleteDue(),
    onError: (e) => this.logger.warn({ err: e }, 'processor deletion pass failed; the sweep retries'),
    // Let the erasure's caller get its answer first.
    yieldFirst: true,
  });

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly sender: SmsSender,
    private readonly log: ProcessingLog,
    metrics: Metrics,
  ) {
    this.pending = new Gauge({
      name: 'keyholder_processor_deletions_pending',
      help: 'Messages whose copy at the SMS provider an erasure or the retention period asked to delete, not deleted yet (set at each sweep)',
      registers: [metrics.registry],
    });
  }

  /** Starts a pass now (or another after the running one). Never throws. */
  kick(): void {
    if (this.sender.delivers) this.runner.kick();
  }

  /** Resolves when this instance has no pass running (tests, shutdown). */
  idle(): Promise<void> {
    return this.runner.idle();
  }

  /**
   * Queues the copies of messages that were being handed to the provider while their person was
   * erased (the erasure blanks such a row and leaves it to the send; the provider's id arrives after),
   * retries what is due, and refreshes the metric; warns about deletions that do not go through.
   */
  async sweep(): Promise<void> {
    if (this.runner.stopped) return;
    await this.db.query(
      `WITH u AS (
         UPDATE sms_message s SET provider_id = NULL
           FROM (SELECT id, provider_id FROM sms_message
                  WHERE to_phone = '${ERASED_PHONE}' AND provider_id IS NOT NULL AND status <> 'sending' FOR UPDATE) o
          WHERE s.id = o.id
          RETURNING o.provider_id)
       INSERT INTO processor_deletion (provider, message_sid)
       SELECT $1, provider_id FROM u WHERE provider_id NOT LIKE $2
       ON CONFLICT DO NOTHING`,
      [PROVIDER, `${OUTBOX_PROVIDER_ID_PREFIX}%`],
    );
    this.kick();
    await this.idle();
    if (this.runner.stopped) return;
    const [row] = await rows<{ pending: number; overdue: number; attempts: number | null }>(
      this.db,
      `SELECT count(*)::int AS pending, count(*) FILTER (WHERE requested_at < now() - make_interval(hours => $1))::int AS overdue,
              max(attempts)::int AS attempts
         FROM processor_deletion`,
      [OVERDUE_HOURS],
    );
    this.pending.set(row.pending);
    if (row.overdue) {
      this.logger.warn(
        { overdue: row.overdue, pending: row.pending, attempts: row.attempts, delivers: this.sender.delivers },
        `SMS copies at the provider not deleted ${OVERDUE_HOURS} h after an erasure asked for it; see processor_deletion.last_error`,
      );
    }
  }

  @Interval('processor-deletion-sweep', 30_000)
  sweepTick(): void {
    void this.sweep().catch((e: unknown) => {
      if (!this.runner.stopped) this.logger.warn({ err: e }, 'processor deletion sweep failed; next sweep in 30 s');
    });
  }

  onApplicationBootstrap(): void {
    // Whatever was queued before this process started (a crash right after an erasure committed).
    this.kick();
  }

  async onModuleDestroy(): Promise<void> {
    await this.runner.stop();
  }

  /** Deletes what is due, a claimed batch at a time, until a claim comes back short. */
  private async deleteDue(): Promise<void> {
    let claimed: Due[];
    do {
      claimed = await this.claim();
      if (claimed.length) await this.deleteAll(claimed);
    } while (claimed.length === BATCH && !this.runner.stopped);
  }

  private async claim(): Promise<Due[]> {
    return rows<Due>(
      this.db,
      `WITH c AS (
         UPDATE processor_deletion d SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $3)
          WHERE (d.provider, d.message_sid) IN (
                SELECT provider, message_sid FROM processor_deletion
                 WHERE provider = $1 AND next_attempt_at <= now()
                 ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
          RETURNING d.provider, d.message_sid, d.attempts)
       SELECT * FROM c`,
      [PROVIDER, BATCH, CLAIM_SECONDS],
    );
  }

  @Processing(PROCESSOR_DELETION)
  private async deleteAll(claimed: Due[]): Promise<void> {
    let deleted = 0;
    for (const due of claimed) {
      if (this.runner.stopped) break; // the claim runs out and the next sweep (of any instance) takes them
      try {
        await this.sender.deleteMessage(due.message_sid);
        await this.db.query(`DELETE FROM processor_deletion WHERE provider = $1 AND message_sid = $2`, [due.provider, due.message_sid]);
        deleted++;
      } catch (e) {
        await this.failed(due, e);
      }
    }
    // Whose messages these were is not known any more (only the provider's ids are): the entry shows the job ran and what it did.
    const { operation, legalBasis, purpose } = PROCESSOR_DELETION;
    await this.log.record({
      actor: { type: 'system', id: 'processor-deletion' },
      operation,
      legalBasis,
      purpose,
      subjectIds: [],
      outcome: deleted === claimed.length ? 'success' : 'error',
    });
  }

  private async failed(due: Due, e: unknown): Promise<void> {
    const error = e instanceof SmsSendError ? e : new SmsSendError(`sender failed: ${(e as Error)?.message}`, { permanent: false, code: 'sender_error' });
    const first = error.code === '20009' ? NOT_COMPLETE_RETRY_SECONDS : FIRST_RETRY_SECONDS;
    const delay = Math.min(MAX_RETRY_SECONDS, Math.max(first * 2 ** (due.attempts - 1), (error.retryAfterMs ?? 0) / 1000));
    await this.db.query(
      `UPDATE processor_deletion SET last_error = $3, next_attempt_at = now() + make_interval(secs => $4) WHERE provider = $1 AND message_sid = $2`,
      [due.provider, due.message_sid, `${error.code ?? 'unknown'}: ${error.message}`.slice(0, 200), delay],
    );
    // A permanent error (bad credentials, a key not allowed to delete) needs a person; it is still
    // retried, slowly: dropping the row would leave the copy at the provider for good.
    const level = error.permanent ? 'error' : 'warn';
    this.logger[level](
      { code: error.code, status: error.status, attempts: due.attempts, retryInSeconds: delay },
      'could not delete an SMS at the provider; will retry',
    );
  }
}

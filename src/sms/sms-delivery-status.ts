import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Observable, Subject } from 'rxjs';
import type { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { queueProcessorDeletionOf } from '../privacy/processor-deletion.js';
import { queryPrepared } from '../database/prepared-sql.js';
import { firstRow, rows } from '../database/rows.js';
import { advanceStatus, fromTwilioStatus } from './sms-status.js';
import { type SmsPurpose, type SmsStatus } from './sms.types.js';
import { isUuid } from '../common/uuid.js';

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

/** What a status change statement returns (`RETURNING ${CHANGE_COLUMNS}`), to build an SmsStatusChange from. */
export interface ChangeRow {
  id: string;
  purpose: SmsPurpose;
  alarm_id: string | null;
  contact_id: string | null;
  customer_id: string | null;
  provider_id: string | null;
  error_code: string | null;
}

export const CHANGE_COLUMNS = 'id, purpose, alarm_id, contact_id, customer_id, provider_id, error_code';

/** A reported status and what comes with it. `sent`: the provider took the message (sets sent_at once). */
interface StatusPatch {
  providerId?: string;
  errorCode?: string;
  sent?: boolean;
}

/** Provider acceptances written together in one UPDATE, at most this many at once. */
const ACCEPTED_BATCH = 64;

/**
 * Where an outbound message's status moves, and who hears of it:
 * - status only moves forward (`advanceStatus`), as a compare-and-set on the status, so the send's
 *   own answer racing the provider's callback cannot overwrite one another;
 * - every committed change is emitted on `statusChanges$`, so escalation reacts to a permanent
 *   failure at once and contact notices to an undelivered one. Subscribers must not throw;
 * - the provider's delivery reports (Twilio's status callback) come in here, as do the dispatcher's
 *   answers from the provider and the opt-out's refusals of what is still queued.
 */
@Injectable()
export class SmsDeliveryStatus {
  private readonly logger = new Logger(SmsDeliveryStatus.name);
  private readonly changes = new Subject<SmsStatusChange>();
  /** Every committed status change of an outbound message, in this process. */
  readonly statusChanges$: Observable<SmsStatusChange> = this.changes.asObservable();
  private acceptedBatch: Array<{ id: string; providerId: string; done: () => void; failed: (e: unknown) => void }> = [];
  private acceptedFlush = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

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
      ? await rows<Found>(this.dataSource, `SELECT id, status, customer_id, contact_id FROM sms_message WHERE provider_id = $1`, [report.providerId])
      : [];
    if (!row && isUuid(report.messageId)) {
      [row] = await rows<Found>(this.dataSource, `SELECT id, status, customer_id, contact_id FROM sms_message WHERE id = $1 AND direction = 'outbound'`, [
        report.messageId,
      ]);
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
    const refused = await rows<ChangeRow>(
      manager,
      `WITH u AS (
         UPDATE sms_message SET status = 'refused', refusal_reason = $2, updated_at = now()
          WHERE to_phone = $1 AND direction = 'outbound' AND status = 'queued'
          RETURNING ${CHANGE_COLUMNS})
       SELECT * FROM u`,
      [phone, reason],
    );
    return refused.map((r) => this.change(r, 'queued', 'refused'));
  }

  /** Publishes changes committed by a caller's transaction. */
  emit(changes: SmsStatusChange[]): void {
    for (const c of changes) this.changes.next(c);
  }

  /** Publishes the committed changes of rows a statement moved from `previous` to `status`. */
  emitRows(rows: ChangeRow[], previous: SmsStatus, status: SmsStatus): void {
    for (const row of rows) this.changes.next(this.change(row, previous, status));
  }

  /**
   * The provider accepted a message (sending -> sent, the common case): written with the others
   * accepted in the same turn of the event loop, one UPDATE for all, which is what lets one instance
   * hand over a thousand messages a second. A row that moved meanwhile takes the general path.
   */
  accepted(id: string, providerId: string): Promise<void> {
    return new Promise<void>((done, failed) => {
      this.acceptedBatch.push({ id, providerId, done, failed });
      if (this.acceptedBatch.length >= ACCEPTED_BATCH) this.flushAccepted();
      else if (!this.acceptedFlush) {
        this.acceptedFlush = true;
        setImmediate(() => this.flushAccepted());
      }
    });
  }

  /**
   * Applies a reported status with `advanceStatus` (never backwards), as a compare-and-set on the
   * status so concurrent reports (the send's answer racing a callback) cannot overwrite each other.
   * `knownCurrent` saves reading the status first when the caller knows it.
   */
  async report(id: string, reported: SmsStatus, patch: StatusPatch, knownCurrent?: SmsStatus): Promise<SmsStatusChange | undefined> {
    let current = knownCurrent;
    for (let attempt = 0; attempt < 5; attempt++) {
      if (current === undefined) {
        const row = await firstRow<{ status: SmsStatus }>(this.dataSource, `SELECT status FROM sms_message WHERE id = $1`, [id]);
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
      const changed = await rows<ChangeRow>(
        this.dataSource,
        `WITH u AS (
           UPDATE sms_message
              SET status = $3, provider_id = COALESCE(provider_id, $4), error_code = COALESCE($5, error_code),
                  sent_at = CASE WHEN $6::boolean THEN COALESCE(sent_at, $7::timestamptz) ELSE sent_at END,
                  claimed_until = NULL, updated_at = now()
            WHERE id = $1 AND status = $2
            RETURNING ${CHANGE_COLUMNS})
         SELECT * FROM u`,
        [id, current, next, patch.providerId ?? null, patch.errorCode ?? null, !!patch.sent && next !== 'failed' && next !== 'undelivered', this.clock.now()],
      );
      if (changed[0]) {
        const change = this.change(changed[0], current, next);
        this.changes.next(change);
        return change;
      }
      current = undefined; // someone else moved it meanwhile: look again
    }
    this.logger.warn({ messageId: id, reported }, 'status report lost a race five times; dropped');
    return undefined;
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
          // sent_at by the app's Clock, like every hand-over time: an alarm step's wait runs from it.
          `WITH v AS (SELECT * FROM unnest($1::uuid[], $2::text[]) AS v(id, provider_id)),
           u AS (
             UPDATE sms_message m
                SET status = 'sent', provider_id = COALESCE(m.provider_id, v.provider_id), sent_at = COALESCE(m.sent_at, $3::timestamptz),
                    claimed_until = NULL, updated_at = now()
               FROM v
              WHERE m.id = v.id AND m.status = 'sending'
              RETURNING ${CHANGE_COLUMNS.replace(/(\w+)/g, 'm.$1')})
           SELECT * FROM u`,
          [batch.map((b) => b.id), batch.map((b) => b.providerId), this.clock.now()],
        );
      } catch {
        written = []; // e.g. one provider id clashing: every message on its own below
      }
      const done = new Set(written.map((r) => r.id));
      this.emitRows(written, 'sending', 'sent');
      for (const item of batch) {
        if (done.has(item.id)) item.done();
        else this.report(item.id, 'sent', { providerId: item.providerId, sent: true }).then(() => item.done(), item.failed);
      }
    })();
  }

  private change(row: ChangeRow, previous: SmsStatus, status: SmsStatus): SmsStatusChange {
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
      at: this.clock.now(),
    };
  }
}

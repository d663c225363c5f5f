import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { changedRows, execute } from '../database/rows.js';
import { ErasureRecordsRepository } from './erasure-records.repository.js';
import { PrivacyRequestsRepository } from './privacy-requests.repository.js';
import { ProcessingLog } from './processing-log.service.js';
import { Processing, type ProcessingDeclaration } from './processing.decorator.js';
import { recordRetentionRun } from './retention.js';
import { cutoffs } from './retention-policy.js';
import {
  RETENTION_DISABLED_OPERATORS,
  RETENTION_ERASURE_RECORDS,
  RETENTION_PRIVACY_REQUESTS,
  RETENTION_EXPIRED_SESSIONS,
  RETENTION_PANEL_SILENCES,
  RETENTION_REPLY_CODES,
  RETENTION_UNKNOWN_SENDERS,
} from './retention-tables.processing.js';

/**
 * The nightly retention of the tables besides the customer records and the alarm history (those are
 * RetentionJobs): operator accounts, the erasure record, panel silences, unknown senders' texts,
 * reply codes, and expired sessions and counters. Each takes `now`, so a test runs it on a fixed clock;
 * each writes a processing-log entry, also when there was nothing to do, so the log shows it ran.
 */
@Injectable()
export class TableRetentionJobs {
  private readonly logger = new Logger(TableRetentionJobs.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly log: ProcessingLog,
    private readonly erasureRecords: ErasureRecordsRepository,
    private readonly privacyRequests: PrivacyRequestsRepository,
  ) {}

  /**
   * Disabled operators after their period: name, email and password hash replaced, sessions gone. The
   * row and its id stay: alarms name their handler and the processing log its actor by that id, and
   * both must keep saying "an operator did this" (now an erased one) rather than point at nothing. A
   * disabled admin is erased only while an enabled admin remains, so the central keeps an admin.
   */
  @Cron('0 50 3 * * *', { name: 'retention-disabled-operators' })
  @Processing(RETENTION_DISABLED_OPERATORS)
  async eraseDisabledOperators(now = new Date()): Promise<{ operators: string[] }> {
    const ids = await this.db.transaction(async (m) => {
      const rows = await changedRows<{ id: string }>(
        m,
        `UPDATE operator o SET name = 'erased operator', email = 'erased-' || o.id || '@erased.invalid', password_hash = '',
                last_login_at = NULL, erased_at = $2, updated_at = now()
          WHERE o.disabled_at < $1 AND o.erased_at IS NULL
            AND (o.role <> 'admin' OR EXISTS (
                  SELECT 1 FROM operator a WHERE a.role = 'admin' AND a.disabled_at IS NULL AND a.erased_at IS NULL AND a.id <> o.id))
          RETURNING o.id`,
        [cutoffs(now).disabledOperators, now],
      );
      const erased = rows.map((r) => r.id);
      if (erased.length) await execute(m, `DELETE FROM operator_session WHERE operator_id = ANY($1::uuid[])`, [erased]);
      return erased;
    });
    await this.record(RETENTION_DISABLED_OPERATORS, ids);
    if (ids.length) this.logger.log({ operators: ids.length }, 'retention: disabled operators erased');
    return { operators: ids };
  }

  /**
   * Erasure records after their period. The log entry names no subject: listing the erased ids
   * again would only make the processing log the link the deleted record was.
   */
  @Cron('0 52 3 * * *', { name: 'retention-erasure-records' })
  @Processing(RETENTION_ERASURE_RECORDS)
  async deleteErasureRecords(now = new Date()): Promise<{ records: number }> {
    const records = await this.erasureRecords.deleteBefore(cutoffs(now).erasureRecords);
    await this.record(RETENTION_ERASURE_RECORDS, []);
    return { records };
  }

  /** Data-subject requests closed longer ago than their period; open ones stay, however old. */
  @Cron('0 53 3 * * *', { name: 'retention-privacy-requests' })
  @Processing(RETENTION_PRIVACY_REQUESTS)
  async deletePrivacyRequests(now = new Date()): Promise<{ requests: number }> {
    const subjects = await this.privacyRequests.deleteClosedBefore(cutoffs(now).privacyRequests);
    await this.record(RETENTION_PRIVACY_REQUESTS, [...new Set(subjects)]);
    return { requests: subjects.length };
  }

  /** Panel silences after their period, once the panel has been heard from since (or is gone). */
  @Cron('0 54 3 * * *', { name: 'retention-panel-silences' })
  @Processing(RETENTION_PANEL_SILENCES)
  async deletePanelSilences(now = new Date()): Promise<{ silences: number }> {
    const rows = await changedRows<{ customer_id: string | null }>(
      this.db,
      `DELETE FROM panel_silence s
        WHERE s.detected_at < $1
          AND NOT EXISTS (SELECT 1 FROM panel p WHERE p.id = s.panel_id AND p.last_seen_at = s.last_seen_at)
        RETURNING (SELECT p.customer_id FROM panel p WHERE p.id = s.panel_id) AS customer_id`,
      [cutoffs(now).panelSilences],
    );
    await this.record(RETENTION_PANEL_SILENCES, [...new Set(rows.flatMap((r) => (r.customer_id ? [r.customer_id] : [])))]);
    return { silences: rows.length };
  }

  /**
   * Texts from numbers nobody on file holds, and the answers to them, after their period. Such a row
   * carries no customer, contact or alarm, and its other party's number is no customer's or
   * contact's (a help text from a customer's phone is stored without ids too, and is theirs). A
   * message still queued or sending waits for its outcome.
   */
  @Cron('0 56 3 * * *', { name: 'retention-unknown-senders' })
  @Processing(RETENTION_UNKNOWN_SENDERS)
  async deleteUnknownSenders(now = new Date()): Promise<{ messages: number }> {
    const rows = await changedRows(
      this.db,
      `DELETE FROM sms_message s
        WHERE s.customer_id IS NULL AND s.contact_id IS NULL AND s.alarm_id IS NULL
          AND s.created_at < $1 AND s.status NOT IN ('queued', 'sending')
          AND NOT EXISTS (SELECT 1 FROM customer c WHERE c.phone = CASE WHEN s.direction = 'inbound' THEN s.from_phone ELSE s.to_phone END)
          AND NOT EXISTS (SELECT 1 FROM contact k WHERE k.phone = CASE WHEN s.direction = 'inbound' THEN s.from_phone ELSE s.to_phone END)
        RETURNING 1`,
      [cutoffs(now).unknownSenders],
    );
    await this.record(RETENTION_UNKNOWN_SENDERS, []);
    return { messages: rows.length };
  }

  /** Reply codes after their period, once no longer active (their alarm closed). */
  @Cron('0 58 3 * * *', { name: 'retention-reply-codes' })
  @Processing(RETENTION_REPLY_CODES)
  async deleteReplyCodes(now = new Date()): Promise<{ codes: number }> {
    const rows = await changedRows<{ customer_id: string; contact_id: string | null }>(
      this.db,
      `DELETE FROM reply_code WHERE NOT active AND created_at < $1 RETURNING customer_id, contact_id`,
      [cutoffs(now).replyCodes],
    );
    const subjects = new Set<string>();
    for (const r of rows) {
      subjects.add(r.customer_id);
      if (r.contact_id) subjects.add(r.contact_id);
    }
    await this.record(RETENTION_REPLY_CODES, [...subjects]);
    return { codes: rows.length };
  }

  /**
   * Expired sessions and counters. Each is also cleared as it is used (a login, the next wrong code);
   * this catches what nobody touched again.
   */
  @Cron('0 0 4 * * *', { name: 'retention-expired-sessions-and-counters' })
  @Processing(RETENTION_EXPIRED_SESSIONS)
  async deleteExpiredSessionsAndCounters(now = new Date()): Promise<{ sessions: number; loginFailures: number; replyCodeGuesses: number }> {
    const sessions = await changedRows<{ operator_id: string }>(this.db, `DELETE FROM operator_session WHERE expires_at <= $1 RETURNING operator_id`, [now]);
    // rate-limiter-flexible keeps the expiry as milliseconds since the epoch.
    const loginFailures = await changedRows(this.db, `DELETE FROM login_failure WHERE expire <= $1 RETURNING 1`, [now.getTime()]);
    const guesses = await changedRows(this.db, `DELETE FROM reply_code_guess WHERE window_ends_at <= $1 RETURNING 1`, [now]);
    await this.record(RETENTION_EXPIRED_SESSIONS, [...new Set(sessions.map((s) => s.operator_id))]);
    return { sessions: sessions.length, loginFailures: loginFailures.length, replyCodeGuesses: guesses.length };
  }

  private record(declaration: ProcessingDeclaration, subjectIds: string[]): Promise<void> {
    return recordRetentionRun(this.log, declaration, subjectIds);
  }
}

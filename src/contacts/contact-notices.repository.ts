import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Language } from '../customers/customer.entity.js';
import { execute, firstRow, rows, type Queryable } from '../database/rows.js';
import type { SmsStatus } from '../sms/sms.types.js';
import type { NoticeFailedReason } from './notice-retry-policy.js';

/** A notice row with its latest SMS's outcome: what its status is worked out from. */
export interface NoticeRow {
  status: SmsStatus | null;
  error_code: string | null;
  refusal_reason: string | null;
  attempts: number;
  next_attempt_at: Date | null;
  failed_reason: NoticeFailedReason | null;
  last_error: string | null;
  policy_version: string;
  sent_at: Date | null;
}

/** What the notice's text and SMS need about the contact and their customer. */
export interface NoticeFacts {
  phone: string;
  customer_id: string;
  customer_name: string;
  language: Language;
}

export interface UninformedContactRow extends NoticeRow {
  id: string;
  customer_id: string;
  customer_name: string;
  name: string;
  phone: string;
  total: string;
}

/** A notice whose SMS reached a final status while the notice is still open. */
export interface ReportedNoticeRow {
  id: string;
  message_id: string;
  attempts: number;
  status: 'delivered' | 'received' | 'failed' | 'undelivered' | 'refused';
  error_code: string | null;
  refusal_reason: string | null;
}

/** Guarded by the message a settling pass read: a notice restarted meanwhile (a new number) is left alone. */
const READ_WITH_MESSAGE = `WHERE id = $1 AND message_id = $2 AND settled_at IS NULL AND next_attempt_at IS NULL`;

/** Every query of contact_notice, the onboarding notices to alarm contacts, and of the contact facts they are sent from. */
@Injectable()
export class ContactNoticesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The contact, locked for `m`'s transaction; undefined when there is none. */
  async lockContact(m: Queryable, contactId: string): Promise<{ phone: string; status: string; restricted: boolean; ended_at: Date | null } | undefined> {
    return firstRow(m, `SELECT phone, status, restricted, ended_at FROM contact WHERE id = $1 FOR UPDATE`, [contactId]);
  }

  /** The notice to this number for this policy version, if there is one. */
  async find(m: Queryable, contactId: string, phone: string, policyVersion: string): Promise<{ failed_reason: NoticeFailedReason | null } | undefined> {
    return firstRow(m, `SELECT failed_reason FROM contact_notice WHERE contact_id = $1 AND phone = $2 AND policy_version = $3`, [
      contactId,
      phone,
      policyVersion,
    ]);
  }

  /** For each contact, the newest notice to their current number, with its latest SMS. */
  async newestOf(contacts: ReadonlyArray<{ id: string; phone: string }>): Promise<Array<NoticeRow & { contact_id: string }>> {
    return rows(
      this.db,
      `SELECT DISTINCT ON (n.contact_id) n.contact_id, n.policy_version, n.attempts, n.next_attempt_at, n.last_error, n.failed_reason,
              s.status, s.sent_at, s.error_code, s.refusal_reason
         FROM contact_notice n
         JOIN unnest($1::uuid[], $2::text[]) AS k(id, phone) ON k.id = n.contact_id AND k.phone = n.phone
         LEFT JOIN sms_message s ON s.id = n.message_id
        ORDER BY n.contact_id, n.created_at DESC`,
      [contacts.map((c) => c.id), contacts.map((c) => c.phone)],
    );
  }

  /**
   * Contacts of current customers whose newest notice to their current number was given up (not
   * because they said STOP) or is being retried: given up first. At most `limit`, each row with the total.
   */
  async uninformed(limit: number): Promise<UninformedContactRow[]> {
    return rows<UninformedContactRow>(
      this.db,
      `SELECT k.id, k.customer_id, c.name AS customer_name, k.name, k.phone, count(*) OVER () AS total,
              n.policy_version, n.attempts, n.next_attempt_at, n.last_error, n.failed_reason, s.status, s.sent_at, s.error_code, s.refusal_reason
         FROM contact k
         JOIN customer c ON c.id = k.customer_id AND c.ended_at IS NULL
         JOIN LATERAL (SELECT * FROM contact_notice n WHERE n.contact_id = k.id AND n.phone = k.phone ORDER BY n.created_at DESC LIMIT 1) n ON true
         LEFT JOIN sms_message s ON s.id = n.message_id
        WHERE k.ended_at IS NULL
          AND (n.next_attempt_at IS NOT NULL OR (n.failed_reason IS NOT NULL AND n.failed_reason <> 'opted_out'))
        ORDER BY n.failed_reason IS NULL, n.created_at
        LIMIT $1`,
      [limit],
    );
  }

  /** Active contacts of current customers with no notice for `policyVersion` at their number and no opt-out, oldest first, except `tried`. */
  async missingNotice(policyVersion: string, tried: string[], limit: number): Promise<string[]> {
    const contacts = await rows<{ id: string }>(
      this.db,
      `SELECT k.id FROM contact k JOIN customer c ON c.id = k.customer_id
        WHERE k.ended_at IS NULL AND k.status = 'active' AND NOT k.restricted AND c.ended_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM contact_notice n WHERE n.contact_id = k.id AND n.phone = k.phone AND n.policy_version = $1)
          AND NOT EXISTS (SELECT 1 FROM sms_opt_out o WHERE o.phone = k.phone)
          AND NOT (k.id = ANY($2::uuid[]))
        ORDER BY k.created_at LIMIT $3`,
      [policyVersion, tried, limit],
    );
    return contacts.map((k) => k.id);
  }

  /** The contact with what their notice is written from, locked for `m`'s transaction. */
  async lockFacts(m: Queryable, contactId: string): Promise<(NoticeFacts & { status: string; restricted: boolean; ended_at: Date | null }) | undefined> {
    return firstRow(
      m,
      `SELECT k.phone, k.customer_id, k.status, k.restricted, k.ended_at, c.name AS customer_name, c.language
         FROM contact k JOIN customer c ON c.id = k.customer_id WHERE k.id = $1 FOR UPDATE OF k`,
      [contactId],
    );
  }

  /** A notice still being retried at an earlier number stops: that number is no longer theirs. */
  async settleEarlierNumbers(m: Queryable, contactId: string, phone: string): Promise<void> {
    await execute(
      m,
      `UPDATE contact_notice SET settled_at = now(), next_attempt_at = NULL, failed_reason = 'number_changed'
        WHERE contact_id = $1 AND phone <> $2 AND settled_at IS NULL`,
      [contactId, phone],
    );
  }

  /**
   * Inserts the notice for this number and version, or starts a given-up one over; its id, or
   * undefined when one already went (or is going) out.
   */
  async insertOrRestart(m: Queryable, contactId: string, phone: string, policyVersion: string): Promise<string | undefined> {
    const row = await firstRow<{ id: string }>(
      m,
      `INSERT INTO contact_notice (contact_id, phone, policy_version) VALUES ($1, $2, $3)
       ON CONFLICT ON CONSTRAINT contact_notice_once DO UPDATE
          SET attempts = 1, next_attempt_at = NULL, last_error = NULL, failed_reason = NULL, settled_at = NULL, created_at = now()
        WHERE contact_notice.failed_reason IS NOT NULL
       RETURNING id`,
      [contactId, phone, policyVersion],
    );
    return row?.id;
  }

  /** The notice if it is due at `now` and no other instance holds it, locked, with what its SMS is written from. */
  async lockDue(m: Queryable, noticeId: string, now: Date): Promise<(NoticeFacts & { contact_id: string; current_phone: string }) | undefined> {
    return firstRow(
      m,
      `SELECT n.contact_id, n.phone, k.phone AS current_phone, k.customer_id, c.name AS customer_name, c.language
         FROM contact_notice n JOIN contact k ON k.id = n.contact_id JOIN customer c ON c.id = k.customer_id
        WHERE n.id = $1 AND n.settled_at IS NULL AND n.next_attempt_at <= $2
        FOR UPDATE OF n SKIP LOCKED`,
      [noticeId, now],
    );
  }

  async settleNumberChanged(m: Queryable, noticeId: string): Promise<void> {
    await execute(m, `UPDATE contact_notice SET settled_at = now(), next_attempt_at = NULL, failed_reason = 'number_changed' WHERE id = $1`, [noticeId]);
  }

  async countAttempt(m: Queryable, noticeId: string): Promise<void> {
    await execute(m, `UPDATE contact_notice SET attempts = attempts + 1, next_attempt_at = NULL WHERE id = $1`, [noticeId]);
  }

  async linkMessage(m: Queryable, noticeId: string, messageId: string): Promise<void> {
    await execute(m, `UPDATE contact_notice SET message_id = $2 WHERE id = $1`, [noticeId, messageId]);
  }

  /** A notice for an earlier policy version is replaced by the current one's. */
  async settleOtherVersions(policyVersion: string): Promise<void> {
    await execute(this.db, `UPDATE contact_notice SET settled_at = now(), next_attempt_at = NULL WHERE settled_at IS NULL AND policy_version <> $1`, [
      policyVersion,
    ]);
  }

  /** Open notices, not waiting for a retry, whose SMS reached one of `statuses`. */
  async reported(statuses: string[], limit: number): Promise<ReportedNoticeRow[]> {
    return rows<ReportedNoticeRow>(
      this.db,
      `SELECT n.id, n.message_id, n.attempts, s.status, s.error_code, s.refusal_reason
         FROM contact_notice n JOIN sms_message s ON s.id = n.message_id
        WHERE n.settled_at IS NULL AND n.next_attempt_at IS NULL AND s.status = ANY($1::text[])
        LIMIT $2`,
      [statuses, limit],
    );
  }

  async settleDelivered(noticeId: string, messageId: string): Promise<void> {
    await execute(this.db, `UPDATE contact_notice SET settled_at = now() ${READ_WITH_MESSAGE}`, [noticeId, messageId]);
  }

  async scheduleRetry(noticeId: string, messageId: string, retryAt: Date, lastError: string): Promise<void> {
    await execute(this.db, `UPDATE contact_notice SET next_attempt_at = $3, last_error = $4 ${READ_WITH_MESSAGE}`, [noticeId, messageId, retryAt, lastError]);
  }

  async giveUp(noticeId: string, messageId: string, reason: NoticeFailedReason, lastError: string): Promise<void> {
    await execute(this.db, `UPDATE contact_notice SET settled_at = now(), failed_reason = $3, last_error = $4 ${READ_WITH_MESSAGE}`, [
      noticeId,
      messageId,
      reason,
      lastError,
    ]);
  }

  /** Open notices whose retry is due at `now`, soonest first, except `tried`. */
  async due(now: Date, tried: string[], limit: number): Promise<string[]> {
    const notices = await rows<{ id: string }>(
      this.db,
      `SELECT id FROM contact_notice
        WHERE settled_at IS NULL AND next_attempt_at <= $1 AND NOT (id = ANY($2::uuid[]))
        ORDER BY next_attempt_at LIMIT $3`,
      [now, tried, limit],
    );
    return notices.map((n) => n.id);
  }
}

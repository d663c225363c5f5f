import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { count, execute, rows, type Queryable } from '../database/rows.js';
import { queueProcessorDeletions } from './processor-deletion.js';
import { ERASED_PHONE } from './retention-policy.js';

/**
 * Which SMS rows are a data subject's: a condition on sms_message with its parameters, built only
 * here. Rows carrying no customer or contact id (help replies, texts from unknown senders) are
 * theirs only by a phone number no one else holds.
 */
export interface SubjectSms {
  readonly where: string;
  readonly params: unknown[];
}

/** An SMS as an export shows it. */
export interface SubjectSmsRow {
  id: string;
  direction: string;
  to_phone: string;
  from_phone: string;
  body: string;
  purpose: string;
  legal_basis: string;
  alarm_id: string | null;
  status: string;
  created_at: Date;
  sent_at: Date | null;
}

/** The queries the data-subject rights make of the SMS held about someone (messages, opt-outs, reply-code guesses). */
@Injectable()
export class SubjectMessagesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** For erasure: texts to and from the customer, their contacts, and the numbers only they hold. */
  ofCustomerAndContacts(customerId: string, contactIds: string[], ownPhones: string[]): SubjectSms {
    return {
      where: `customer_id = $1 OR contact_id = ANY($2::uuid[])
         OR (customer_id IS NULL AND contact_id IS NULL AND (to_phone = ANY($3::text[]) OR from_phone = ANY($3::text[])))`,
      params: [customerId, contactIds, ownPhones],
    };
  }

  /** For erasure: texts to and from the contact (alarm SMS too), and the numbers only they hold. */
  ofContact(contactId: string, ownPhones: string[]): SubjectSms {
    return {
      where: `contact_id = $1 OR (customer_id IS NULL AND contact_id IS NULL AND (to_phone = ANY($2::text[]) OR from_phone = ANY($2::text[])))`,
      params: [contactId, ownPhones],
    };
  }

  /** For an export: the customer's own texts (not those to their contacts), and those from or to their number no one else has claimed. */
  async ofCustomerForExport(customerId: string, phone: string, m: Queryable = this.db.manager): Promise<SubjectSmsRow[]> {
    return this.list(
      m,
      `(customer_id = $1 AND contact_id IS NULL)
       OR ((customer_id IS NULL OR customer_id = $1) AND contact_id IS NULL AND (to_phone = $2 OR from_phone = $2))`,
      [customerId, phone],
    );
  }

  /** For an export: the contact's texts, and those from or to their number no one else has claimed. */
  async ofContactForExport(contactId: string, phone: string, m: Queryable = this.db.manager): Promise<SubjectSmsRow[]> {
    return this.list(m, `contact_id = $1 OR (customer_id IS NULL AND contact_id IS NULL AND (to_phone = $2 OR from_phone = $2))`, [contactId, phone]);
  }

  /** Queues the deletion of the provider's copies of `sms`, before our rows lose the provider's ids; how many were queued. */
  async queueProcessorDeletions(m: EntityManager, sms: SubjectSms): Promise<number> {
    return queueProcessorDeletions(m, sms.where, sms.params);
  }

  /**
   * Deletes the rows of `sms` (texts that are no alarm's history); returns how many. A message the
   * outbox is handing to the provider right now stays until that attempt ends, without its text,
   * numbers or ids, so the outbox's update finds its row.
   */
  async erase(m: Queryable, sms: SubjectSms, subjectPhones: string[]): Promise<number> {
    const p = sms.params.length + 1;
    await execute(
      m,
      `UPDATE sms_message SET body = '', customer_id = NULL, contact_id = NULL,
              to_phone = CASE WHEN to_phone = ANY($${p}::text[]) THEN $${p + 1} ELSE to_phone END,
              from_phone = CASE WHEN from_phone = ANY($${p}::text[]) THEN $${p + 1} ELSE from_phone END
        WHERE (${sms.where}) AND status = 'sending'`,
      [...sms.params, subjectPhones, ERASED_PHONE],
    );
    return count(
      m,
      `WITH d AS (DELETE FROM sms_message WHERE (${sms.where}) AND status <> 'sending' RETURNING 1) SELECT count(*)::int AS n FROM d`,
      sms.params,
    );
  }

  /**
   * The alarm SMS to or from a contact of a customer who stays: kept with the alarm, under new ids
   * (log entries name the old ones next to the contact's id), without text, number or contact id.
   * Returns how many.
   */
  async unlinkContactAlarmSms(m: Queryable, contactId: string, phones: string[]): Promise<number> {
    const theirs = `SELECT id FROM sms_message WHERE contact_id = $1 AND alarm_id IS NOT NULL`;
    await execute(m, `UPDATE sms_message SET in_reply_to = NULL WHERE in_reply_to IN (${theirs})`, [contactId]);
    await execute(m, `UPDATE sms_opt_out SET inbound_message_id = NULL WHERE inbound_message_id IN (${theirs})`, [contactId]);
    await execute(m, `UPDATE contact_notice SET message_id = NULL WHERE message_id IN (${theirs})`, [contactId]);
    return count(
      m,
      `WITH u AS (
         UPDATE sms_message SET id = gen_random_uuid(), contact_id = NULL, body = '', provider_id = NULL, in_reply_to = NULL,
                status = CASE WHEN status = 'queued' THEN 'refused' ELSE status END,
                refusal_reason = CASE WHEN status = 'queued' THEN 'recipient_ended: erased' ELSE refusal_reason END,
                to_phone = CASE WHEN to_phone = ANY($2::text[]) THEN $3 ELSE to_phone END,
                from_phone = CASE WHEN from_phone = ANY($2::text[]) THEN $3 ELSE from_phone END
          WHERE contact_id = $1 AND alarm_id IS NOT NULL RETURNING 1)
       SELECT count(*)::int AS n FROM u`,
      [contactId, phones, ERASED_PHONE],
    );
  }

  /**
   * Blanks the texts of messages created before `cutoff`, except those still queued or sending or
   * about an open alarm; how many, and whose they were.
   */
  async blankBodiesBefore(cutoff: Date): Promise<{ n: number; customers: string[]; contacts: string[] }> {
    const [row] = await rows<{ n: number; customers: string[]; contacts: string[] }>(
      this.db,
      `WITH u AS (
         UPDATE sms_message s SET body = '', updated_at = now()
          WHERE s.created_at < $1 AND s.body <> '' AND s.status NOT IN ('queued', 'sending')
            AND NOT EXISTS (SELECT 1 FROM alarm a WHERE a.id = s.alarm_id AND a.status = 'open')
          RETURNING s.customer_id, s.contact_id)
       SELECT count(*)::int AS n,
              coalesce(array_agg(DISTINCT customer_id) FILTER (WHERE customer_id IS NOT NULL), '{}') AS customers,
              coalesce(array_agg(DISTINCT contact_id) FILTER (WHERE contact_id IS NOT NULL), '{}') AS contacts
         FROM u`,
      [cutoff],
    );
    return row;
  }

  async deleteReplyCodeGuesses(m: Queryable, phones: string[]): Promise<void> {
    await execute(m, `DELETE FROM reply_code_guess WHERE phone = ANY($1::text[])`, [phones]);
  }

  /** Whether any of `phones` replied STOP (the opt-out outlives an erasure). */
  async anyOptedOut(m: Queryable, phones: string[]): Promise<boolean> {
    return (await count(m, `SELECT count(*)::int AS n FROM sms_opt_out WHERE phone = ANY($1::text[])`, [phones])) > 0;
  }

  private async list(m: Queryable, where: string, params: unknown[]): Promise<SubjectSmsRow[]> {
    return rows<SubjectSmsRow>(
      m,
      `SELECT id, direction, to_phone, from_phone, body, purpose, legal_basis, alarm_id, status, created_at, sent_at
         FROM sms_message WHERE ${where} ORDER BY created_at DESC, id`,
      params,
    );
  }
}

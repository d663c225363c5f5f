import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Language } from '../customers/customer.entity.js';
import { execute, firstRow, rows, type Queryable } from '../database/rows.js';

export type RestrictedSubject = { type: 'customer'; id: string } | { type: 'contact'; id: string; customerId: string };

export interface RestrictionRow<G = string> {
  id: string;
  ground: G | null;
  continued: string;
  restricted_at: Date;
  lift_notified_at: Date | null;
}

/** A restriction as the subject's export shows it, in force or lifted, with the contacts told. */
export interface RestrictionHistoryRow {
  ground: string | null;
  continued: string;
  restricted_at: Date;
  lift_notified_at: Date | null;
  lifted_at: Date | null;
  told: string[];
}

/** Whom a restriction was communicated to (Art. 19), with the notice's SMS status. */
export interface RestrictionRecipientRow {
  contactId: string;
  messageId: string | null;
  status: string | null;
}

/** A contact who had an alarm text about the customer, and what their notice is written from. */
export interface ContactToInform {
  id: string;
  phone: string;
  customer_name: string;
  language: Language;
}

/** Every query of restriction and restriction_recipient, and of the `restricted` flag on customer and contact. */
@Injectable()
export class RestrictionsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Sets the subject's flag; the customer id, or undefined for an unknown subject. */
  async setFlag(m: Queryable, subject: RestrictedSubject, restricted: boolean): Promise<string | undefined> {
    const row =
      subject.type === 'customer'
        ? await firstRow<{ customer_id: string }>(
            m,
            `WITH u AS (UPDATE customer SET restricted = $2, updated_at = now() WHERE id = $1 RETURNING id) SELECT id AS customer_id FROM u`,
            [subject.id, restricted],
          )
        : await firstRow<{ customer_id: string }>(
            m,
            `WITH u AS (UPDATE contact SET restricted = $3, updated_at = now() WHERE id = $1 AND customer_id = $2 RETURNING customer_id) SELECT customer_id FROM u`,
            [subject.id, subject.customerId, restricted],
          );
    return row?.customer_id;
  }

  /** Locks the subject's row for the rest of `m`'s transaction; false for an unknown subject. */
  async lockSubject(m: Queryable, subject: RestrictedSubject): Promise<boolean> {
    const row =
      subject.type === 'customer'
        ? await firstRow(m, `SELECT id FROM customer WHERE id = $1 FOR UPDATE`, [subject.id])
        : await firstRow(m, `SELECT id FROM contact WHERE id = $1 AND customer_id = $2 FOR UPDATE`, [subject.id, subject.customerId]);
    return row !== undefined;
  }

  /** The restriction in force, if any. */
  async current<G extends string>(m: Queryable, subject: RestrictedSubject): Promise<RestrictionRow<G> | undefined> {
    return firstRow<RestrictionRow<G>>(
      m,
      `SELECT id, ground, continued, restricted_at, lift_notified_at FROM restriction WHERE subject_type = $1 AND subject_id = $2 AND lifted_at IS NULL`,
      [subject.type, subject.id],
    );
  }

  async insert<G extends string>(
    m: Queryable,
    r: { subject: RestrictedSubject; customerId: string; ground: G | null; continued: string; by: string | null },
  ): Promise<RestrictionRow<G>> {
    const [row] = await rows<RestrictionRow<G>>(
      m,
      `INSERT INTO restriction (subject_type, subject_id, customer_id, ground, continued, restricted_by) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING id, ground, continued, restricted_at, lift_notified_at`,
      [r.subject.type, r.subject.id, r.customerId, r.ground, r.continued, r.by],
    );
    return row;
  }

  async lift(m: Queryable, restrictionId: string, notifiedAt: Date, by: string | null): Promise<void> {
    await execute(m, `UPDATE restriction SET lift_notified_at = $2, lifted_at = now(), lifted_by = $3 WHERE id = $1`, [restrictionId, notifiedAt, by]);
  }

  /** The customer's current contacts who have had an alarm text about them (Art. 19: they hold the customer's data), by priority. */
  async contactsToInform(m: Queryable, customerId: string): Promise<ContactToInform[]> {
    return rows<ContactToInform>(
      m,
      `SELECT k.id, k.phone, c.name AS customer_name, c.language
         FROM contact k JOIN customer c ON c.id = k.customer_id
        WHERE k.customer_id = $1 AND k.ended_at IS NULL
          AND EXISTS (SELECT 1 FROM sms_message s WHERE s.contact_id = k.id AND s.customer_id = $1 AND s.purpose = 'alarm_contact'
                         AND s.status IN ('sending', 'sent', 'delivered', 'undelivered'))
        ORDER BY k.priority`,
      [customerId],
    );
  }

  async addRecipient(m: Queryable, restrictionId: string, contactId: string, messageId: string): Promise<void> {
    await execute(m, `INSERT INTO restriction_recipient (restriction_id, contact_id, message_id) VALUES ($1, $2, $3)`, [restrictionId, contactId, messageId]);
  }

  async recipients(m: Queryable, restrictionId: string): Promise<RestrictionRecipientRow[]> {
    return rows<RestrictionRecipientRow>(
      m,
      `SELECT r.contact_id AS "contactId", r.message_id AS "messageId", s.status
         FROM restriction_recipient r LEFT JOIN sms_message s ON s.id = r.message_id
        WHERE r.restriction_id = $1 ORDER BY r.informed_at, r.contact_id`,
      [restrictionId],
    );
  }

  /** Every restriction of a subject, in force and lifted, oldest first. */
  async history(type: 'customer' | 'contact', id: string, m: Queryable = this.db.manager): Promise<RestrictionHistoryRow[]> {
    return rows<RestrictionHistoryRow>(
      m,
      `SELECT r.ground, r.continued, r.restricted_at, r.lift_notified_at, r.lifted_at,
              coalesce((SELECT array_agg(x.contact_id ORDER BY x.informed_at) FROM restriction_recipient x WHERE x.restriction_id = r.id), '{}') AS told
         FROM restriction r WHERE r.subject_type = $1 AND r.subject_id = $2 ORDER BY r.restricted_at`,
      [type, id],
    );
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError, notFound } from '../common/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import type { Language } from '../customers/customer.entity.js';
import { policyUrl } from '../privacy-policy/policy-version.js';
import { SmsOutbox } from '../sms/sms-outbox.js';
import { restrictionNoticeText } from './restriction-texts.js';

/** Art. 18(1)(a)-(d): why the person asked for (or is owed) the restriction. */
export const RESTRICTION_GROUNDS = ['accuracy_contested', 'unlawful_processing', 'needed_for_claims', 'objection_pending'] as const;
export type RestrictionGround = (typeof RESTRICTION_GROUNDS)[number];

/**
 * What still happens to restricted data, and on which Art. 18(2) ground; recorded on every
 * restriction and said in the privacy policy. An alarm at the home (a burglary, a fire, gas, a
 * medical alarm) endangers everyone there and the neighbours: the texts that raise help protect the
 * rights of other natural persons, so the send policy (src/sms/send-policy.ts) keeps letting alarm
 * SMS and replies about an alarm through, and nothing else.
 */
export const CONTINUED_DURING_RESTRICTION =
  'alarm SMS and replies about an alarm still go out: Art. 18(2), for the protection of the rights of other natural persons ' +
  '(the safety of everyone at the home and of the neighbours when a burglary, fire, gas or medical alarm goes off); everything else is only stored';

type Subject = { type: 'customer'; id: string } | { type: 'contact'; id: string; customerId: string };

export interface RecipientInformed {
  contactId: string;
  messageId: string | null;
  /** The notice's SMS status (queued, sent, delivered, or refused, e.g. after the contact replied STOP). */
  status: string | null;
}

export interface RestrictionView {
  id: string;
  customerId?: string;
  restricted: boolean;
  ground: RestrictionGround | null;
  restrictedAt: string | null;
  continued: string | null;
  /** Art. 19: whom the restriction was communicated to. */
  recipientsInformed: RecipientInformed[];
  /** Art. 18(3), once lifted: when the person was told beforehand. */
  liftNotifiedAt?: string | null;
}

interface RestrictionRow {
  id: string;
  ground: RestrictionGround | null;
  continued: string;
  restricted_at: Date;
  lift_notified_at: Date | null;
}

/**
 * Art. 18 on a customer or contact: the `restricted` flag (what it means is enforced where data is
 * used: the send policy lets a restricted person get alarm messages only) and the restriction's record.
 * Former customers and removed contacts can be restricted too (their data is still stored).
 *
 * Art. 19, who is told. The recipients of a customer's data are the SMS processor and the customer's
 * alarm contacts who have had alarm texts about them (name, address, what went off). The processor acts
 * only on our messages, and from now on the send policy gives it alarm texts only: there is nothing it
 * could do with a notice. The contacts can: each contact who has had an alarm text about the customer
 * gets a short notice (purpose `contact_notice`, legal obligation) in the customer's language, saying
 * alarm texts still come and asking them to keep older texts no longer than they need; the answer and
 * the restriction's record list them with the notice's status, and the processing-log entry of the
 * request names them. Nothing is sent to contacts who never had a text about the customer: they hold
 * nothing of theirs. A contact's own data goes to no one but the controller and the processor (the
 * customer gave it to us), so restricting a contact informs no one. Lifting is no Art. 19 event.
 * Erasure informs no one either: a customer's erasure erases the contacts who had their texts
 * (there is no one left to tell, and no number to tell them at), and a contact's data went nowhere
 * else. A rectification is not sent out: the next alarm text carries the corrected data, and a text
 * saying what was wrong would disclose it again.
 */
@Injectable()
export class Restriction {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: SmsOutbox,
    private readonly config: AppConfig,
  ) {}

  /** Restricts; a repeated request answers the restriction in force (no second notice). */
  async restrict(subject: Subject, input: { ground?: RestrictionGround; by?: string }): Promise<RestrictionView> {
    return this.db.transaction(async (m) => {
      const customerId = await this.setFlag(m, subject, true);
      const current = await this.current(m, subject);
      if (current) return this.view(m, subject, current);
      const [row] = (await m.query(
        `INSERT INTO restriction (subject_type, subject_id, customer_id, ground, continued, restricted_by) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id, ground, continued, restricted_at, lift_notified_at`,
        [subject.type, subject.id, customerId, input.ground ?? null, CONTINUED_DURING_RESTRICTION, input.by ?? null],
      )) as RestrictionRow[];
      if (subject.type === 'customer') await this.informContacts(m, customerId, row.id, input.by);
      return this.view(m, subject, row);
    });
  }

  /**
   * Lifts, once the person has been told (Art. 18(3)): `notifiedAt` is when, and is required while
   * a restriction is in force. Lifting what is not restricted answers the current state.
   */
  async lift(subject: Subject, input: { notifiedAt?: string; by?: string }): Promise<RestrictionView> {
    return this.db.transaction(async (m) => {
      const current = await this.lockedCurrent(m, subject);
      if (current) {
        if (!input.notifiedAt) {
          throw new DomainError(
            'conflict',
            'restriction_lift_not_notified',
            `the ${subject.type} must be told before the restriction is lifted (Art. 18(3)): send { "notifiedAt": "<when they were told>" }`,
          );
        }
        const at = new Date(input.notifiedAt);
        if (at.getTime() > Date.now() + 60_000) throw new DomainError('invalid', 'restriction_notified_in_future', 'notifiedAt must not be in the future');
        if (at < current.restricted_at) {
          throw new DomainError(
            'invalid',
            'restriction_notified_before',
            `notifiedAt must not be before the restriction began (${current.restricted_at.toISOString()})`,
          );
        }
        await m.query(`UPDATE restriction SET lift_notified_at = $2, lifted_at = now(), lifted_by = $3 WHERE id = $1`, [current.id, at, input.by ?? null]);
      }
      await this.setFlag(m, subject, false);
      const view = await this.view(m, subject, undefined);
      return current ? { ...view, liftNotifiedAt: new Date(input.notifiedAt!).toISOString() } : view;
    });
  }

  /** Sets the flag; answers the customer id, or a 404 for an unknown subject. */
  private async setFlag(m: EntityManager, subject: Subject, restricted: boolean): Promise<string> {
    const rows = (
      subject.type === 'customer'
        ? await m.query(`WITH u AS (UPDATE customer SET restricted = $2, updated_at = now() WHERE id = $1 RETURNING id) SELECT id AS customer_id FROM u`, [
            subject.id,
            restricted,
          ])
        : await m.query(
            `WITH u AS (UPDATE contact SET restricted = $3, updated_at = now() WHERE id = $1 AND customer_id = $2 RETURNING customer_id) SELECT customer_id FROM u`,
            [subject.id, subject.customerId, restricted],
          )
    ) as Array<{ customer_id: string }>;
    if (!rows.length) throw notFound(subject.type, subject.id);
    return rows[0].customer_id;
  }

  private async current(m: EntityManager, subject: Subject): Promise<RestrictionRow | undefined> {
    const [row] = (await m.query(
      `SELECT id, ground, continued, restricted_at, lift_notified_at FROM restriction WHERE subject_type = $1 AND subject_id = $2 AND lifted_at IS NULL`,
      [subject.type, subject.id],
    )) as RestrictionRow[];
    return row;
  }

  /** The restriction in force, locked (after the subject's row, as restrict does), or a 404 for an unknown subject. */
  private async lockedCurrent(m: EntityManager, subject: Subject): Promise<RestrictionRow | undefined> {
    const exists = (
      subject.type === 'customer'
        ? await m.query(`SELECT id FROM customer WHERE id = $1 FOR UPDATE`, [subject.id])
        : await m.query(`SELECT id FROM contact WHERE id = $1 AND customer_id = $2 FOR UPDATE`, [subject.id, subject.customerId])
    ) as unknown[];
    if (!exists.length) throw notFound(subject.type, subject.id);
    return this.current(m, subject);
  }

  /** Art. 19: the customer's contacts who have had an alarm text about them get the notice (see the class comment). */
  private async informContacts(m: EntityManager, customerId: string, restrictionId: string, by?: string): Promise<void> {
    const recipients = (await m.query(
      `SELECT k.id, k.phone, c.name AS customer_name, c.language
         FROM contact k JOIN customer c ON c.id = k.customer_id
        WHERE k.customer_id = $1 AND k.ended_at IS NULL
          AND EXISTS (SELECT 1 FROM sms_message s WHERE s.contact_id = k.id AND s.customer_id = $1 AND s.purpose = 'alarm_contact'
                         AND s.status IN ('sending', 'sent', 'delivered', 'undelivered'))
        ORDER BY k.priority`,
      [customerId],
    )) as Array<{ id: string; phone: string; customer_name: string; language: Language }>;
    for (const r of recipients) {
      const body = restrictionNoticeText({
        language: r.language,
        company: this.config.companyName,
        customerName: r.customer_name,
        policyUrl: policyUrl(this.config.publicBaseUrl, r.language),
      });
      const sent = await this.outbox.enqueue(
        { purpose: 'contact_notice', legalBasis: 'legal_obligation', to: r.phone, body, contactId: r.id, customerId, ...(by ? { operatorId: by } : {}) },
        m,
      );
      await m.query(`INSERT INTO restriction_recipient (restriction_id, contact_id, message_id) VALUES ($1, $2, $3)`, [restrictionId, r.id, sent.id]);
    }
  }

  private async view(m: EntityManager, subject: Subject, row: RestrictionRow | undefined): Promise<RestrictionView> {
    const current = row ?? (await this.current(m, subject));
    const recipients = current
      ? ((await m.query(
          `SELECT r.contact_id AS "contactId", r.message_id AS "messageId", s.status
             FROM restriction_recipient r LEFT JOIN sms_message s ON s.id = r.message_id
            WHERE r.restriction_id = $1 ORDER BY r.informed_at, r.contact_id`,
          [current.id],
        )) as RecipientInformed[])
      : [];
    return {
      id: subject.id,
      ...(subject.type === 'contact' ? { customerId: subject.customerId } : {}),
      restricted: !!current,
      ground: current?.ground ?? null,
      restrictedAt: current ? current.restricted_at.toISOString() : null,
      continued: current?.continued ?? null,
      recipientsInformed: recipients,
    };
  }
}

/** Art. 15: the restrictions of a customer or contact, in force and lifted, for their export. */
export async function restrictionsOf(m: EntityManager, type: 'customer' | 'contact', id: string) {
  const rows = (await m.query(
    `SELECT r.ground, r.continued, r.restricted_at, r.lift_notified_at, r.lifted_at,
            coalesce((SELECT array_agg(x.contact_id ORDER BY x.informed_at) FROM restriction_recipient x WHERE x.restriction_id = r.id), '{}') AS told
       FROM restriction r WHERE r.subject_type = $1 AND r.subject_id = $2 ORDER BY r.restricted_at`,
    [type, id],
  )) as Array<{ ground: string | null; continued: string; restricted_at: Date; lift_notified_at: Date | null; lifted_at: Date | null; told: string[] }>;
  return rows.map((r) => ({
    ground: r.ground,
    continued: r.continued,
    restrictedAt: r.restricted_at.toISOString(),
    recipientsInformed: r.told,
    liftNotifiedAt: r.lift_notified_at?.toISOString() ?? null,
    liftedAt: r.lifted_at?.toISOString() ?? null,
  }));
}

import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import type { Language } from '../customers/customer.entity.js';
import { POLICY_VERSION, policyUrl } from '../privacy-policy/policy-version.js';
import { ProcessingLog } from '../privacy/processing-log.service.js';
import { SmsOutbox, type EnqueuedSms } from '../sms/sms-outbox.js';
import { SMS_SENDING } from '../sms/sms.processing.js';
import type { SmsStatus } from '../sms/sms.types.js';
import type { Contact } from './contact.entity.js';
import { contactNoticeText } from './notice-texts.js';
import { afterFailedNotice, type NoticeFailedReason } from './notice-retry-policy.js';

export interface ContactNoticeView {
  /** `retrying`: the last SMS failed and another is due at `nextAttemptAt`; `failed`: given up (see `failedReason`). */
  status: 'pending' | 'sent' | 'retrying' | 'delivered' | 'failed';
  policyVersion: string | null;
  sentAt: string | null;
  /** SMS sent for this notice so far. */
  attempts: number;
  /** Why the last SMS failed: the provider's error code, or the send gate's refusal. */
  lastError: string | null;
  nextAttemptAt: string | null;
  /** Why the notice was given up: the contact was never informed at this number. */
  failedReason: NoticeFailedReason | null;
}

/** Why a contact's notice may be due: a new contact, or a new phone number (docs/privacy.md#onboarding-notice). */
export type ContactNoticeTrigger = 'created' | 'phone_changed' | 'policy_version' | 'retry' | 'resent';

const NOTICE_SENDING = SMS_SENDING.find((d) => d.operation === 'sms.send.contact_notice')!;

/** How often active contacts are checked for a notice missing for the current policy version. */
const MISSING_CHECK_MS = 60 * 60 * 1000;
const BATCH = 200;

interface NoticeRow {
  status: SmsStatus | null;
  error_code: string | null;
  refusal_reason: string | null;
  attempts: number;
  next_attempt_at: Date | null;
  failed_reason: NoticeFailedReason | null;
  last_error: string | null;
}

/** The notice's status as the operator sees it, from its row and its latest SMS; and why it was given up. */
function noticeStatus(n: NoticeRow): { status: ContactNoticeView['status']; failedReason: NoticeFailedReason | null } {
  if (n.status === 'delivered') return { status: 'delivered', failedReason: null };
  if (n.failed_reason) return { status: 'failed', failedReason: n.failed_reason };
  if (n.next_attempt_at) return { status: 'retrying', failedReason: null };
  switch (n.status) {
    case 'sent':
      return { status: 'sent', failedReason: null };
    case 'failed':
    case 'undelivered':
    case 'refused': {
      // Reported, not yet scheduled by ContactNoticeRetries: show what it will decide.
      const decision = afterFailedNotice({ attempts: n.attempts, status: n.status, errorCode: n.error_code, refusalReason: n.refusal_reason }, new Date());
      return 'giveUp' in decision ? { status: 'failed', failedReason: decision.giveUp } : { status: 'retrying', failedReason: null };
    }
    default:
      return { status: 'pending', failedReason: null }; // queued, sending, or no message yet
  }
}

function noticeView(r: NoticeRow & { policy_version: string; sent_at: Date | null }): ContactNoticeView {
  const { status, failedReason } = noticeStatus(r);
  return {
    status,
    policyVersion: r.policy_version,
    sentAt: r.sent_at ? new Date(r.sent_at).toISOString() : null,
    attempts: r.attempts,
    lastError: r.last_error ?? (status === 'retrying' || status === 'failed' ? (r.error_code ?? r.refusal_reason) : null),
    nextAttemptAt: r.next_attempt_at ? new Date(r.next_attempt_at).toISOString() : null,
    failedReason,
  };
}

/** A contact whose onboarding notice has not reached them (yet), for the operator to act on. */
export interface UninformedContact {
  id: string;
  customerId: string;
  customerName: string;
  name: string;
  phone: string;
  notice: ContactNoticeView;
}

/**
 * Whether the contact's onboarding notice for the current policy version reached their current
 * number. Escalation asks this in the transaction that builds an alarm SMS to the contact: when not,
 * the alarm SMS carries the policy link too (Art. 14(3)(b): at the latest at the first communication).
 */
export async function noticeDelivered(m: EntityManager, contactId: string, phone: string): Promise<boolean> {
  const [row] = (await m.query(`SELECT ${noticeDeliveredSql('$1::uuid', '$2::text', '$3::text')} AS delivered`, [contactId, phone, POLICY_VERSION])) as Array<{
    delivered: boolean;
  }>;
  return !!row?.delivered;
}

/** noticeDelivered as an SQL expression, for a statement that reads it with other things; bind POLICY_VERSION to `versionParam`. */
export function noticeDeliveredSql(contactIdExpr: string, phoneExpr: string, versionParam: string): string {
  return `EXISTS (
    SELECT 1 FROM contact_notice n JOIN sms_message s ON s.id = n.message_id
     WHERE n.contact_id = ${contactIdExpr} AND n.phone = ${phoneExpr} AND n.policy_version = ${versionParam} AND s.status = 'delivered')`;
}

/**
 * The onboarding notice (docs/privacy.md#onboarding-notice, GDPR Art. 14 and 21(4)).
 *
 * - Once per contact, phone number and policy version: a `contact_notice` row is inserted first
 *   (unique on the three), and only if it was new is the SMS queued, in the same transaction as
 *   the contact's write. Editing a name does not call it; a new number does; a new POLICY_VERSION
 *   is caught by `sendMissingNotices` (at start-up and hourly).
 * - The notice is in the customer's language (the contact has none of their own on file).
 * - Its status on the contact is the real one of its SMS (sms_message), not a copy.
 */
@Injectable()
export class ContactNotices implements OnApplicationBootstrap {
  private readonly logger = new Logger(ContactNotices.name);
  private checking?: Promise<number>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: SmsOutbox,
    private readonly processingLog: ProcessingLog,
    private readonly config: AppConfig,
  ) {}

  /**
   * Called inside the transaction that created the contact or changed its phone, after the write,
   * so the notice commits (or rolls back) together with the contact. `operatorId`: whose request it
   * is; the notice counts toward their daily SMS cap, and a cap reached throws (429), so the contact
   * is not saved without its notice.
   */
  async contactSaved(manager: EntityManager, contact: Contact, trigger: ContactNoticeTrigger, operatorId?: string): Promise<void> {
    if (contact.status !== 'active' || contact.restricted || contact.endedAt) return; // nothing may be sent; the check picks it up if that changes
    await this.send(manager, contact.id, trigger, operatorId);
  }

  /**
   * An operator sends a given-up notice again, to the same number (a phone that was off for weeks,
   * a number the contact confirmed): it starts over with a fresh budget of attempts. Refused (409)
   * when the notice was not given up, and when the contact may not be texted at all (STOP,
   * restricted); the daily caps apply as when adding a contact. `contact` is the caller's, read
   * with its customer checked.
   */
  async resend(contact: Contact, operatorId: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const [k] = (await m.query(`SELECT phone, status, restricted, ended_at FROM contact WHERE id = $1 FOR UPDATE`, [contact.id])) as Array<{
        phone: string;
        status: string;
        restricted: boolean;
        ended_at: Date | null;
      }>;
      if (!k || k.ended_at) throw new DomainError('not_found', 'contact_not_found', `contact ${contact.id} does not exist`);
      if (k.status !== 'active') throw new DomainError('conflict', 'contact_opted_out', 'the contact said STOP: the notice is not sent to them again');
      if (k.restricted) throw new DomainError('conflict', 'contact_restricted', 'the contact is restricted (Art. 18): nothing but alarm SMS is sent to them');
      const [notice] = (await m.query(`SELECT failed_reason FROM contact_notice WHERE contact_id = $1 AND phone = $2 AND policy_version = $3`, [
        contact.id,
        k.phone,
        POLICY_VERSION,
      ])) as Array<{
        failed_reason: string | null;
      }>;
      if (notice?.failed_reason === 'opted_out')
        throw new DomainError(
          'conflict',
          'contact_opted_out',
          'the contact said no to our SMS (STOP, or blocked our number): the notice is not sent to them again',
        );
      if (notice && !notice.failed_reason) {
        throw new DomainError(
          'conflict',
          'notice_not_given_up',
          'the notice to this number is delivered, on its way or being retried: there is nothing to send again',
        );
      }
      await this.send(m, contact.id, 'resent', operatorId);
    });
  }

  /** The `notice` of each contact view: the newest notice to the contact's current number, with its latest SMS's status. */
  async viewsFor(contacts: readonly Contact[]): Promise<Map<string, ContactNoticeView>> {
    const none: ContactNoticeView = {
      status: 'pending',
      policyVersion: null,
      sentAt: null,
      attempts: 0,
      lastError: null,
      nextAttemptAt: null,
      failedReason: null,
    };
    const views = new Map<string, ContactNoticeView>(contacts.map((c) => [c.id, { ...none }]));
    if (!contacts.length) return views;
    const rows = (await this.db.query(
      `SELECT DISTINCT ON (n.contact_id) n.contact_id, n.policy_version, n.attempts, n.next_attempt_at, n.last_error, n.failed_reason,
              s.status, s.sent_at, s.error_code, s.refusal_reason
         FROM contact_notice n
         JOIN unnest($1::uuid[], $2::text[]) AS k(id, phone) ON k.id = n.contact_id AND k.phone = n.phone
         LEFT JOIN sms_message s ON s.id = n.message_id
        ORDER BY n.contact_id, n.created_at DESC`,
      [contacts.map((c) => c.id), contacts.map((c) => c.phone)],
    )) as Array<NoticeRow & { contact_id: string; policy_version: string; sent_at: Date | null }>;
    for (const r of rows) views.set(r.contact_id, noticeView(r));
    return views;
  }

  /**
   * Contacts of current customers whose notice to their current number was given up (first) or is
   * being retried: never informed, so far. Given up because they said STOP is left out: they were
   * reached, and said no. At most `limit`, with the total.
   */
  async uninformed(limit: number): Promise<{ items: UninformedContact[]; total: number }> {
    const rows = (await this.db.query(
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
    )) as Array<
      NoticeRow & {
        id: string;
        customer_id: string;
        customer_name: string;
        name: string;
        phone: string;
        total: string;
        policy_version: string;
        sent_at: Date | null;
      }
    >;
    return {
      items: rows.map((r) => ({ id: r.id, customerId: r.customer_id, customerName: r.customer_name, name: r.name, phone: r.phone, notice: noticeView(r) })),
      total: rows.length ? Number(rows[0].total) : 0,
    };
  }

  onApplicationBootstrap(): void {
    // Not awaited: start-up must not wait on (or fail because of) a backlog of notices.
    void this.sendMissingNotices().catch((e: unknown) => this.logger.error({ err: e }, 'could not check for missing contact notices'));
  }

  @Interval(MISSING_CHECK_MS)
  async hourlyCheck(): Promise<void> {
    await this.sendMissingNotices().catch((e: unknown) => this.logger.error({ err: e }, 'could not check for missing contact notices'));
  }

  /**
   * Sends the notice to every active contact that has none for the current policy version at their
   * current number (a new policy version, or contacts written before this existed). Safe on several
   * instances at once: the unique notice row decides who sends. Returns how many were queued.
   */
  sendMissingNotices(): Promise<number> {
    this.checking ??= this.checkMissing().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async checkMissing(): Promise<number> {
    let queued = 0;
    const tried = new Set<string>();
    for (;;) {
      const rows = (await this.db.query(
        `SELECT k.id FROM contact k JOIN customer c ON c.id = k.customer_id
          WHERE k.ended_at IS NULL AND k.status = 'active' AND NOT k.restricted AND c.ended_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM contact_notice n WHERE n.contact_id = k.id AND n.phone = k.phone AND n.policy_version = $1)
            AND NOT EXISTS (SELECT 1 FROM sms_opt_out o WHERE o.phone = k.phone)
            AND NOT (k.id = ANY($2::uuid[]))
          ORDER BY k.created_at LIMIT ${BATCH}`,
        [POLICY_VERSION, [...tried]],
      )) as Array<{ id: string }>;
      if (!rows.length) return queued;
      for (const { id } of rows) {
        tried.add(id);
        try {
          if (await this.db.transaction((m) => this.send(m, id, 'policy_version'))) queued += 1;
        } catch (e) {
          if (e instanceof DomainError && e.kind === 'rate_limited') {
            // The central's daily SMS cap: the rest wait for a later check (hourly), a day at most.
            this.logger.warn({ queued, code: e.code }, 'daily SMS cap reached; the remaining contact notices are sent by a later check');
            return queued;
          }
          this.logger.error({ err: e, contactId: id }, 'could not queue a contact notice');
        }
      }
    }
  }

  /**
   * Inserts the notice row and, if it is new, queues the SMS. Returns whether an SMS was queued. A
   * notice given up earlier for this number (it could not receive SMS, say) starts again: the
   * operator corrected the number, or changed it back.
   */
  private async send(m: EntityManager, contactId: string, trigger: ContactNoticeTrigger, operatorId?: string): Promise<boolean> {
    const [facts] = (await m.query(
      `SELECT k.phone, k.customer_id, k.status, k.restricted, k.ended_at, c.name AS customer_name, c.language
         FROM contact k JOIN customer c ON c.id = k.customer_id WHERE k.id = $1 FOR UPDATE OF k`,
      [contactId],
    )) as Array<NoticeFacts & { status: string; restricted: boolean; ended_at: Date | null }>;
    if (!facts || facts.status !== 'active' || facts.restricted || facts.ended_at) return false;
    // A notice still being retried at an earlier number stops: that number is no longer theirs.
    await m.query(
      `UPDATE contact_notice SET settled_at = now(), next_attempt_at = NULL, failed_reason = 'number_changed'
        WHERE contact_id = $1 AND phone <> $2 AND settled_at IS NULL`,
      [contactId, facts.phone],
    );
    const inserted = (await m.query(
      `INSERT INTO contact_notice (contact_id, phone, policy_version) VALUES ($1, $2, $3)
       ON CONFLICT ON CONSTRAINT contact_notice_once DO UPDATE
          SET attempts = 1, next_attempt_at = NULL, last_error = NULL, failed_reason = NULL, settled_at = NULL, created_at = now()
        WHERE contact_notice.failed_reason IS NOT NULL
       RETURNING id`,
      [contactId, facts.phone, POLICY_VERSION],
    )) as Array<{ id: string }>;
    if (!inserted.length) return false; // already told at this number, for this version (or being told)
    return (await this.queue(m, inserted[0].id, contactId, facts, trigger, operatorId)).status === 'queued';
  }

  /**
   * Sends the notice again after its SMS failed (ContactNoticeRetries, when the backoff is over), in
   * the caller's transaction: a new SMS through the outbox, so the send gate and the daily caps apply
   * as to the first (a cap reached throws, and the attempt stays due). Returns whether it was due
   * (and not taken by another instance), and the SMS if one was stored.
   */
  async retry(m: EntityManager, noticeId: string, now: Date): Promise<EnqueuedSms | 'not_due' | 'number_changed'> {
    const [notice] = (await m.query(
      `SELECT n.contact_id, n.phone, k.phone AS current_phone, k.customer_id, c.name AS customer_name, c.language
         FROM contact_notice n JOIN contact k ON k.id = n.contact_id JOIN customer c ON c.id = k.customer_id
        WHERE n.id = $1 AND n.settled_at IS NULL AND n.next_attempt_at <= $2
        FOR UPDATE OF n SKIP LOCKED`,
      [noticeId, now],
    )) as Array<NoticeFacts & { contact_id: string; current_phone: string }>;
    if (!notice) return 'not_due';
    if (notice.current_phone !== notice.phone) {
      await m.query(`UPDATE contact_notice SET settled_at = now(), next_attempt_at = NULL, failed_reason = 'number_changed' WHERE id = $1`, [noticeId]);
      return 'number_changed';
    }
    const result = await this.queue(m, noticeId, notice.contact_id, notice, 'retry');
    await m.query(`UPDATE contact_notice SET attempts = attempts + 1, next_attempt_at = NULL WHERE id = $1`, [noticeId]);
    return result;
  }

  /** Queues the notice's SMS (the gate may refuse it), links it to the notice, and logs it if queued. */
  private async queue(
    m: EntityManager,
    noticeId: string,
    contactId: string,
    facts: NoticeFacts,
    trigger: ContactNoticeTrigger,
    operatorId?: string,
  ): Promise<EnqueuedSms> {
    const body = contactNoticeText({
      language: facts.language,
      company: this.config.companyName,
      customerName: facts.customer_name,
      policyUrl: policyUrl(this.config.publicBaseUrl, facts.language),
    });
    const result = await this.outbox.enqueue(
      { purpose: 'contact_notice', legalBasis: 'legal_obligation', to: facts.phone, body, contactId, customerId: facts.customer_id, operatorId },
      m,
    );
    await m.query(`UPDATE contact_notice SET message_id = $2 WHERE id = $1`, [noticeId, result.id]);
    if (result.status === 'queued') {
      await this.processingLog.record(
        { ...NOTICE_SENDING, actor: { type: 'system', id: `contact-notice:${trigger}` }, subjectIds: [contactId, facts.customer_id] },
        { manager: m },
      );
    }
    return result;
  }
}

/** What the notice's text and SMS need about the contact and their customer. */
interface NoticeFacts {
  phone: string;
  customer_id: string;
  customer_name: string;
  language: Language;
}

import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error.js';
import { firstRow } from '../database/rows.js';
import { AppConfig } from '../config/app-config.js';
import { POLICY_VERSION, policyUrl } from '../privacy-policy/policy-version.js';
import { ProcessingLog } from '../privacy/processing-log.service.js';
import { SmsOutbox, type EnqueuedSms } from '../sms/sms-outbox.js';
import { SMS_SENDING } from '../sms/sms.processing.js';
import type { Contact } from './contact.entity.js';
import { ContactNoticesRepository, type NoticeFacts, type NoticeRow } from './contact-notices.repository.js';
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

function noticeView(r: NoticeRow): ContactNoticeView {
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
  const row = await firstRow<{ delivered: boolean }>(m, `SELECT ${noticeDeliveredSql('$1::uuid', '$2::text', '$3::text')} AS delivered`, [
    contactId,
    phone,
    POLICY_VERSION,
  ]);
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
    private readonly notices: ContactNoticesRepository,
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
      const k = await this.notices.lockContact(m, contact.id);
      if (!k || k.ended_at) throw new DomainError('not_found', 'contact_not_found', `contact ${contact.id} does not exist`);
      if (k.status !== 'active') throw new DomainError('conflict', 'contact_opted_out', 'the contact said STOP: the notice is not sent to them again');
      if (k.restricted) throw new DomainError('conflict', 'contact_restricted', 'the contact is restricted (Art. 18): nothing but alarm SMS is sent to them');
      const notice = await this.notices.find(m, contact.id, k.phone, POLICY_VERSION);
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
    for (const r of await this.notices.newestOf(contacts)) views.set(r.contact_id, noticeView(r));
    return views;
  }

  /**
   * Contacts of current customers whose notice to their current number was given up (first) or is
   * being retried: never informed, so far. Given up because they said STOP is left out: they were
   * reached, and said no. At most `limit`, with the total.
   */
  async uninformed(limit: number): Promise<{ items: UninformedContact[]; total: number }> {
    const rows = await this.notices.uninformed(limit);
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
      const contactIds = await this.notices.missingNotice(POLICY_VERSION, [...tried], BATCH);
      if (!contactIds.length) return queued;
      for (const id of contactIds) {
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
    const facts = await this.notices.lockFacts(m, contactId);
    if (!facts || facts.status !== 'active' || facts.restricted || facts.ended_at) return false;
    // A notice still being retried at an earlier number stops: that number is no longer theirs.
    await this.notices.settleEarlierNumbers(m, contactId, facts.phone);
    const noticeId = await this.notices.insertOrRestart(m, contactId, facts.phone, POLICY_VERSION);
    if (!noticeId) return false; // already told at this number, for this version (or being told)
    return (await this.queue(m, noticeId, contactId, facts, trigger, operatorId)).status === 'queued';
  }

  /**
   * Sends the notice again after its SMS failed (ContactNoticeRetries, when the backoff is over), in
   * the caller's transaction: a new SMS through the outbox, so the send gate and the daily caps apply
   * as to the first (a cap reached throws, and the attempt stays due). Returns whether it was due
   * (and not taken by another instance), and the SMS if one was stored.
   */
  async retry(m: EntityManager, noticeId: string, now: Date): Promise<EnqueuedSms | 'not_due' | 'number_changed'> {
    const notice = await this.notices.lockDue(m, noticeId, now);
    if (!notice) return 'not_due';
    if (notice.current_phone !== notice.phone) {
      await this.notices.settleNumberChanged(m, noticeId);
      return 'number_changed';
    }
    const result = await this.queue(m, noticeId, notice.contact_id, notice, 'retry');
    await this.notices.countAttempt(m, noticeId);
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
    await this.notices.linkMessage(m, noticeId, result.id);
    if (result.status === 'queued') {
      await this.processingLog.record(
        { ...NOTICE_SENDING, actor: { type: 'system', id: `contact-notice:${trigger}` }, subjectIds: [contactId, facts.customer_id] },
        { manager: m },
      );
    }
    return result;
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError, notFound } from '../common/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { policyUrl } from '../privacy-policy/policy-version.js';
import { SmsOutbox } from '../sms/sms-outbox.js';
import { restrictionNoticeText } from './restriction-texts.js';
import { RestrictionsRepository, type RestrictedSubject, type RestrictionRow as StoredRestriction } from './restrictions.repository.js';

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

type Subject = RestrictedSubject;

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

type RestrictionRow = StoredRestriction<RestrictionGround>;

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
    private readonly restrictions: RestrictionsRepository,
  ) {}

  /** Restricts; a repeated request answers the restriction in force (no second notice). */
  async restrict(subject: Subject, input: { ground?: RestrictionGround; by?: string }): Promise<RestrictionView> {
    return this.db.transaction(async (m) => {
      const customerId = await this.setFlag(m, subject, true);
      const current = await this.current(m, subject);
      if (current) return this.view(m, subject, current);
      const row = await this.restrictions.insert(m, {
        subject,
        customerId,
        ground: input.ground ?? null,
        continued: CONTINUED_DURING_RESTRICTION,
        by: input.by ?? null,
      });
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
        await this.restrictions.lift(m, current.id, at, input.by ?? null);
      }
      await this.setFlag(m, subject, false);
      const view = await this.view(m, subject, undefined);
      return current ? { ...view, liftNotifiedAt: new Date(input.notifiedAt!).toISOString() } : view;
    });
  }

  /** Sets the flag; answers the customer id, or a 404 for an unknown subject. */
  private async setFlag(m: EntityManager, subject: Subject, restricted: boolean): Promise<string> {
    const customerId = await this.restrictions.setFlag(m, subject, restricted);
    if (!customerId) throw notFound(subject.type, subject.id);
    return customerId;
  }

  private async current(m: EntityManager, subject: Subject): Promise<RestrictionRow | undefined> {
    return this.restrictions.current<RestrictionGround>(m, subject);
  }

  /** The restriction in force, locked (after the subject's row, as restrict does), or a 404 for an unknown subject. */
  private async lockedCurrent(m: EntityManager, subject: Subject): Promise<RestrictionRow | undefined> {
    if (!(await this.restrictions.lockSubject(m, subject))) throw notFound(subject.type, subject.id);
    return this.current(m, subject);
  }

  /** Art. 19: the customer's contacts who have had an alarm text about them get the notice (see the class comment). */
  private async informContacts(m: EntityManager, customerId: string, restrictionId: string, by?: string): Promise<void> {
    for (const r of await this.restrictions.contactsToInform(m, customerId)) {
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
      await this.restrictions.addRecipient(m, restrictionId, r.id, sent.id);
    }
  }

  private async view(m: EntityManager, subject: Subject, row: RestrictionRow | undefined): Promise<RestrictionView> {
    const current = row ?? (await this.current(m, subject));
    const recipients: RecipientInformed[] = current ? await this.restrictions.recipients(m, current.id) : [];
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
export async function restrictionsOf(restrictions: RestrictionsRepository, type: 'customer' | 'contact', id: string) {
  const rows = await restrictions.history(type, id);
  return rows.map((r) => ({
    ground: r.ground,
    continued: r.continued,
    restrictedAt: r.restricted_at.toISOString(),
    recipientsInformed: r.told,
    liftNotifiedAt: r.lift_notified_at?.toISOString() ?? null,
    liftedAt: r.lifted_at?.toISOString() ?? null,
  }));
}

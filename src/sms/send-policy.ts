import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { smsDestinationAllowed } from '../common/phone-number.js';
import { AppConfig } from '../config/app-config.js';
import { Metrics } from '../metrics/metrics.js';
import { Processing, type LegalBasis } from '../privacy/processing.decorator.js';
import { ProcessingLog } from '../privacy/processing-log.service.js';
import { ProcessingRegistry } from '../privacy/processing-registry.js';
import { AlarmContactGate } from './alarm-contact-gate.js';
import { queryPrepared } from '../database/prepared-sql.js';
import { SMS_REFUSAL, SMS_SENDING } from './sms.processing.js';
import { ALLOWED_LEGAL_BASES, type SmsPurpose } from './sms.types.js';
import { isUuid } from '../common/uuid.js';

/** An outbound SMS as a caller asks for it (SmsOutbox.enqueue). */
export interface OutboundSms {
  purpose: SmsPurpose;
  /** E.164. */
  to: string;
  body: string;
  /** Defaults per purpose (DEFAULT_LEGAL_BASIS); required for alarm_contact (it depends on the class). */
  legalBasis?: LegalBasis;
  alarmId?: string;
  /** The customer the message is about: the recipient for alarm_owner, the contact's customer otherwise. */
  customerId?: string;
  /** Set for every message to a contact. */
  contactId?: string;
  /** For purpose `reply`: the inbound message it answers. */
  inReplyTo?: string;
  /** For purpose `reply`: help | unknown_code | code_wait | confirmation. */
  replyKind?: string;
  /** The operator whose request causes the message (a contact's onboarding notice): their daily cap counts it. */
  operatorId?: string;
}

export type PolicyDecision = { allowed: true } | { allowed: false; reason: string };

/** Stable refusal codes, stored in sms_message.refusal_reason (a gate's refusal adds its reason after a colon). */
export type RefusalCode =
  | 'legal_basis_not_allowed'
  | 'contact_required'
  | 'customer_required'
  | 'alarm_required'
  | 'contact_purpose_not_allowed'
  | 'reply_without_inbound'
  | 'opted_out'
  | 'recipient_unknown'
  | 'recipient_ended'
  | 'recipient_mismatch'
  | 'phone_mismatch'
  | 'contact_opted_out'
  | 'restricted'
  | 'alarm_contact_not_allowed'
  | 'country_not_allowed'
  | 'central_cap';

/** Namespace of the per-number advisory lock that handles one number's inbound SMS one at a time. */
export const PHONE_LOCK = 727100;

interface Facts {
  opted_out: boolean;
  contact: { phone: string; customer_id: string; status: string; restricted: boolean; ended_at: string | null } | null;
  customer: { phone: string; restricted: boolean; ended_at: string | null } | null;
  inbound: { from_phone: string; direction: string } | null;
  phone_restricted: boolean | null;
}

const refuse = (reason: RefusalCode, detail?: string): PolicyDecision => ({ allowed: false, reason: detail ? `${reason}: ${detail}` : reason });

/**
 * The one gate every outbound SMS passes (SmsOutbox.enqueue and the TwiML replies call it; nothing
 * else writes outbound rows). It answers from the database, inside the caller's transaction:
 * - nothing to a number that replied STOP (sms_opt_out);
 * - to a contact, only the onboarding notice, an alarm SMS, or a reply to a text they sent us
 *   (docs/sms.md#nothing-else-to-a-contact: no marketing, no status reports);
 * - an alarm_contact SMS only when the AlarmContactGate says so for that alarm, now (docs/alarm-handling.md#contacts-only-after-the-owner);
 * - a restricted person (Art. 18) gets alarm messages only;
 * - nothing to someone who is not (or no longer) a customer or contact, or at another number;
 * - each purpose only under its legal bases;
 * - nothing to a number outside SMS_ALLOWED_COUNTRIES, whatever the purpose: such a number entered
 *   before the list changed is refused here, and an alarm SMS refused ends its escalation step at
 *   once, like a permanent delivery failure.
 * A refusal is not an error: the message is stored as `refused` with the reason, and never sent.
 */
@Injectable()
export class SendPolicy implements OnModuleInit {
  private readonly logger = new Logger(SendPolicy.name);

  constructor(
    private readonly gate: AlarmContactGate,
    private readonly processingLog: ProcessingLog,
    private readonly registry: ProcessingRegistry,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  /** Sending is no route or decorated method: its declarations go to the record of processing from here. */
  onModuleInit(): void {
    for (const declaration of SMS_SENDING) this.registry.declare(declaration, 'SmsOutbox.enqueue');
  }

  async check(sms: OutboundSms, legalBasis: LegalBasis, manager: EntityManager): Promise<PolicyDecision> {
    if (!ALLOWED_LEGAL_BASES[sms.purpose].includes(legalBasis)) return refuse('legal_basis_not_allowed', `${sms.purpose} under ${legalBasis}`);
    const structural = this.structure(sms);
    if (structural) return structural;
    if (!smsDestinationAllowed(sms.to, this.config.sms.allowedCountries)) return refuse('country_not_allowed');

    // One statement, one snapshot. A STOP committing after it is caught later: STOP refuses what is
    // queued to the number, and the dispatcher never claims a message to an opted-out number.
    const [facts] = await queryPrepared<Facts>(
      manager,
      'sms_policy_facts',
      `SELECT
         EXISTS (SELECT 1 FROM sms_opt_out WHERE phone = $1) AS opted_out,
         (SELECT row_to_json(k) FROM (SELECT phone, customer_id, status, restricted, ended_at FROM contact WHERE id = $2::uuid) k) AS contact,
         (SELECT row_to_json(c) FROM (SELECT phone, restricted, ended_at FROM customer WHERE id = $3::uuid) c) AS customer,
         (SELECT row_to_json(i) FROM (SELECT from_phone, direction FROM sms_message WHERE id = $4::uuid) i) AS inbound,
         (SELECT bool_or(restricted) FROM (
            SELECT restricted FROM customer WHERE phone = $1 AND ended_at IS NULL
            UNION ALL SELECT restricted FROM contact WHERE phone = $1 AND ended_at IS NULL) r) AS phone_restricted`,
      [sms.to, sms.contactId ?? null, sms.customerId ?? null, sms.inReplyTo ?? null],
    );

    if (facts.opted_out) return refuse('opted_out');
    const recipient = this.recipient(sms, facts);
    if (recipient) return recipient;

    if (sms.purpose === 'alarm_contact') {
      const answer = await this.gate.mayText({ alarmId: sms.alarmId!, contactId: sms.contactId!, phone: sms.to }, manager);
      if (!answer.allowed) return refuse('alarm_contact_not_allowed', answer.reason);
    }
    return { allowed: true };
  }

  /**
   * Refused and logged (docs/alarm-handling.md#contacts-only-after-the-owner): every refused
   * message is written to the processing log in the transaction that stores it (so the entry exists
   * if and only if the refusal does). Subject ids are ids only: the contact, the customer and the
   * alarm, never the number.
   */
  @Processing(SMS_REFUSAL)
  async recordRefusal(sms: OutboundSms, reason: string, messageId: string, manager: EntityManager): Promise<void> {
    this.logger.warn({ messageId, purpose: sms.purpose, contactId: sms.contactId, alarmId: sms.alarmId, reason }, 'SMS refused by the send policy');
    this.metrics.smsRefused.inc({ reason: reason.split(':')[0] });
    const subjectIds = [sms.contactId, sms.customerId, sms.alarmId].filter((id): id is string => isUuid(id));
    await this.processingLog.record(
      { ...SMS_REFUSAL, actor: { type: 'system', id: 'send-policy' }, outcome: 'refused', subjectIds: [...new Set(subjectIds)] },
      { manager },
    );
  }

  /** What the message must carry for its purpose, before looking anything up. */
  private structure(sms: OutboundSms): PolicyDecision | undefined {
    switch (sms.purpose) {
      case 'contact_notice':
        if (!sms.contactId) return refuse('contact_required');
        return undefined;
      case 'alarm_contact':
        if (!sms.contactId) return refuse('contact_required');
        if (!sms.alarmId) return refuse('alarm_required');
        return undefined;
      case 'alarm_owner':
        if (sms.contactId) return refuse('contact_purpose_not_allowed', 'alarm_owner');
        if (!sms.customerId) return refuse('customer_required');
        if (!sms.alarmId) return refuse('alarm_required');
        return undefined;
      case 'reply':
        if (!sms.inReplyTo) return refuse('reply_without_inbound');
        return undefined;
    }
  }

  /** Who the message goes to, as the database knows them now. */
  private recipient(sms: OutboundSms, facts: Facts): PolicyDecision | undefined {
    if (sms.purpose === 'reply') {
      // A reply answers the number that wrote to us, nobody else.
      if (!facts.inbound || facts.inbound.direction !== 'inbound' || facts.inbound.from_phone !== sms.to) {
        return refuse('reply_without_inbound');
      }
      if (facts.phone_restricted && !sms.alarmId) return refuse('restricted');
    }
    if (sms.contactId) {
      const contact = facts.contact;
      if (!contact) return refuse('recipient_unknown', 'contact');
      if (contact.ended_at) return refuse('recipient_ended', 'contact');
      if (contact.status === 'opted_out') return refuse('contact_opted_out');
      if (contact.phone !== sms.to) return refuse('phone_mismatch');
      if (sms.customerId && contact.customer_id !== sms.customerId) return refuse('recipient_mismatch');
      if (contact.restricted && sms.purpose !== 'alarm_contact' && !(sms.purpose === 'reply' && sms.alarmId)) return refuse('restricted');
      return undefined;
    }
    if (sms.customerId) {
      const customer = facts.customer;
      if (!customer) return refuse('recipient_unknown', 'customer');
      if (customer.ended_at) return refuse('recipient_ended', 'customer');
      if (sms.purpose === 'alarm_owner' && customer.phone !== sms.to) return refuse('phone_mismatch');
      if (customer.restricted && sms.purpose !== 'alarm_owner' && !(sms.purpose === 'reply' && sms.alarmId)) return refuse('restricted');
    }
    return undefined;
  }
}

import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { LegalBasis } from '../privacy/processing.decorator.js';
import type { SmsDirection, SmsPurpose, SmsStatus } from './sms.types.js';

/** One SMS, in or out. Written with SQL (SmsOutbox, SmsDispatcher, SmsDeliveryStatus, SmsSweeper, InboundSms); read through this entity. */
@Entity('sms_message')
export class SmsMessage {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  direction: SmsDirection;

  @Column({ name: 'to_phone', type: 'text' })
  toPhone: string;

  @Column({ name: 'from_phone', type: 'text' })
  fromPhone: string;

  @Column({ type: 'text' })
  body: string;

  @Column({ type: 'text' })
  purpose: SmsPurpose;

  @Column({ name: 'legal_basis', type: 'text' })
  legalBasis: LegalBasis;

  @Column({ name: 'alarm_id', type: 'uuid', nullable: true })
  alarmId: string | null;

  @Column({ name: 'contact_id', type: 'uuid', nullable: true })
  contactId: string | null;

  @Column({ name: 'customer_id', type: 'uuid', nullable: true })
  customerId: string | null;

  @Column({ name: 'in_reply_to', type: 'uuid', nullable: true })
  inReplyTo: string | null;

  @Column({ name: 'reply_kind', type: 'text', nullable: true })
  replyKind: string | null;

  @Column({ type: 'text' })
  status: SmsStatus;

  @Column({ type: 'integer' })
  priority: number;

  @Column({ name: 'provider_id', type: 'text', nullable: true })
  providerId: string | null;

  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode: string | null;

  @Column({ name: 'refusal_reason', type: 'text', nullable: true })
  refusalReason: string | null;

  @Column({ type: 'integer' })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt: Date;

  @Column({ name: 'claimed_until', type: 'timestamptz', nullable: true })
  claimedUntil: Date | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** docs/api-contract.md#messages: exactly these fields (optional ones left out when empty), plus the reason a message failed or was refused. */
export function toMessageView(m: SmsMessage) {
  return {
    id: m.id,
    direction: m.direction,
    to: m.toPhone,
    from: m.fromPhone,
    body: m.body,
    purpose: m.purpose,
    legalBasis: m.legalBasis,
    ...(m.alarmId ? { alarmId: m.alarmId } : {}),
    ...(m.contactId ? { contactId: m.contactId } : {}),
    ...(m.customerId ? { customerId: m.customerId } : {}),
    status: m.status,
    ...(m.providerId ? { providerId: m.providerId } : {}),
    createdAt: m.createdAt.toISOString(),
    ...(m.errorCode ? { errorCode: m.errorCode } : {}),
    ...(m.refusalReason ? { refusalReason: m.refusalReason } : {}),
  };
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A number that replied STOP. While the row exists, the send policy refuses every SMS to it. */
@Entity('sms_opt_out')
export class SmsOptOut {
  @PrimaryColumn({ type: 'text' })
  phone: string;

  @Column({ name: 'opted_out_at', type: 'timestamptz' })
  optedOutAt: Date;

  /** How it was recorded, e.g. `sms:STOP`. */
  @Column({ type: 'text' })
  source: string;

  @Column({ name: 'inbound_message_id', type: 'uuid', nullable: true })
  inboundMessageId: string | null;
}

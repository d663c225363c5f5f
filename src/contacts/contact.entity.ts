import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ContactNoticeView } from './contact-notices.js';

export const RELATIONS = ['partner', 'family', 'neighbour', 'friend', 'colleague', 'other'] as const;
export type ContactRelation = (typeof RELATIONS)[number];

export type ContactStatus = 'active' | 'opted_out';

/** MAX_CONTACTS per customer: escalation tries them one at a time, so a longer list never gets to its end. */
export const MAX_CONTACTS = 10;

/** An alarm contact ("keyholder") a customer named: texted only when the owner cannot be reached. */
@Entity('contact')
export class Contact {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId: string;

  @Column({ type: 'text' })
  name: string;

  /** E.164, a mobile number. */
  @Column({ type: 'text' })
  phone: string;

  @Column({ type: 'citext', nullable: true })
  email: string | null;

  @Column({ type: 'text', default: 'other' })
  relation: ContactRelation;

  /** 1..n without gaps among the customer's current contacts; 1 is tried first. */
  @Column({ type: 'integer' })
  priority: number;

  /** `opted_out` after the contact objected (STOP, Art. 21): never texted again. */
  @Column({ type: 'text', default: 'active' })
  status: ContactStatus;

  @Column({ name: 'opted_out_at', type: 'timestamptz', nullable: true })
  optedOutAt: Date | null;

  /** GDPR Art. 18: stored only. Set by the privacy module. */
  @Column({ type: 'boolean', default: false })
  restricted: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** Removed by an operator: hidden, kept until the retention rule erases it. */
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;
}

/** The contact as the API shows it, with the state of their onboarding notice (see ContactNotices). */
export function toContactView(c: Contact, notice: ContactNoticeView) {
  return {
    id: c.id,
    customerId: c.customerId,
    name: c.name,
    phone: c.phone,
    email: c.email,
    relation: c.relation,
    priority: c.priority,
    status: c.status,
    restricted: c.restricted,
    notice,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

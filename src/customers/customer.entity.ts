import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type Language = 'sv' | 'nb' | 'en';
export const LANGUAGES: readonly Language[] = ['sv', 'nb', 'en'];

export interface Address {
  street: string;
  postalCode: string;
  city: string;
  /** ISO 3166-1 alpha-2, upper case. */
  country: string;
}

@Entity('customer')
export class Customer {
  /** Set by the service before insert: the national id's ciphertext is bound to it. */
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  /** E.164. */
  @Column({ type: 'text' })
  phone: string;

  @Column({ type: 'citext', nullable: true })
  email: string | null;

  @Column({ type: 'text' })
  language: Language;

  /** AES-256-GCM (FieldCipher), context `customer.national_id:<id>`; never selected unless asked for. */
  @Column({ name: 'national_id_encrypted', type: 'bytea', nullable: true, select: false })
  nationalIdEncrypted: Buffer | null;

  @Column({ name: 'national_id_masked', type: 'text', nullable: true })
  nationalIdMasked: string | null;

  /** FieldCipher.blindIndex of the normalised number, to find a customer by it without decrypting. */
  @Column({ name: 'national_id_hash', type: 'bytea', nullable: true, select: false })
  nationalIdHash: Buffer | null;

  @Column({ name: 'alarm_address', type: 'jsonb' })
  alarmAddress: Address;

  @Column({ name: 'postal_address', type: 'jsonb', nullable: true })
  postalAddress: Address | null;

  /** GDPR Art. 18: stored only. Set by the privacy module. */
  @Column({ type: 'boolean', default: false })
  restricted: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** The contract ended: hidden from the API, kept until the retention rule erases or anonymises it. */
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;
}

/** The customer as the API shows it: the national id masked, always, whoever asks. */
export function toCustomerView(c: Customer) {
  return {
    id: c.id,
    name: c.name,
    phone: c.phone,
    email: c.email,
    language: c.language,
    nationalId: c.nationalIdMasked,
    alarmAddress: c.alarmAddress,
    postalAddress: c.postalAddress,
    restricted: c.restricted,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export type CustomerView = ReturnType<typeof toCustomerView>;

import { MigrationInterface, QueryRunner } from 'typeorm';

/** Customers, their alarm contacts and their panels (docs/api-contract.md#customers-contacts-panels). */
export class Registers1763900100000 implements MigrationInterface {
  name = 'Registers1763900100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE customer (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        phone text NOT NULL,
        email citext,
        language text NOT NULL CHECK (language IN ('sv', 'nb', 'en')),
        national_id_encrypted bytea,
        national_id_masked text,
        national_id_hash bytea,
        alarm_address jsonb NOT NULL,
        postal_address jsonb,
        restricted boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz,
        -- A masked number without the number (or the reverse) would show operators something untrue.
        CONSTRAINT customer_national_id_complete CHECK ((national_id_encrypted IS NULL) = (national_id_masked IS NULL))
      )`);
    await q.query(`CREATE INDEX customer_active_name ON customer (lower(name), id) WHERE ended_at IS NULL`);
    // Inbound SMS and alarm SMS look people up by phone.
    await q.query(`CREATE INDEX customer_phone ON customer (phone)`);
    await q.query(`CREATE INDEX customer_national_id_hash ON customer (national_id_hash) WHERE national_id_hash IS NOT NULL`);
    // Retention walks the ended contracts.
    await q.query(`CREATE INDEX customer_ended_at ON customer (ended_at) WHERE ended_at IS NOT NULL`);

    await q.query(`
      CREATE TABLE contact (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customer(id) ON DELETE CASCADE,
        name text NOT NULL,
        phone text NOT NULL,
        email citext,
        relation text NOT NULL DEFAULT 'other',
        priority integer NOT NULL CHECK (priority >= 1),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'opted_out')),
        opted_out_at timestamptz,
        restricted boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX contact_customer_phone ON contact (customer_id, phone) WHERE ended_at IS NULL`);
    await q.query(`CREATE INDEX contact_customer_priority ON contact (customer_id, priority) WHERE ended_at IS NULL`);
    // A STOP from a phone finds every contact row with that number.
    await q.query(`CREATE INDEX contact_phone ON contact (phone)`);

    await q.query(`
      CREATE TABLE panel (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customer(id) ON DELETE CASCADE,
        label text,
        secret_encrypted bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz,
        supervision_interval_seconds integer NOT NULL DEFAULT 90000 CHECK (supervision_interval_seconds > 0),
        rotated_at timestamptz
      )`);
    await q.query(`CREATE INDEX panel_customer ON panel (customer_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE panel`);
    await q.query(`DROP TABLE contact`);
    await q.query(`DROP TABLE customer`);
  }
}

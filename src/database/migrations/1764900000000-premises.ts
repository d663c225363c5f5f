import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the central knows about a customer's premises: notes, animals, named zones and panel users
 * in the clear; the access information, the verbal password and the duress word encrypted with
 * FieldCipher (bound to `premises.<field>:<customer id>`, like the national id). One row per
 * customer, gone with the customer (erasure, retention).
 *
 * premises_name(names, key) finds a zone's or user's name for what a panel sent: exactly, or for a
 * number without its leading zeros, since Contact ID sends zone 5 as "005" and an operator types "5".
 */
export class Premises1764900000000 implements MigrationInterface {
  name = 'Premises1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE premises (
        customer_id uuid PRIMARY KEY REFERENCES customer(id) ON DELETE CASCADE,
        notes text,
        animals text,
        access_encrypted bytea,
        password_encrypted bytea,
        duress_word_encrypted bytea,
        zones jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(zones) = 'object'),
        users jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(users) = 'object'),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid
      )`);
    await q.query(`
      CREATE FUNCTION premises_name(names jsonb, key text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT coalesce(names->>key, CASE WHEN key ~ '^[0-9]+$' THEN names->>coalesce(nullif(ltrim(key, '0'), ''), '0') END)
        $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION premises_name(jsonb, text)`);
    await q.query(`DROP TABLE premises`);
  }
}

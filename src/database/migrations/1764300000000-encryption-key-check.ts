import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which master key the encrypted fields were written with, as a check value (a keyed hash of the key,
 * never the key): start-up compares the key it was given with it and refuses a different or missing
 * one, instead of serving 500s to every panel whose secret no longer decrypts. One row at most.
 */
export class EncryptionKeyCheck1764300000000 implements MigrationInterface {
  name = 'EncryptionKeyCheck1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE encryption_key_check (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        check_value text NOT NULL CHECK (check_value ~ '^[0-9a-f]{32}$'),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE encryption_key_check`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1763900000000 implements MigrationInterface {
  name = 'Foundation1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS citext`);
    await q.query(`CREATE TYPE operator_role AS ENUM ('operator', 'supervisor', 'dpo', 'admin')`);
    await q.query(`
      CREATE TABLE operator (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email citext NOT NULL UNIQUE,
        name text NOT NULL,
        role operator_role NOT NULL,
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Opaque bearer tokens: only their SHA-256 is stored, so a database dump cannot be replayed.
    await q.query(`
      CREATE TABLE operator_session (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash bytea NOT NULL UNIQUE,
        operator_id uuid NOT NULL REFERENCES operator(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX operator_session_expires_at ON operator_session (expires_at)`);
    // Shape required by rate-limiter-flexible's RateLimiterPostgres (created here, not by the library).
    await q.query(`
      CREATE TABLE login_failure (
        key varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE login_failure`);
    await q.query(`DROP TABLE operator_session`);
    await q.query(`DROP TABLE operator`);
    await q.query(`DROP TYPE operator_role`);
  }
}

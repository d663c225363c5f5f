import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operator accounts can be disabled (kept, for the processing log and the alarms' timelines, but
 * never logged in again), and the admin's list shows when each last logged in. Sessions are ended
 * by operator, so they get an index on it.
 */
export class OperatorDisable1764400000000 implements MigrationInterface {
  name = 'OperatorDisable1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE operator ADD COLUMN disabled_at timestamptz, ADD COLUMN last_login_at timestamptz`);
    await q.query(`CREATE INDEX operator_session_operator_id ON operator_session (operator_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX operator_session_operator_id`);
    await q.query(`ALTER TABLE operator DROP COLUMN last_login_at, DROP COLUMN disabled_at`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who is handling an alarm (one operator at a time, on the alarm row, so the queue reads it with the
 * alarm) and the operators' phone calls about it, each with its outcome. Calls are rows of their own,
 * not only timeline entries, so the figures can count them.
 */
export class AlarmHandling1765000000000 implements MigrationInterface {
  name = 'AlarmHandling1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE alarm ADD COLUMN handler_id uuid REFERENCES operator(id), ADD COLUMN claimed_at timestamptz`);
    await q.query(`CREATE INDEX alarm_handler ON alarm (handler_id) WHERE handler_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE alarm_call (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        alarm_id uuid NOT NULL REFERENCES alarm(id) ON DELETE CASCADE,
        operator_id uuid NOT NULL,
        to_kind text NOT NULL CHECK (to_kind IN ('owner', 'contact', 'emergency', 'guard', 'other')),
        -- No foreign key, as elsewhere in alarm history: it outlives a contact removed or erased.
        contact_id uuid,
        number text,
        outcome text NOT NULL CHECK (outcome IN ('reached', 'no_answer', 'busy', 'wrong_number', 'voicemail')),
        note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT alarm_call_contact CHECK ((to_kind = 'contact') = (contact_id IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX alarm_call_alarm ON alarm_call (alarm_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE alarm_call`);
    await q.query(`DROP INDEX alarm_handler`);
    await q.query(`ALTER TABLE alarm DROP COLUMN claimed_at, DROP COLUMN handler_id`);
  }
}

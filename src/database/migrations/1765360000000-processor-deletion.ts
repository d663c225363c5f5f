import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The messages an erasure or the end of the retention period still has to delete at the SMS
 * provider. Written in the same transaction that removes the provider's id from our own rows, so a
 * crash cannot lose one; a row goes once the provider confirms the deletion (or says it has no such
 * message). Only the provider's id is kept: nothing else about the person.
 * - `attempts`, `last_error`: deletions tried so far and why the last one failed.
 * - `next_attempt_at`: when the next attempt is due (backoff after a failure).
 */
export class ProcessorDeletion1765360000000 implements MigrationInterface {
  name = 'ProcessorDeletion1765360000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE processor_deletion (
        provider text NOT NULL,
        message_sid text NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (provider, message_sid)
      )`);
    await q.query(`CREATE INDEX processor_deletion_due ON processor_deletion (next_attempt_at)`);
    // The few SMS an erasure found being handed to the provider: blanked, their provider id arrives
    // afterwards and is moved into the queue by the worker's sweep (it stays tiny, and so does this).
    await q.query(`CREATE INDEX sms_message_erased_with_provider_id ON sms_message (id) WHERE to_phone = 'erased' AND provider_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX sms_message_erased_with_provider_id`);
    await q.query(`DROP TABLE processor_deletion`);
  }
}

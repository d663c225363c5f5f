import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retries of the onboarding notice: a notice whose SMS failed is sent again (a new sms_message row
 * each time, through the outbox and its send gate) until one is delivered or the notice is given up.
 * The state lives here, not in memory, so a restart mid-backoff still retries.
 * - `attempts`: SMS queued for this notice so far (existing notices: one).
 * - `next_attempt_at`: when the next one is due; set only while a retry is scheduled.
 * - `last_error`: why the last attempt failed (the provider's error code, or the send gate's refusal).
 * - `failed_reason`: set when the notice is given up for good (the operator is shown it).
 * - `settled_at`: delivered or given up; nothing more happens to the row.
 */
export class ContactNoticeRetry1765340000000 implements MigrationInterface {
  name = 'ContactNoticeRetry1765340000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE contact_notice
        ADD COLUMN attempts integer NOT NULL DEFAULT 1,
        ADD COLUMN next_attempt_at timestamptz,
        ADD COLUMN last_error text,
        ADD COLUMN failed_reason text,
        ADD COLUMN settled_at timestamptz`);
    // Notices already delivered are settled; those that failed before retries existed are picked up
    // by the retry check like a failure reported now.
    await q.query(`
      UPDATE contact_notice n SET settled_at = s.updated_at
        FROM sms_message s WHERE s.id = n.message_id AND s.status = 'delivered'`);
    await q.query(`CREATE INDEX contact_notice_due ON contact_notice (next_attempt_at) WHERE next_attempt_at IS NOT NULL AND settled_at IS NULL`);
    await q.query(`CREATE INDEX contact_notice_unsettled ON contact_notice (created_at) WHERE settled_at IS NULL AND next_attempt_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX contact_notice_unsettled`);
    await q.query(`DROP INDEX contact_notice_due`);
    await q.query(
      `ALTER TABLE contact_notice DROP COLUMN attempts, DROP COLUMN next_attempt_at, DROP COLUMN last_error, DROP COLUMN failed_reason, DROP COLUMN settled_at`,
    );
  }
}

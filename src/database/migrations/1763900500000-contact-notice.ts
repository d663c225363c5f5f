import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The onboarding notice (docs/privacy.md#onboarding-notice): one row per contact, phone number and
 * privacy-policy version it was sent for. The unique key is what makes it "once": the row is
 * inserted before the SMS is queued, in the same transaction, so two instances (or a retry) can
 * never queue the notice twice. Its delivery status lives in sms_message (message_id).
 */
export class ContactNotice1763900500000 implements MigrationInterface {
  name = 'ContactNotice1763900500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE contact_notice (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        contact_id uuid NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
        phone text NOT NULL,
        policy_version text NOT NULL,
        -- NULL only if the message row is erased later (retention); the notice was still sent.
        message_id uuid REFERENCES sms_message(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT contact_notice_once UNIQUE (contact_id, phone, policy_version)
      )`);
    await q.query(`CREATE INDEX contact_notice_contact ON contact_notice (contact_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE contact_notice`);
  }
}

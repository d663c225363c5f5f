import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The daily SMS caps (SmsDailyCaps): an outbound message records the operator whose request caused
 * it (a contact's onboarding notice), and today's capped messages are counted from one partial index.
 * operator_id is a plain uuid like the other ids here: the message log outlives what it names.
 */
export class SmsCaps1764500000000 implements MigrationInterface {
  name = 'SmsCaps1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sms_message ADD COLUMN operator_id uuid`);
    // Exactly the messages the caps count (SmsDailyCaps.CAPPED): notices and automatic replies that were not refused.
    await q.query(`
      CREATE INDEX sms_message_daily_cap ON sms_message (created_at) INCLUDE (operator_id)
       WHERE direction = 'outbound' AND status <> 'refused'
         AND (purpose = 'contact_notice' OR (purpose = 'reply' AND reply_kind IS DISTINCT FROM 'confirmation'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX sms_message_daily_cap`);
    await q.query(`ALTER TABLE sms_message DROP COLUMN operator_id`);
  }
}

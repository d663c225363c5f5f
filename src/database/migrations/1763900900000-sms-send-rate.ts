import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SMS_RATE_PER_SECOND for the whole central, not per instance: one token bucket row that every
 * instance's outbox draws from in the statement that claims messages (SmsDispatcher). With a bucket in
 * each instance, two instances handed the provider twice what it sends, and the surplus waited in the
 * provider's first-come queue, where alarm SMS cannot pass notices and a fire cannot pass a burglary.
 * The row starts full (more tokens than any burst; the claim caps them at the burst).
 */
export class SmsSendRate1763900900000 implements MigrationInterface {
  name = 'SmsSendRate1763900900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sms_send_rate (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        tokens double precision NOT NULL CHECK (tokens >= 0),
        refilled_at timestamptz NOT NULL
      )`);
    await q.query(`INSERT INTO sms_send_rate (tokens, refilled_at) VALUES (1e9, now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sms_send_rate`);
  }
}

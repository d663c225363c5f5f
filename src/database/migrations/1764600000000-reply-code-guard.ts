import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Wrong reply codes per sender number, so that whoever can send an SMS with someone else's number as
 * sender cannot try codes until one acknowledges their alarm. One row per number that texted a wrong
 * code, kept only while its window runs (the inbound handler deletes expired rows as it goes). And
 * random codes: allocation reads the codes each phone was sent recently.
 */
export class ReplyCodeGuard1764600000000 implements MigrationInterface {
  name = 'ReplyCodeGuard1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reply_code_guess (
        phone text PRIMARY KEY,
        wrong_codes integer NOT NULL CHECK (wrong_codes >= 1),
        -- Until then the count holds; once the limit is reached, until then every code is refused.
        window_ends_at timestamptz NOT NULL,
        -- The number was told to wait (once per window).
        told_to_wait boolean NOT NULL DEFAULT false
      )`);
    await q.query(`CREATE INDEX reply_code_guess_window ON reply_code_guess (window_ends_at)`);
    // Allocation avoids the codes a phone was sent in the last day, not only its active ones.
    await q.query(`CREATE INDEX reply_code_phone_sent ON reply_code (phone, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX reply_code_phone_sent`);
    await q.query(`DROP TABLE reply_code_guess`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SMS in and out (docs/api-contract.md#messages) and the durable outbox they go through (src/sms/sms-outbox.ts).
 * customer/contact/alarm ids are plain uuids on purpose, without foreign keys: the message log must
 * outlive an erased customer (anonymised, not cascaded away) and must not depend on those modules.
 */
export class Sms1763900300000 implements MigrationInterface {
  name = 'Sms1763900300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sms_message (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        direction text NOT NULL CHECK (direction IN ('outbound', 'inbound')),
        to_phone text NOT NULL,
        from_phone text NOT NULL,
        body text NOT NULL,
        purpose text NOT NULL CHECK (purpose IN ('contact_notice', 'alarm_owner', 'alarm_contact', 'reply')),
        legal_basis text NOT NULL CHECK (legal_basis IN
          ('consent', 'contract', 'legal_obligation', 'vital_interests', 'public_task', 'legitimate_interests')),
        alarm_id uuid,
        contact_id uuid,
        customer_id uuid,
        -- A reply names the inbound message it answers; the send policy only lets replies answer someone.
        in_reply_to uuid REFERENCES sms_message(id) ON DELETE SET NULL,
        -- help | unknown_code | confirmation: automatic replies are counted per number (SMS loops).
        reply_kind text,
        status text NOT NULL CHECK (status IN
          ('queued', 'sending', 'sent', 'delivered', 'failed', 'undelivered', 'received', 'refused')),
        priority integer NOT NULL DEFAULT 0,
        provider_id text UNIQUE,
        error_code text,
        refusal_reason text,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        -- While 'sending': the deadline of the current attempt. Past it, the outcome is unknown and
        -- the message is failed, never sent again (at most once).
        claimed_until timestamptz,
        -- When the provider accepted it: escalation waits start here (docs/alarm-handling.md#escalation-timings).
        sent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT sms_message_refusal_has_reason CHECK ((status = 'refused') = (refusal_reason IS NOT NULL))
      )`);
    // The dispatcher's claim: due queued rows, alarms first.
    await q.query(`CREATE INDEX sms_message_dispatch ON sms_message (priority DESC, next_attempt_at, created_at) WHERE status = 'queued'`);
    // The sweeper's look for sends whose deadline passed.
    await q.query(`CREATE INDEX sms_message_sending ON sms_message (claimed_until) WHERE status = 'sending'`);
    // GET /api/messages, newest first, with its filters; the help-reply limit looks up by number.
    await q.query(`CREATE INDEX sms_message_created ON sms_message (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX sms_message_customer ON sms_message (customer_id, created_at DESC) WHERE customer_id IS NOT NULL`);
    await q.query(`CREATE INDEX sms_message_contact ON sms_message (contact_id, created_at DESC) WHERE contact_id IS NOT NULL`);
    await q.query(`CREATE INDEX sms_message_alarm ON sms_message (alarm_id, created_at DESC) WHERE alarm_id IS NOT NULL`);
    await q.query(`CREATE INDEX sms_message_to_phone ON sms_message (to_phone, created_at DESC)`);

    // Numbers that replied STOP (Art. 21 objection): nothing is sent to them while a row exists.
    await q.query(`
      CREATE TABLE sms_opt_out (
        phone text PRIMARY KEY,
        opted_out_at timestamptz NOT NULL DEFAULT now(),
        source text NOT NULL,
        inbound_message_id uuid REFERENCES sms_message(id) ON DELETE SET NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sms_opt_out`);
    await q.query(`DROP TABLE sms_message`);
  }
}

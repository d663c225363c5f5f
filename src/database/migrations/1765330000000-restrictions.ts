import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Art. 18 restrictions as records, not only the `restricted` flag: why the data is restricted
 * (Art. 18(1)(a)-(d)), what still happens to it and on which Art. 18(2) ground (alarm SMS), when the
 * person was told before it was lifted (Art. 18(3)), and which recipients were told of it (Art. 19).
 * Kept with the customer's record (ON DELETE CASCADE); a contact's rows go when the contact is
 * erased (the erasure deletes them), and a recipient's row when that contact is.
 */
export class Restrictions1765330000000 implements MigrationInterface {
  name = 'Restrictions1765330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE restriction (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subject_type text NOT NULL CHECK (subject_type IN ('customer', 'contact')),
        subject_id uuid NOT NULL,
        customer_id uuid NOT NULL REFERENCES customer(id) ON DELETE CASCADE,
        ground text CHECK (ground IN ('accuracy_contested', 'unlawful_processing', 'needed_for_claims', 'objection_pending')),
        continued text NOT NULL,
        restricted_at timestamptz NOT NULL DEFAULT now(),
        restricted_by uuid,
        lift_notified_at timestamptz,
        lifted_at timestamptz,
        lifted_by uuid,
        CONSTRAINT restriction_lift_notified CHECK (lifted_at IS NULL OR lift_notified_at IS NOT NULL)
      )`);
    await q.query(`CREATE UNIQUE INDEX restriction_current ON restriction (subject_type, subject_id) WHERE lifted_at IS NULL`);
    await q.query(`CREATE INDEX restriction_customer ON restriction (customer_id)`);
    await q.query(`
      CREATE TABLE restriction_recipient (
        restriction_id uuid NOT NULL REFERENCES restriction(id) ON DELETE CASCADE,
        contact_id uuid NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
        message_id uuid REFERENCES sms_message(id) ON DELETE SET NULL,
        informed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (restriction_id, contact_id)
      )`);
    await q.query(`CREATE INDEX restriction_recipient_contact ON restriction_recipient (contact_id)`);
    // Restrictions set before this table existed: on record, with no ground given and the SMS exception.
    await q.query(`
      INSERT INTO restriction (subject_type, subject_id, customer_id, continued)
      SELECT 'customer', id, id, 'alarm SMS (Art. 18(2))' FROM customer WHERE restricted
      UNION ALL
      SELECT 'contact', id, customer_id, 'alarm SMS (Art. 18(2))' FROM contact WHERE restricted`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE restriction_recipient`);
    await q.query(`DROP TABLE restriction`);
  }
}

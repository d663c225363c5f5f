import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Data-subject requests (src/privacy/erasure.ts). One row per erased customer or contact: ids and
 * what was done, never a name or a number. It proves the request was carried out (Art. 5(2)) and
 * makes a repeated request answer the same result instead of a 404.
 */
export class PrivacyRights1763900600000 implements MigrationInterface {
  name = 'PrivacyRights1763900600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE erasure_record (
        subject_type text NOT NULL CHECK (subject_type IN ('customer', 'contact')),
        subject_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        -- 'operator:<id>' for a request, 'system:retention' for the retention job.
        erased_by text NOT NULL CHECK (length(erased_by) BETWEEN 1 AND 200),
        erased_at timestamptz NOT NULL DEFAULT now(),
        result jsonb NOT NULL,
        PRIMARY KEY (subject_type, subject_id)
      )`);
    // Alarms a contact was part of (export and erasure look them up by contact).
    await q.query(`CREATE INDEX alarm_chain ON alarm USING gin (chain)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX alarm_chain`);
    await q.query(`DROP TABLE erasure_record`);
  }
}

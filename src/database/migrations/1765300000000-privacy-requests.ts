import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The register of data subjects' requests (src/privacy/privacy-requests.*): when each came in, how
 * the person's identity was checked (Art. 12(6)), when it is due (Art. 12(3)), an extension and the
 * notice about it, the outcome, and what was produced for it. No foreign key to the subject: the
 * register outlives an erasure, as proof the request was answered (Art. 5(2)).
 */
export class PrivacyRequests1765300000000 implements MigrationInterface {
  name = 'PrivacyRequests1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE privacy_request (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('access', 'rectification', 'erasure', 'restriction', 'objection', 'portability')),
        subject_type text NOT NULL CHECK (subject_type IN ('customer', 'contact')),
        subject_id uuid NOT NULL,
        -- The customer itself, or the customer who named the contact: where export and erasure start.
        customer_id uuid NOT NULL,
        received_at timestamptz NOT NULL,
        original_due_at timestamptz NOT NULL,
        due_at timestamptz NOT NULL,
        identity_check text CHECK (length(identity_check) BETWEEN 1 AND 1000),
        note text CHECK (length(note) BETWEEN 1 AND 2000),
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'extended', 'done', 'refused')),
        extension_reason text CHECK (length(extension_reason) BETWEEN 1 AND 1000),
        extended_at timestamptz,
        extension_notice text,
        outcome text CHECK (length(outcome) BETWEEN 1 AND 2000),
        closed_at timestamptz,
        -- What was produced for it: an export's hash and size (never the document), an erasure's answer.
        documents jsonb NOT NULL DEFAULT '[]',
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (due_at >= original_due_at),
        CHECK (status <> 'extended' OR extended_at IS NOT NULL),
        CHECK (status <> 'refused' OR outcome IS NOT NULL),
        CHECK (status <> 'done' OR identity_check IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX privacy_request_due ON privacy_request (due_at) WHERE status IN ('open', 'extended')`);
    await q.query(`CREATE INDEX privacy_request_subject ON privacy_request (subject_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE privacy_request`);
  }
}

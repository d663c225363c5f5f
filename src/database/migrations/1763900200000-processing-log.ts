import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The processing log (GDPR Art. 5(2), 30): one row per execution of an operation on personal data,
 * append-only in the database itself, plus a separate append-only hash chain over it (see
 * src/privacy/processing-log.sealer.ts for why the chain lives in its own table).
 */
export class ProcessingLog1763900200000 implements MigrationInterface {
  name = 'ProcessingLog1763900200000';

  async up(q: QueryRunner): Promise<void> {
    // One function for every append-only table: it names the table and the refused operation.
    // Statement-level, so even an UPDATE or DELETE matching no row is refused, and TRUNCATE too
    // (row triggers never see TRUNCATE).
    await q.query(`
      CREATE FUNCTION refuse_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'entries are never changed or removed; the hash chain would show it';
      END
      $$`);

    // subject_ids is uuid[] on purpose: the database itself refuses anything but ids (a name or a
    // phone number cannot be stored there by mistake). at is clock_timestamp(), not now(): a long
    // transaction writing many entries gets each its own time.
    await q.query(`
      CREATE TABLE processing_log (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor_type text NOT NULL CHECK (actor_type IN ('operator', 'panel', 'system', 'public')),
        actor_id text CHECK (length(actor_id) BETWEEN 1 AND 100),
        operation text NOT NULL CHECK (length(operation) BETWEEN 1 AND 200),
        legal_basis text NOT NULL CHECK (legal_basis IN
          ('consent', 'contract', 'legal_obligation', 'vital_interests', 'public_task', 'legitimate_interests')),
        purpose text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 1000),
        subject_ids uuid[] NOT NULL DEFAULT '{}',
        outcome text NOT NULL CHECK (outcome IN ('success', 'refused', 'error')),
        http_status smallint CHECK (http_status BETWEEN 100 AND 599),
        request_id text CHECK (length(request_id) <= 100),
        -- An operator or a panel is always named by its id; a system actor by the job's name.
        CHECK (actor_type = 'public' OR actor_id IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX processing_log_at ON processing_log (at)`);
    // "Everything done to this person": the DPO's search and the data-subject export.
    await q.query(`CREATE INDEX processing_log_subject_ids ON processing_log USING gin (subject_ids)`);

    // position is the chain order: 1, 2, 3... without gaps, given by the sealer (which holds a lock),
    // so a deleted seal shows as a missing position. It is not the entry's seq: entries commit out
    // of seq order (a transaction holding seq 100 may commit after the one holding 101 was sealed),
    // so a late entry is sealed at a later position instead of being lost.
    await q.query(`
      CREATE TABLE processing_log_seal (
        position bigint PRIMARY KEY CHECK (position > 0),
        seq bigint NOT NULL UNIQUE,
        prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),
        hash bytea NOT NULL CHECK (length(hash) = 32),
        sealed_at timestamptz NOT NULL DEFAULT now()
      )`);

    for (const table of ['processing_log', 'processing_log_seal']) {
      await q.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()`);
      await q.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()`);
    }

    // The sealer's bookkeeping, not part of the log (so it may change): seq ranges that were not
    // visible when the entries around them were sealed. Either a rolled-back insert (never appears)
    // or a transaction still open (appears later and must still be sealed). Rows here expire.
    await q.query(`
      CREATE TABLE processing_log_seal_gap (
        lo bigint NOT NULL,
        hi bigint NOT NULL,
        seen_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (lo),
        CHECK (lo <= hi)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE processing_log_seal_gap`);
    await q.query(`DROP TABLE processing_log_seal`);
    await q.query(`DROP TABLE processing_log`);
    await q.query(`DROP FUNCTION refuse_append_only_change()`);
  }
}

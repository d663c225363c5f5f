import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The processing log keeps what a data subject or the DPO asks about, for ten years, and no longer.
 *
 * - `detail`: what an entry adds to its operation (a panel's supervision day: how many signals,
 *   first and last; a retention run: the checkpoint it wrote). Hashed with the entry when present,
 *   so entries without it keep the hashes they were sealed with.
 * - `panel_supervision_day`: machine supervision (heartbeats, link tests, test signals) counted per
 *   panel and UTC day as it arrives, and written to the log as one entry when the day is closed.
 *   Not part of the log (it is changed on every signal); a row lives for a day. fillfactor 50 keeps
 *   the per-signal update a HOT update on the same page.
 * - `processing_log_retention`: one sealed checkpoint per removal of the chain's oldest entries:
 *   the positions and seqs removed, how many of each operation, the hash of the last removed seal
 *   (the first kept seal links to it) and its own hash, chained to the previous checkpoint's.
 *   Append-only like the log.
 * - `processing_log_remove_old`: the only way entries leave the log. SECURITY DEFINER, owned by the
 *   owner role, so the app's role (which has no DELETE on the log and cannot touch its triggers)
 *   can call it, and it can do exactly this: remove a prefix of the chain, never the newest seal,
 *   nothing younger than ten years by the database's own clock whatever the caller passes, and
 *   only by writing, in the same transaction, the checkpoint it computed from the rows it removed
 *   and a log entry carrying that checkpoint's hash (sealed into the chain that is kept, so a
 *   checkpoint changed afterwards no longer matches it).
 * - `refuse_append_only_change` lets a DELETE on processing_log or processing_log_seal through only
 *   inside that function: a transaction-local flag it sets, and the current user being the table's
 *   owner (inside the function, the owner; the app's role can set the flag but is never the owner).
 */
export class ProcessingLogRetention1765320000000 implements MigrationInterface {
  name = 'ProcessingLogRetention1765320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE processing_log ADD COLUMN detail jsonb
        CHECK (detail IS NULL OR (jsonb_typeof(detail) = 'object' AND octet_length(detail::text) <= 8000))`);

    await q.query(`
      CREATE TABLE panel_supervision_day (
        panel_id uuid NOT NULL,
        day date NOT NULL,
        signals integer NOT NULL CHECK (signals > 0),
        first_at timestamptz NOT NULL,
        last_at timestamptz NOT NULL,
        PRIMARY KEY (panel_id, day)
      ) WITH (fillfactor = 50)`);

    await q.query(`
      CREATE TABLE processing_log_retention (
        through_position bigint PRIMARY KEY CHECK (through_position > 0),
        first_position bigint NOT NULL CHECK (first_position > 0 AND first_position <= through_position),
        first_seq bigint NOT NULL,
        last_seq bigint NOT NULL,
        entries bigint NOT NULL CHECK (entries = through_position - first_position + 1),
        link_hash bytea NOT NULL CHECK (length(link_hash) = 32),
        operations jsonb NOT NULL,
        removed_before timestamptz NOT NULL,
        removed_at timestamptz NOT NULL,
        prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),
        hash bytea NOT NULL CHECK (length(hash) = 32),
        recorded_seq bigint NOT NULL
      )`);
    await q.query(`
      CREATE TRIGGER processing_log_retention_append_only BEFORE UPDATE OR DELETE ON processing_log_retention
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()`);
    await q.query(`
      CREATE TRIGGER processing_log_retention_no_truncate BEFORE TRUNCATE ON processing_log_retention
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()`);

    // A checkpoint's hash: sha256(the previous checkpoint's hash || its fields as JSON text). Verify
    // recomputes it with this same function, so the two cannot disagree about the bytes.
    await q.query(`
      CREATE FUNCTION processing_log_retention_digest(r processing_log_retention) RETURNS bytea
      LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
        SELECT sha256(r.prev_hash || convert_to(jsonb_build_array(
          r.first_position::text, r.through_position::text, r.first_seq::text, r.last_seq::text, r.entries::text,
          encode(r.link_hash, 'hex'), r.operations,
          to_char(r.removed_before AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
          to_char(r.removed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text, 'UTF8'))
      $$`);

    await q.query(`
      CREATE OR REPLACE FUNCTION refuse_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND TG_TABLE_NAME IN ('processing_log', 'processing_log_seal')
           AND current_setting('keyholder.processing_log_retention', true) = 'removing'
           AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
          RETURN NULL;
        END IF;
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'entries are never changed or removed; the hash chain would show it';
      END
      $$`);

    await q.query(`
      CREATE FUNCTION processing_log_remove_old(p_cutoff timestamptz, p_limit integer, p_operation text, p_legal_basis text, p_purpose text)
      RETURNS SETOF processing_log_retention
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
      DECLARE
        -- Ten years by the database's clock at most, whatever the caller says (PROCESSING_LOG_YEARS).
        cutoff timestamptz := least(p_cutoff, now() - interval '10 years');
        prev processing_log_retention;
        first_pos bigint;
        head bigint;
        young bigint;
        last_pos bigint;
        cp processing_log_retention;
      BEGIN
        IF p_limit IS NULL OR p_limit < 1 THEN RAISE EXCEPTION 'p_limit must be positive'; END IF;
        -- The sealer's lock: the chain does not move while its start is cut.
        PERFORM pg_advisory_xact_lock(727002);
        SELECT * INTO prev FROM processing_log_retention ORDER BY through_position DESC LIMIT 1;
        first_pos := coalesce(prev.through_position, 0) + 1;
        SELECT max(position) INTO head FROM processing_log_seal;
        IF head IS NULL THEN RETURN; END IF;
        -- A prefix of the chain only: up to the first entry still within its period, and never the
        -- newest seal, which the sealer links the next entry to.
        SELECT min(s.position) INTO young FROM processing_log_seal s JOIN processing_log e ON e.seq = s.seq
         WHERE s.position BETWEEN first_pos AND first_pos + p_limit - 1 AND e.at >= cutoff;
        last_pos := least(coalesce(young - 1, first_pos + p_limit - 1), head - 1);
        IF last_pos < first_pos THEN RETURN; END IF;

        cp.first_position := first_pos;
        cp.through_position := last_pos;
        cp.entries := last_pos - first_pos + 1;
        cp.removed_before := cutoff;
        cp.removed_at := clock_timestamp();
        cp.prev_hash := coalesce(prev.hash, decode(repeat('00', 32), 'hex'));
        SELECT hash INTO cp.link_hash FROM processing_log_seal WHERE position = last_pos;

        PERFORM set_config('keyholder.processing_log_retention', 'removing', true);
        WITH s AS (DELETE FROM processing_log_seal WHERE position BETWEEN first_pos AND last_pos RETURNING seq),
             e AS (DELETE FROM processing_log WHERE seq IN (SELECT seq FROM s) RETURNING seq, operation),
             n AS (SELECT operation, count(*) AS c FROM e GROUP BY operation)
        SELECT (SELECT min(seq) FROM s), (SELECT max(seq) FROM s), coalesce((SELECT jsonb_object_agg(operation, c) FROM n), '{}')
          INTO cp.first_seq, cp.last_seq, cp.operations;
        PERFORM set_config('keyholder.processing_log_retention', '', true);

        cp.recorded_seq := 0;
        cp.hash := decode(repeat('00', 32), 'hex');
        cp.hash := processing_log_retention_digest(cp);
        INSERT INTO processing_log (actor_type, actor_id, operation, legal_basis, purpose, subject_ids, outcome, detail)
        VALUES ('system', 'processing-log-retention', p_operation, p_legal_basis, p_purpose, '{}', 'success',
                jsonb_build_object('checkpoint', jsonb_build_object(
                  'firstPosition', cp.first_position, 'throughPosition', cp.through_position, 'entries', cp.entries,
                  'firstSeq', cp.first_seq, 'lastSeq', cp.last_seq, 'removedBefore', cp.removed_before,
                  'operations', cp.operations, 'hash', encode(cp.hash, 'hex'))))
        RETURNING seq INTO cp.recorded_seq;
        INSERT INTO processing_log_retention SELECT cp.*;
        RETURN NEXT cp;
      END
      $$`);
    await q.query(`REVOKE ALL ON FUNCTION processing_log_remove_old(timestamptz, integer, text, text, text) FROM PUBLIC`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION processing_log_remove_old(timestamptz, integer, text, text, text)`);
    await q.query(`
      CREATE OR REPLACE FUNCTION refuse_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'entries are never changed or removed; the hash chain would show it';
      END
      $$`);
    await q.query(`DROP FUNCTION processing_log_retention_digest(processing_log_retention)`);
    await q.query(`DROP TABLE processing_log_retention`);
    await q.query(`DROP TABLE panel_supervision_day`);
    await q.query(`ALTER TABLE processing_log DROP COLUMN detail`);
  }
}

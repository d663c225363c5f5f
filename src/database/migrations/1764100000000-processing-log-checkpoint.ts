import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Checking the whole hash chain takes time in proportion to the log (every heartbeat is an entry:
 * millions a day at a real central), so it cannot run each time the DPO looks. A full check that
 * found the chain intact records where it ended (position and hash); later checks start from the
 * newest such checkpoint, after confirming the seal there still has that hash, and a nightly full
 * check keeps re-reading everything. Append-only like the log itself: a checkpoint vouches for
 * everything before it, so it is never changed or removed.
 */
export class ProcessingLogCheckpoint1764100000000 implements MigrationInterface {
  name = 'ProcessingLogCheckpoint1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE processing_log_checkpoint (
        position bigint PRIMARY KEY CHECK (position > 0),
        hash bytea NOT NULL CHECK (length(hash) = 32),
        entries bigint NOT NULL CHECK (entries > 0),
        verified_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TRIGGER processing_log_checkpoint_append_only BEFORE UPDATE OR DELETE ON processing_log_checkpoint
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()`);
    await q.query(`
      CREATE TRIGGER processing_log_checkpoint_no_truncate BEFORE TRUNCATE ON processing_log_checkpoint
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE processing_log_checkpoint`);
  }
}

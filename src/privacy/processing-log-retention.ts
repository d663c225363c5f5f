import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import { inBackground } from '../database/connection-priority.js';
import { firstRow, rows } from '../database/rows.js';
import { PROCESSING_LOG_RETENTION } from './privacy.processing.js';
import { CHECK_LOCK } from './processing-log-check.js';
import { PROCESSING_LOG_YEARS, ProcessingLog } from './processing-log.service.js';
import { Processing } from './processing.decorator.js';

const ACTOR = { type: 'system', id: 'processing-log-retention' } as const;
/** Chain positions removed per transaction (each with its own checkpoint): well inside the statement timeout. */
const BATCH = 50_000;

export interface LogRetentionRun {
  /** Entries removed. */
  removed: number;
  /** Checkpoints written (one per batch). */
  checkpoints: number;
  /** Set when another instance was already at it, or the nightly whole check was running: nothing was done. */
  skipped?: true;
}

/**
 * Storage limitation for the processing log itself: entries older than PROCESSING_LOG_YEARS go,
 * oldest first, each batch summarised by a sealed checkpoint, so verify starts from there and still
 * proves everything kept. The removal itself is the database's processing_log_remove_old, owned by
 * the owner role: it alone can delete from the append-only log, only a prefix of the chain older
 * than ten years by the database's clock, and only by writing the checkpoint and its log entry in
 * the same transaction (see its migration). This job only asks it, batch by batch.
 *
 * It shares the nightly whole check's lock, so that check never reads a chain whose start is being cut.
 */
@Injectable()
export class ProcessingLogRetention {
  private readonly logger = new Logger(ProcessingLogRetention.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly log: ProcessingLog,
  ) {}

  @Cron('0 55 3 * * *', { name: 'retention-processing-log' })
  @Processing(PROCESSING_LOG_RETENTION)
  async removeOld(now = new Date()): Promise<LogRetentionRun> {
    return inBackground(async () => {
      const qr = this.db.createQueryRunner();
      await qr.connect();
      try {
        const [{ locked }] = await rows<{ locked: boolean }>(qr, `SELECT pg_try_advisory_lock($1) AS locked`, [CHECK_LOCK]);
        if (!locked) return { removed: 0, checkpoints: 0, skipped: true as const };
        try {
          return await this.removeUnderLock(now);
        } finally {
          await qr.query(`SELECT pg_advisory_unlock($1)`, [CHECK_LOCK]);
        }
      } finally {
        await qr.release();
      }
    });
  }

  private async removeUnderLock(now: Date): Promise<LogRetentionRun> {
    const cutoff = DateTime.fromJSDate(now, { zone: 'utc' }).minus({ years: PROCESSING_LOG_YEARS }).toJSDate();
    const { operation, legalBasis, purpose } = PROCESSING_LOG_RETENTION;
    let removed = 0;
    let checkpoints = 0;
    for (;;) {
      // One statement, so one transaction: the checkpoint and its entry exist if and only if the removal does.
      const checkpoint = await firstRow<{ entries: number }>(this.db, `SELECT entries::int AS entries FROM processing_log_remove_old($1, $2, $3, $4, $5)`, [
        cutoff,
        BATCH,
        operation,
        legalBasis,
        purpose,
      ]);
      if (!checkpoint) break;
      removed += checkpoint.entries;
      checkpoints += 1;
      this.log.written();
      if (checkpoint.entries < BATCH) break;
    }
    // The run is recorded also when there was nothing to remove (each removal recorded its own checkpoint).
    if (checkpoints === 0)
      await this.log.record({ actor: ACTOR, operation, legalBasis, purpose, subjectIds: [], detail: { removed: 0, removedBefore: cutoff.toISOString() } });
    if (removed) this.logger.log({ removed, checkpoints }, 'processing log: entries past their period removed under sealed checkpoints');
    return { removed, checkpoints };
  }
}

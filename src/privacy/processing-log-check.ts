import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { inBackground } from '../database/connection-priority.js';
import { rows } from '../database/rows.js';
import { PROCESSING_LOG_VERIFY } from './privacy.processing.js';
import { ProcessingLogVerifier, type VerifyResult } from './processing-log.verifier.js';
import { ProcessingLog } from './processing-log.service.js';
import { Processing } from './processing.decorator.js';

const ACTOR = { type: 'system', id: 'processing-log-check' } as const;
/** Distinct from the migration (727001) and sealer (727002) locks. */
export const CHECK_LOCK = 727003;

/**
 * The whole hash chain, re-read once a night. The DPO's page checks from the newest checkpoint,
 * which is quick but takes what came before it on trust; this keeps re-reading all of it (an old
 * entry altered is found within a day) and records the next checkpoint. One instance at a time.
 */
@Injectable()
export class ProcessingLogCheck {
  private readonly logger = new Logger(ProcessingLogCheck.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly verifier: ProcessingLogVerifier,
    private readonly log: ProcessingLog,
  ) {}

  /** Null when another instance was already checking. */
  @Cron('0 5 3 * * *', { name: 'processing-log-full-check' })
  @Processing(PROCESSING_LOG_VERIFY)
  async checkWholeChain(): Promise<VerifyResult | null> {
    return inBackground(async () => {
      const qr = this.db.createQueryRunner();
      await qr.connect();
      try {
        const [{ locked }] = await rows<{ locked: boolean }>(qr, `SELECT pg_try_advisory_lock($1) AS locked`, [CHECK_LOCK]);
        if (!locked) return null;
        try {
          const result = await this.verifier.verify();
          const { operation, legalBasis, purpose } = PROCESSING_LOG_VERIFY;
          await this.log.record({ actor: ACTOR, operation, legalBasis, purpose, subjectIds: [] });
          if (result.ok) this.logger.log({ entries: result.entries }, 'processing log: the whole hash chain checks out');
          else this.logger.error({ verify: result }, 'processing log: the hash chain does NOT check out');
          return result;
        } finally {
          await qr.query(`SELECT pg_advisory_unlock($1)`, [CHECK_LOCK]);
        }
      } catch (e) {
        this.logger.error({ err: e }, 'the nightly check of the processing log could not run; tomorrow night tries again');
        return null;
      } finally {
        await qr.release();
      }
    });
  }
}

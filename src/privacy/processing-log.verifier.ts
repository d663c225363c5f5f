import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { firstRow, rows } from '../database/rows.js';
import { chainHash, GENESIS, HASHED_COLUMNS, type HashedEntry } from './processing-log.hash.js';
import { ProcessingLogSealer, type ChainHead } from './processing-log.sealer.js';

/** Rows verify reads per round trip. */
const VERIFY_PAGE = 10000;

export type VerifyProblem =
  | 'entry_altered'
  | 'entry_deleted'
  | 'seal_missing'
  | 'seal_altered'
  | 'anchor_not_reached'
  | 'anchor_mismatch'
  | 'checkpoint_mismatch'
  | 'retention_checkpoint_altered'
  | 'retention_checkpoint_mismatch';

/** Where a full check found the chain intact: later checks start there. */
export interface Checkpoint {
  position: number;
  /** The seal's hash there (hex). */
  hash: string;
  /** Entries the full check read. */
  entries: number;
  verifiedAt: string;
}

/** Where the kept chain starts: everything up to `throughPosition` was removed under sealed retention checkpoints. */
export interface Retained {
  throughPosition: number;
  /** Entries removed in all, over every retention run. */
  removed: number;
  /** The newest run's cutoff: entries from before it are gone. */
  removedBefore: string;
}

/**
 * `from`: the checkpoint a check started from (absent: it read the whole chain); `entries` counts what it read.
 * `retained`: present once old entries were removed; the check then starts where they end.
 */
export type VerifyResult =
  | { ok: true; entries: number; from?: Checkpoint; retained?: Retained }
  // firstBadSeq is absent when the problem is the anchor: the entries that would tell are gone.
  | { ok: false; entries: number; firstBadSeq?: number; reason: VerifyProblem; detail: string; from?: Checkpoint; retained?: Retained };

type RetentionRow = {
  through_position: string;
  first_position: string;
  entries: string;
  link_hash: Buffer;
  prev_hash: Buffer;
  hash: Buffer;
  removed_before: Date;
  recorded_seq: string;
  intact: boolean;
  recorded_hash: string | null;
};

type SealRow = HashedEntry & { position: string; seal_seq: string; prev_hash: Buffer; hash: Buffer };

/**
 * Checks the processing log's hash chain (what ProcessingLogSealer wrote): every entry against its
 * seal, every seal against the one before, the retention checkpoints where old entries were removed,
 * and, given one, an anchor kept outside the database. A whole check that checks out records a
 * checkpoint, so later checks can start there.
 */
@Injectable()
export class ProcessingLogVerifier {
  constructor(
    private readonly db: DataSource,
    private readonly sealer: ProcessingLogSealer,
  ) {}

  /**
   * Seals what is pending, then recomputes the chain: an altered entry (hash mismatch), a deleted
   * entry (a seal without its entry), a deleted or altered seal (the chain breaks) each make it
   * fail, at the first seq where it no longer checks out.
   *
   * What it cannot see on its own: the newest entries removed together with their seals (cutting
   * the tail), since what is left is a valid chain. An `anchor` (a head read earlier, kept outside
   * the database: the log line logHead writes, or GET .../head) closes that: the chain must still
   * reach its position, with its hash there.
   *
   * `fromCheckpoint` starts at the newest checkpoint instead of the beginning: the seal there must
   * still have the hash the full check found, and only what came after is read. A whole check that
   * checks out records a checkpoint where it ended.
   */
  async verify(anchor?: ChainHead, options: { fromCheckpoint?: boolean } = {}): Promise<VerifyResult> {
    const start = await this.retentionStart();
    if ('reason' in start) return { ok: false, entries: 0, reason: start.reason, detail: start.detail };
    const retainedField = start.retained ? { retained: start.retained } : {};
    const checkpoint = options.fromCheckpoint ? await this.latestCheckpoint() : undefined;
    // A check's checkpoint at or below what retention removed vouches for nothing still there.
    const from = checkpoint && checkpoint.position > start.position ? checkpoint : undefined;
    // From a checkpoint, only entries after the one sealed there are looked for, so this check
    // does not scan the whole log either. One below it still unsealed (its transaction outlived the
    // gap's ten minutes) is sealed by the whole check each night.
    const [atCheckpoint] = from
      ? await rows<{ seq: string }>(this.db, `SELECT seq::text AS seq FROM processing_log_seal WHERE position = $1`, [from.position])
      : [];
    await this.sealer.sealPending({ full: true, above: atCheckpoint ? BigInt(atCheckpoint.seq) : 0n });
    const [{ last }] = await this.db.query(`SELECT coalesce(max(position), 0)::text AS last FROM processing_log_seal`);
    let prev: Buffer = start.hash;
    let expected = BigInt(start.position) + 1n;
    let after = BigInt(start.position);
    let entries = 0;
    let problem: { seq?: string; reason: VerifyProblem; detail: string } | undefined;

    if (from) {
      const seal = await firstRow<{ hash: Buffer }>(this.db, `SELECT hash FROM processing_log_seal WHERE position = $1`, [from.position]);
      if (seal?.hash.toString('hex') !== from.hash) {
        // Nothing after it can be trusted either: the chain would have to be read from the start.
        return {
          ok: false,
          entries: 0,
          reason: 'checkpoint_mismatch',
          detail: `the seal at chain position ${from.position} is ${seal ? 'not the one' : 'gone that'} a full check found there at ${from.verifiedAt}: the chain was cut or rebuilt from there or before`,
          from,
          ...retainedField,
        };
      }
      prev = Buffer.from(from.hash, 'hex');
      expected = BigInt(from.position) + 1n;
      after = BigInt(from.position);
    }

    while (after < BigInt(last)) {
      const rows: SealRow[] = await this.db.query(
        `SELECT s.position::text AS position, s.seq::text AS seal_seq, s.prev_hash, s.hash, ${HASHED_COLUMNS}
           FROM processing_log_seal s LEFT JOIN processing_log e ON e.seq = s.seq
          WHERE s.position > $1 AND s.position <= $2 ORDER BY s.position LIMIT $3`,
        [after.toString(), last, VERIFY_PAGE],
      );
      if (rows.length === 0) break;
      for (const row of rows) {
        entries += 1;
        problem ??= checkSeal(row, expected, prev);
        if (anchor && Number(row.position) === anchor.position && row.hash.toString('hex') !== anchor.hash) {
          problem ??= {
            reason: 'anchor_mismatch',
            detail: `the seal at chain position ${anchor.position} is not the anchored one: the chain was rebuilt from there or before`,
          };
        }
        prev = row.hash;
        expected = BigInt(row.position) + 1n;
        after = BigInt(row.position);
      }
    }
    // An anchor at the last removed position is checked against the link the checkpoint kept; one
    // before it is older than the log's period and can no longer be checked.
    if (anchor && start.retained && anchor.position === start.position && start.hash.toString('hex') !== anchor.hash) {
      problem ??= {
        reason: 'anchor_mismatch',
        detail: `the chain's link at position ${anchor.position} (kept by its retention checkpoint) is not the anchored one`,
      };
    }
    if (anchor && BigInt(last) < BigInt(anchor.position)) {
      problem ??= {
        reason: 'anchor_not_reached',
        detail: `the chain ends at position ${last}, before the anchored position ${anchor.position}: its newest entries were removed`,
      };
    }
    const started = { ...(from ? { from } : {}), ...retainedField };
    if (problem) {
      return { ok: false, entries, ...(problem.seq ? { firstBadSeq: Number(problem.seq) } : {}), reason: problem.reason, detail: problem.detail, ...started };
    }
    if (!from && entries > 0) {
      await this.db.query(`INSERT INTO processing_log_checkpoint (position, hash, entries) VALUES ($1, $2, $3) ON CONFLICT (position) DO NOTHING`, [
        after.toString(),
        prev,
        entries,
      ]);
    }
    return { ok: true, entries, ...started };
  }

  /**
   * Where the kept chain starts, after checking the retention checkpoints: each one's own hash
   * (recomputed by the database's digest function), each linked to the one before and starting
   * where it ended; the newest one's hash carried by the log entry its run wrote (an entry sealed
   * into the kept chain, so changing the checkpoint means changing a sealed entry); and no seal
   * left at or below the removed positions (a checkpoint added without removing anything is a
   * way to skip the check of what lies below it).
   */
  private async retentionStart(): Promise<{ position: number; hash: Buffer; retained?: Retained } | { reason: VerifyProblem; detail: string }> {
    const retentions = await rows<RetentionRow>(
      this.db,
      `SELECT r.through_position::text AS through_position, r.first_position::text AS first_position, r.entries::text AS entries,
              r.link_hash, r.prev_hash, r.hash, r.removed_before, r.recorded_seq::text AS recorded_seq,
              processing_log_retention_digest(r) = r.hash AS intact,
              (SELECT e.detail->'checkpoint'->>'hash' FROM processing_log e WHERE e.seq = r.recorded_seq) AS recorded_hash
         FROM processing_log_retention r ORDER BY r.through_position`,
    );
    if (retentions.length === 0) return { position: 0, hash: GENESIS };
    let prevHash = GENESIS;
    let prevThrough = 0n;
    let removed = 0;
    for (const r of retentions) {
      if (!r.intact || !r.prev_hash.equals(prevHash)) {
        return {
          reason: 'retention_checkpoint_altered',
          detail: `the retention checkpoint through chain position ${r.through_position} was changed after it was written`,
        };
      }
      if (BigInt(r.first_position) !== prevThrough + 1n) {
        return {
          reason: 'retention_checkpoint_mismatch',
          detail: `the retention checkpoint through chain position ${r.through_position} does not start where the one before it ended (${prevThrough})`,
        };
      }
      prevHash = r.hash;
      prevThrough = BigInt(r.through_position);
      removed += Number(r.entries);
    }
    const newest = retentions[retentions.length - 1];
    if (newest.recorded_hash !== newest.hash.toString('hex')) {
      return {
        reason: 'retention_checkpoint_mismatch',
        detail: `the retention checkpoint through chain position ${newest.through_position} is not the one its run recorded in the log (entry ${newest.recorded_seq})`,
      };
    }
    const [{ lowest }] = await rows<{ lowest: string | null }>(this.db, `SELECT min(position)::text AS lowest FROM processing_log_seal`);
    if (lowest !== null && BigInt(lowest) <= prevThrough) {
      return {
        reason: 'retention_checkpoint_mismatch',
        detail: `seals at chain position ${lowest} and on are still there though a retention checkpoint says they were removed through ${prevThrough}`,
      };
    }
    return {
      position: Number(prevThrough),
      hash: newest.link_hash,
      retained: { throughPosition: Number(prevThrough), removed, removedBefore: newest.removed_before.toISOString() },
    };
  }

  /** The newest checkpoint, if a full check has ever checked out. */
  async latestCheckpoint(): Promise<Checkpoint | undefined> {
    const row = await firstRow<{ position: string; hash: string; entries: string; verified_at: Date }>(
      this.db,
      `SELECT position::text AS position, encode(hash, 'hex') AS hash, entries::text AS entries, verified_at
         FROM processing_log_checkpoint ORDER BY processing_log_checkpoint.position DESC LIMIT 1`,
    );
    return row ? { position: Number(row.position), hash: row.hash, entries: Number(row.entries), verifiedAt: row.verified_at.toISOString() } : undefined;
  }
}

/** What is wrong with one seal (and its entry), given the position and hash the chain expects. */
function checkSeal(row: SealRow, expected: bigint, prev: Buffer): { seq: string; reason: VerifyProblem; detail: string } | undefined {
  const seq = row.seal_seq;
  const position = BigInt(row.position);
  if (position !== expected) {
    return { seq, reason: 'seal_missing', detail: `seal(s) at chain position ${expected}..${position - 1n} are missing before seq ${seq}` };
  }
  if (!row.prev_hash.equals(prev)) {
    return { seq, reason: 'seal_altered', detail: `the seal of seq ${seq} does not link to the seal before it` };
  }
  if (row.seq === null) return { seq, reason: 'entry_deleted', detail: `entry ${seq} was sealed and no longer exists` };
  if (!chainHash(row.prev_hash, row).equals(row.hash)) {
    return { seq, reason: 'entry_altered', detail: `entry ${seq} does not match its seal: the entry or its seal was changed` };
  }
  return undefined;
}

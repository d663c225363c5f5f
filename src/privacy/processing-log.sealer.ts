import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { DataSource, QueryRunner } from 'typeorm';
import { inBackground } from '../database/connection-priority.js';
import { chainHash, GENESIS, HASHED_COLUMNS, type HashedEntry } from './processing-log.hash.js';

/** Distinct from the migration lock (727001). */
export const SEALER_LOCK = 727002;
/** Entries sealed per transaction: big enough to keep up with thousands of writes a second. */
const BATCH = 5000;
/** Between rounds while writes keep coming: entries wait at most about this long for their seal. */
const PAUSE_UNDER_LOAD_MS = 100;
/** Rows verify reads per round trip. */
const VERIFY_PAGE = 10000;
/**
 * How long a seq not yet visible is still expected to appear (its transaction still open). After
 * that it is taken for a rolled-back insert; verify's full pass still seals anything later.
 */
const GAP_TTL = '10 minutes';

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

/** The chain's newest seal: its position and hash (hex). Kept outside the database, it is an anchor. */
export interface ChainHead {
  position: number;
  hash: string;
}

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
 * Writers only INSERT into processing_log (no lock, no read of a previous hash), so the log never
 * slows the alarm path. This one sealer, per database, chains what they wrote: it reads unsealed
 * entries in seq order and appends (position, seq, prev_hash, hash) rows to processing_log_seal,
 * hash = sha256(prev_hash || canonical JSON of the entry).
 *
 * It runs right after inserts (`nudge`, bursts coalesce into one run) and every few seconds as a
 * safety net. Several app instances may run it: pg_try_advisory_xact_lock lets one at a time in,
 * and the others' entries are picked up by whoever holds it next.
 *
 * Entries commit out of seq order (seq 100's transaction may commit after 101 was sealed). Only
 * committed rows can be sealed, so seqs missing when their neighbours were sealed are remembered as
 * gaps (processing_log_seal_gap) and sealed, at a later chain position, when they appear.
 */
@Injectable()
export class ProcessingLogSealer implements OnModuleDestroy {
  private readonly logger = new Logger(ProcessingLogSealer.name);
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  /** The head position last written to the application log. */
  private loggedPosition?: number;

  constructor(private readonly db: DataSource) {}

  /** Asks for a seal run soon; never waits and never throws (writers call it after each insert). */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = inBackground(() => this.runUntilIdle()).finally(() => (this.running = undefined));
  }

  /** The safety net: entries written by other instances, or while a run failed, get sealed anyway. */
  @Interval('processing-log-sealer', 5000)
  onSchedule(): void {
    this.nudge();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async runUntilIdle(): Promise<void> {
    // Let the rest of a burst of inserts land first, so one run seals them all.
    await new Promise((resolve) => setImmediate(resolve));
    for (;;) {
      this.again = false;
      try {
        const { locked } = await this.sealPending();
        // Another instance is sealing and may have read before our entries committed: look again shortly.
        if (!locked && !this.stopped) setTimeout(() => this.nudge(), 250).unref();
      } catch (e) {
        this.logger.error({ err: e }, 'sealing the processing log failed; the next run retries');
        return;
      }
      if (!this.again || this.stopped) return;
      // Under a steady stream of writes, seal in rounds instead of chasing every insert: a round
      // costs a few queries however many entries it seals, and the CPU is the writers' first.
      await new Promise((resolve) => setTimeout(resolve, PAUSE_UNDER_LOAD_MS));
    }
  }

  /**
   * Seals every entry visible now. `full` also looks for unsealed entries anywhere below the chain's
   * head (not only in the remembered gaps; with `above`, only at seqs above it), and waits for the
   * lock instead of giving up: verify uses it. Returns how many entries were sealed.
   */
  async sealPending(options: { full?: boolean; above?: bigint } = {}): Promise<{ sealed: number; locked: boolean }> {
    let total = 0;
    for (;;) {
      const batch = await this.sealBatch(!!options.full, options.above ?? 0n);
      if (!batch.locked) return { sealed: total, locked: false };
      total += batch.sealed;
      if (batch.sealed < BATCH) return { sealed: total, locked: true };
    }
  }

  private async sealBatch(full: boolean, above: bigint): Promise<{ sealed: number; locked: boolean }> {
    const qr = this.db.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      if (full) {
        await qr.query('SELECT pg_advisory_xact_lock($1)', [SEALER_LOCK]);
      } else {
        const [{ locked }] = await qr.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [SEALER_LOCK]);
        if (!locked) {
          await qr.rollbackTransaction();
          return { sealed: 0, locked: false };
        }
      }
      const sealed = await this.sealUnderLock(qr, full, above);
      await qr.commitTransaction();
      return { sealed, locked: true };
    } catch (e) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw e;
    } finally {
      await qr.release();
    }
  }

  private async sealUnderLock(qr: QueryRunner, full: boolean, above: bigint): Promise<number> {
    const [head] = await qr.query(
      `SELECT s.position::text AS position, s.hash, (SELECT coalesce(max(seq), 0) FROM processing_log_seal)::text AS max_seq
         FROM processing_log_seal s ORDER BY s.position DESC LIMIT 1`,
    );
    let position = BigInt(head?.position ?? 0);
    let prev: Buffer = head?.hash ?? GENESIS;
    const maxSealed = BigInt(head?.max_seq ?? 0);

    await qr.query(`DELETE FROM processing_log_seal_gap WHERE seen_at < now() - interval '${GAP_TTL}'`);
    // Late entries first (below the head, not yet sealed), then the new ones above the head.
    // The full pass looks through the whole log for them in one statement: at a real central's size
    // that outlasts the bound every other statement has, so it gets a bound of its own.
    if (full) await qr.query(`SET LOCAL statement_timeout = ${FULL_SCAN_TIMEOUT_MS}`);
    const late: HashedEntry[] = await lateQuery(
      qr,
      full
        ? `SELECT ${HASHED_COLUMNS} FROM processing_log e
            WHERE e.seq <= $1 AND e.seq > $3 AND NOT EXISTS (SELECT 1 FROM processing_log_seal s WHERE s.seq = e.seq)
            ORDER BY e.seq LIMIT $2`
        : // LATERAL: driven by the (few, small) gaps, one index range scan each, never a scan of the log.
          `SELECT ${HASHED_COLUMNS} FROM processing_log_seal_gap g
             CROSS JOIN LATERAL (SELECT * FROM processing_log l WHERE l.seq BETWEEN g.lo AND least(g.hi, $1)) e
            WHERE NOT EXISTS (SELECT 1 FROM processing_log_seal s WHERE s.seq = e.seq)
            ORDER BY e.seq LIMIT $2`,
      full ? [maxSealed.toString(), BATCH, above.toString()] : [maxSealed.toString(), BATCH],
      full ? FULL_SCAN_TIMEOUT_MS : undefined,
    );
    const fresh: HashedEntry[] = await qr.query(`SELECT ${HASHED_COLUMNS} FROM processing_log e WHERE e.seq > $1 ORDER BY e.seq LIMIT $2`, [
      maxSealed.toString(),
      BATCH - late.length,
    ]);
    const entries = [...late, ...fresh];
    if (entries.length === 0) return 0;

    const seqs: string[] = [];
    const positions: string[] = [];
    const prevs: string[] = [];
    const hashes: string[] = [];
    for (const entry of entries) {
      const hash = chainHash(prev, entry);
      position += 1n;
      positions.push(position.toString());
      seqs.push(entry.seq);
      prevs.push(prev.toString('hex'));
      hashes.push(hash.toString('hex'));
      prev = hash;
    }
    await qr.query(
      `INSERT INTO processing_log_seal (position, seq, prev_hash, hash)
       SELECT p, s, decode(ph, 'hex'), decode(h, 'hex') FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS x(p, s, ph, h)`,
      [positions, seqs, prevs, hashes],
    );

    if (late.length) {
      // A gap whose every seq is now sealed is done with. Kept until it expired, gaps piled up under
      // a steady stream of concurrent writers (a storm: thousands in ten minutes), and every run
      // re-read all their ranges: measured at 40 ms a run, a sixth of the database's time.
      await qr.query(
        `DELETE FROM processing_log_seal_gap g
          WHERE g.lo <= $1 AND (SELECT count(*) FROM processing_log_seal s WHERE s.seq BETWEEN g.lo AND g.hi) = g.hi - g.lo + 1`,
        [late[late.length - 1].seq],
      );
    }
    const gaps = missingRanges(
      maxSealed,
      fresh.map((e) => BigInt(e.seq)),
    );
    if (gaps.length) {
      await qr.query(
        `INSERT INTO processing_log_seal_gap (lo, hi) SELECT lo, hi FROM unnest($1::bigint[], $2::bigint[]) AS x(lo, hi)
         ON CONFLICT (lo) DO NOTHING`,
        [gaps.map((g) => g[0].toString()), gaps.map((g) => g[1].toString())],
      );
    }
    return entries.length;
  }

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
      ? ((await this.db.query(`SELECT seq::text AS seq FROM processing_log_seal WHERE position = $1`, [from.position])) as Array<{ seq: string }>)
      : [];
    await this.sealPending({ full: true, above: atCheckpoint ? BigInt(atCheckpoint.seq) : 0n });
    const [{ last }] = await this.db.query(`SELECT coalesce(max(position), 0)::text AS last FROM processing_log_seal`);
    let prev: Buffer = start.hash;
    let expected = BigInt(start.position) + 1n;
    let after = BigInt(start.position);
    let entries = 0;
    let problem: { seq?: string; reason: VerifyProblem; detail: string } | undefined;

    if (from) {
      const [seal] = (await this.db.query(`SELECT hash FROM processing_log_seal WHERE position = $1`, [from.position])) as Array<{ hash: Buffer }>;
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
    const rows = (await this.db.query(
      `SELECT r.through_position::text AS through_position, r.first_position::text AS first_position, r.entries::text AS entries,
              r.link_hash, r.prev_hash, r.hash, r.removed_before, r.recorded_seq::text AS recorded_seq,
              processing_log_retention_digest(r) = r.hash AS intact,
              (SELECT e.detail->'checkpoint'->>'hash' FROM processing_log e WHERE e.seq = r.recorded_seq) AS recorded_hash
         FROM processing_log_retention r ORDER BY r.through_position`,
    )) as RetentionRow[];
    if (rows.length === 0) return { position: 0, hash: GENESIS };
    let prevHash = GENESIS;
    let prevThrough = 0n;
    let removed = 0;
    for (const r of rows) {
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
    const newest = rows[rows.length - 1];
    if (newest.recorded_hash !== newest.hash.toString('hex')) {
      return {
        reason: 'retention_checkpoint_mismatch',
        detail: `the retention checkpoint through chain position ${newest.through_position} is not the one its run recorded in the log (entry ${newest.recorded_seq})`,
      };
    }
    const [{ lowest }] = (await this.db.query(`SELECT min(position)::text AS lowest FROM processing_log_seal`)) as Array<{ lowest: string | null }>;
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
    const [row] = (await this.db.query(
      `SELECT position::text AS position, encode(hash, 'hex') AS hash, entries::text AS entries, verified_at
         FROM processing_log_checkpoint ORDER BY processing_log_checkpoint.position DESC LIMIT 1`,
    )) as Array<{ position: string; hash: string; entries: string; verified_at: Date }>;
    return row ? { position: Number(row.position), hash: row.hash, entries: Number(row.entries), verifiedAt: row.verified_at.toISOString() } : undefined;
  }

  /** The head of the chain, everything pending sealed first. */
  async head(): Promise<ChainHead | null> {
    await this.sealPending({ full: true });
    return this.readHead();
  }

  /**
   * Writes the head to the application log once a minute when it moved: logs are shipped off the
   * database host in production, so each line is an anchor that whoever can cut the database's
   * tail cannot take back (verify with ?position=&hash= checks the log still reaches it).
   */
  @Interval('processing-log-anchor', 60_000)
  async logHead(): Promise<ChainHead | null> {
    try {
      const head = await this.readHead();
      if (head && head.position !== this.loggedPosition) {
        this.loggedPosition = head.position;
        this.logger.log({ processingLogHead: head }, 'processing log head (an anchor for verify)');
      }
      return head;
    } catch (e) {
      this.logger.warn({ err: e }, 'could not read the processing log head; the next minute tries again');
      return null;
    }
  }

  private async readHead(): Promise<ChainHead | null> {
    const [row] = (await this.db.query(
      // Ordered by the column, qualified: a bare "position" would name the text alias, and '99' > '100'.
      `SELECT position::text AS position, encode(hash, 'hex') AS hash FROM processing_log_seal ORDER BY processing_log_seal.position DESC LIMIT 1`,
    )) as Array<{ position: string; hash: string }>;
    return row ? { position: Number(row.position), hash: row.hash } : null;
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

/** Seqs above `from` missing among the ascending `seen`, as inclusive ranges. */
export function missingRanges(from: bigint, seen: bigint[]): Array<[bigint, bigint]> {
  const ranges: Array<[bigint, bigint]> = [];
  let next = from + 1n;
  for (const seq of seen) {
    if (seq > next) ranges.push([next, seq - 1n]);
    if (seq >= next) next = seq + 1n;
  }
  return ranges;
}

/** How long the full pass's search for unsealed entries may run (a nightly job, not a request). */
const FULL_SCAN_TIMEOUT_MS = 15 * 60_000;

/** A query on the runner's connection, with its own client-side bound when `timeoutMs` is given. */
async function lateQuery(qr: QueryRunner, text: string, values: unknown[], timeoutMs?: number): Promise<HashedEntry[]> {
  if (!timeoutMs) return qr.query(text, values);
  const client = (await qr.connect()) as { query(config: { text: string; values: unknown[]; query_timeout: number }): Promise<{ rows: HashedEntry[] }> };
  return (await client.query({ text, values, query_timeout: timeoutMs })).rows;
}

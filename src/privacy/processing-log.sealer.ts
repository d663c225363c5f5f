import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { DataSource, QueryRunner } from 'typeorm';
import { DrainRunner } from '../common/drain-runner.js';
import { firstRow } from '../database/rows.js';
import { chainHash, GENESIS, HASHED_COLUMNS, type HashedEntry } from './processing-log.hash.js';

/** Distinct from the migration lock (727001). */
export const SEALER_LOCK = 727002;
/** Entries sealed per transaction: big enough to keep up with thousands of writes a second. */
const BATCH = 5000;
/** Between rounds while writes keep coming: entries wait at most about this long for their seal. */
const PAUSE_UNDER_LOAD_MS = 100;
/**
 * How long a seq not yet visible is still expected to appear (its transaction still open). After
 * that it is taken for a rolled-back insert; verify's full pass still seals anything later.
 */
const GAP_TTL = '10 minutes';

/** The chain's newest seal: its position and hash (hex). Kept outside the database, it is an anchor. */
export interface ChainHead {
  position: number;
  hash: string;
}

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
  private readonly runner = new DrainRunner({
    pass: () => this.sealRound(),
    onError: (e) => this.logger.error({ err: e }, 'sealing the processing log failed; the next run retries'),
    // Let the rest of a burst of inserts land first, so one run seals them all.
    yieldFirst: true,
    // Under a steady stream of writes, seal in rounds instead of chasing every insert: a round
    // costs a few queries however many entries it seals, and the CPU is the writers' first.
    pauseBetweenPassesMs: PAUSE_UNDER_LOAD_MS,
  });
  /** The head position last written to the application log. */
  private loggedPosition?: number;

  constructor(private readonly db: DataSource) {}

  /** Asks for a seal run soon; never waits and never throws (writers call it after each insert). */
  nudge(): void {
    this.runner.kick();
  }

  /** The safety net: entries written by other instances, or while a run failed, get sealed anyway. */
  @Interval('processing-log-sealer', 5000)
  onSchedule(): void {
    this.nudge();
  }

  async onModuleDestroy(): Promise<void> {
    await this.runner.stop();
  }

  private async sealRound(): Promise<void> {
    const { locked } = await this.sealPending();
    // Another instance is sealing and may have read before our entries committed: look again shortly.
    if (!locked && !this.runner.stopped) setTimeout(() => this.nudge(), 250).unref();
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
    const row = await firstRow<{ position: string; hash: string }>(
      this.db,
      // Ordered by the column, qualified: a bare "position" would name the text alias, and '99' > '100'.
      `SELECT position::text AS position, encode(hash, 'hex') AS hash FROM processing_log_seal ORDER BY processing_log_seal.position DESC LIMIT 1`,
    );
    return row ? { position: Number(row.position), hash: row.hash } : null;
  }
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

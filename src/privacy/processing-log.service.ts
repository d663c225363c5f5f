import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { LEGAL_BASES, Processing, type LegalBasis } from './processing.decorator.js';
import { ProcessingLogSealer } from './processing-log.sealer.js';
import { ProcessingRegistry } from './processing-registry.js';
import { PROCESSING_LOG_KEEPING } from './privacy.processing.js';
import { isUuid } from '../common/uuid.js';
import { rows } from '../database/rows.js';

/**
 * How long an entry is kept: the period of the longest-kept records it accounts for (the alarm
 * history), so any processing of those can still be shown while they exist. Older entries are
 * removed under a sealed checkpoint (ProcessingLogRetention); the database itself refuses to remove
 * anything younger (processing_log_remove_old).
 */
export const PROCESSING_LOG_YEARS = 10;

export const ACTOR_TYPES = ['operator', 'panel', 'system', 'public'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/**
 * Who did it: an operator or a panel by id, a job or an outside system that proved who it is by its
 * name (`system`: `retention`, `twilio`), or nobody logged in (`public`).
 */
export interface ProcessingActor {
  type: ActorType;
  id?: string | null;
}

export interface SubjectLogEntryRow {
  at: Date;
  actor_type: ActorType;
  operation: string;
  legal_basis: LegalBasis;
  purpose: string;
  outcome: ProcessingOutcome;
}

export const OUTCOMES = ['success', 'refused', 'error'] as const;
export type ProcessingOutcome = (typeof OUTCOMES)[number];

/**
 * One execution of a declared operation. Spread the operation's declaration into it:
 * `record({ ...RETENTION, actor: { type: 'system', id: 'retention' }, subjectIds })`.
 */
export interface ProcessingLogEntry {
  actor: ProcessingActor;
  operation: string;
  legalBasis: LegalBasis;
  purpose: string;
  /** Ids only (UUIDs): the database refuses anything else, so no name or number can slip in. */
  subjectIds?: string[];
  /** Default `success`. */
  outcome?: ProcessingOutcome;
  httpStatus?: number | null;
  /** The X-Request-Id of the HTTP request, to find the matching application log lines. */
  requestId?: string | null;
  /** What the entry adds to its operation, e.g. a panel's supervision day: counts and times, never personal data. */
  detail?: Record<string, unknown> | null;
}

export interface ProcessingLogItem {
  seq: number;
  at: string;
  actorType: ActorType;
  actorId: string | null;
  operation: string;
  legalBasis: LegalBasis;
  purpose: string;
  subjectIds: string[];
  outcome: ProcessingOutcome;
  httpStatus: number | null;
  requestId: string | null;
  /** Present when the entry has one. */
  detail?: Record<string, unknown>;
}

export interface ProcessingLogSearch {
  subjectId?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  page: number;
  limit: number;
}

const COLUMNS = `actor_type, actor_id, operation, legal_basis, purpose, subject_ids, outcome, http_status, request_id`;

/** A validated entry, in the column names of processing_log. */
interface Row {
  actor_type: ActorType;
  actor_id: string | null;
  operation: string;
  legal_basis: LegalBasis;
  purpose: string;
  subject_ids: string[];
  outcome: ProcessingOutcome;
  http_status: number | null;
  request_id: string | null;
  detail: Record<string, unknown> | null;
}

/** INSERTs of queued entries in flight at once; each takes everything queued when it starts. */
const MAX_IN_FLIGHT = 4;
const MAX_BATCH = 1000;

/**
 * The processing log (docs/privacy.md#declared-on-each-operation): every execution of an operation on personal data, append-only.
 * HTTP routes are logged by ProcessingLogInterceptor; jobs and message handlers call `record`.
 * A write is an INSERT with no lock and no read; the hash chain is added afterwards by the sealer.
 *
 * `record` resolves once its entry is committed. Entries recorded while earlier INSERTs are still
 * in flight share the next one (one INSERT, one commit for all of them): alone, a writer waits for
 * exactly its own INSERT; under load, many writers share a commit instead of queueing for the WAL
 * flush one by one (measured in bench/processing-log.ts).
 */
@Injectable()
export class ProcessingLog {
  private readonly logger = new Logger(ProcessingLog.name);
  private readonly warnedUndeclared = new Set<string>();
  private readonly queue: Array<{ row: Row; done: (e?: unknown) => void }> = [];
  private inFlight = 0;

  constructor(
    private readonly db: DataSource,
    private readonly sealer: ProcessingLogSealer,
    private readonly registry: ProcessingRegistry,
  ) {}

  /**
   * Appends one entry; resolves when it is committed. Pass `manager` to write it inside your own
   * transaction instead, so the entry exists if and only if the processing it describes committed.
   */
  @Processing(PROCESSING_LOG_KEEPING)
  async record(entry: ProcessingLogEntry, options: { manager?: EntityManager } = {}): Promise<void> {
    const row = this.toRow(entry);
    if (options.manager) {
      await insert(options.manager, [row]);
      this.sealer.nudge();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      this.queue.push({ row, done: (e) => (e === undefined ? resolve() : reject(e)) });
      if (this.inFlight < MAX_IN_FLIGHT) void this.flush();
    });
  }

  /**
   * For a hot path that writes its entry inside its own SQL statement (a data-modifying CTE, so the
   * entry commits with the processing in one round trip): the columns, the entry's values and their
   * placeholders, and `written()` to call once it is, so the entry is sealed promptly.
   */
  static readonly COLUMNS = COLUMNS;

  /** An entry, validated as record() does, as the values of one row (in COLUMNS order, the 6th a uuid[]). */
  values(entry: ProcessingLogEntry): unknown[] {
    return rowValues(this.toRow(entry));
  }

  /** `VALUES (...)` for `values(entry)` bound from parameter number `first` on. */
  static placeholders(first: number): string {
    const p = (i: number) => `$${first + i}`;
    return `(${p(0)}::text, ${p(1)}::text, ${p(2)}::text, ${p(3)}::text, ${p(4)}::text, ${p(5)}::uuid[], ${p(6)}::text, ${p(7)}::smallint, ${p(8)}::text)`;
  }

  written(): void {
    this.sealer.nudge();
  }

  /** Appends many entries in one statement, in the order given (for jobs touching many subjects). */
  async recordMany(entries: ProcessingLogEntry[], options: { manager?: EntityManager } = {}): Promise<void> {
    if (entries.length === 0) return;
    const rows = entries.map((e) => this.toRow(e));
    await insert(options.manager ?? this.db.manager, rows);
    this.sealer.nudge();
  }

  private async flush(): Promise<void> {
    this.inFlight += 1;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await insert(
            this.db.manager,
            batch.map((b) => b.row),
          );
          batch.forEach((b) => b.done());
        } catch (e) {
          // One bad entry must not fail the others that shared its INSERT: retry them one by one.
          if (batch.length === 1) batch[0].done(e);
          else
            for (const b of batch)
              await insert(this.db.manager, [b.row]).then(
                () => b.done(),
                (err: unknown) => b.done(err ?? new Error('insert failed')),
              );
        }
        this.sealer.nudge();
      }
    } finally {
      this.inFlight -= 1;
    }
  }

  /** The entries naming a subject, in the order they were written: what their export shows (no actor ids: those are staff data). */
  async entriesAbout(subjectId: string): Promise<SubjectLogEntryRow[]> {
    return rows<SubjectLogEntryRow>(
      this.db,
      `SELECT at, actor_type, operation, legal_basis, purpose, outcome FROM processing_log WHERE subject_ids @> ARRAY[$1::uuid] ORDER BY seq`,
      [subjectId],
    );
  }

  /** Newest first; `subjectId` matches entries naming that subject. */
  async search(q: ProcessingLogSearch): Promise<{ items: ProcessingLogItem[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.subjectId) where.push(`subject_ids @> ARRAY[$${params.push(q.subjectId)}::uuid]`);
    if (q.from) where.push(`at >= $${params.push(q.from)}`);
    if (q.to) where.push(`at < $${params.push(q.to)}`);
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM processing_log ${filter}`, params);
    const rows = await this.db.query(
      `SELECT seq::text AS seq, at, actor_type, actor_id, operation, legal_basis, purpose, subject_ids::text[] AS subject_ids,
              outcome, http_status, request_id, detail
         FROM processing_log ${filter}
        ORDER BY at DESC, processing_log.seq DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit, (q.page - 1) * q.limit],
    );
    const items = rows.map(
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a raw row, shaped into an item here
      (r: Record<string, any>): ProcessingLogItem => ({
        seq: Number(r.seq),
        at: (r.at as Date).toISOString(),
        actorType: r.actor_type,
        actorId: r.actor_id,
        operation: r.operation,
        legalBasis: r.legal_basis,
        purpose: r.purpose,
        subjectIds: r.subject_ids,
        outcome: r.outcome,
        httpStatus: r.http_status,
        requestId: r.request_id,
        ...(r.detail ? { detail: r.detail } : {}),
      }),
    );
    return { items, total };
  }

  private toRow(e: ProcessingLogEntry): Row {
    // These are programming errors in the caller, not bad input from a user: fail loudly.
    if (!(ACTOR_TYPES as readonly string[]).includes(e.actor?.type)) throw new Error(`processing log: unknown actor type ${String(e.actor?.type)}`);
    if (e.actor.type !== 'public' && !e.actor.id) throw new Error(`processing log: a ${e.actor.type} actor needs an id`);
    if (!(LEGAL_BASES as readonly string[]).includes(e.legalBasis)) throw new Error(`processing log: unknown legal basis ${String(e.legalBasis)}`);
    if (!e.operation || !e.purpose) throw new Error('processing log: operation and purpose are required');
    const subjects = [...new Set(e.subjectIds ?? [])];
    const bad = subjects.filter((id) => !isUuid(id));
    if (bad.length) throw new Error(`processing log: subject ids must be UUIDs, never names or numbers (${bad.length} were not)`);
    if (!this.registry.isDeclared(e.operation) && !this.warnedUndeclared.has(e.operation)) {
      this.warnedUndeclared.add(e.operation);
      this.logger.warn(
        `operation ${e.operation} is logged but not declared (@Processing or ProcessingRegistry.declare): it is missing from the record of processing`,
      );
    }
    return {
      actor_type: e.actor.type,
      actor_id: e.actor.id ?? null,
      operation: e.operation,
      legal_basis: e.legalBasis,
      purpose: e.purpose,
      subject_ids: subjects.map((s) => s.toLowerCase()),
      outcome: e.outcome ?? 'success',
      http_status: e.httpStatus ?? null,
      request_id: e.requestId ?? null,
      detail: e.detail ?? null,
    };
  }
}

/** A row's values in COLUMNS order. */
const rowValues = (r: Row): unknown[] => [
  r.actor_type,
  r.actor_id,
  r.operation,
  r.legal_basis,
  r.purpose,
  r.subject_ids,
  r.outcome,
  r.http_status,
  r.request_id,
];

async function insert(manager: EntityManager, rows: Row[]): Promise<void> {
  if (rows.length === 1) {
    const [row] = rows;
    await manager.query(`INSERT INTO processing_log (${COLUMNS}, detail) VALUES ${ProcessingLog.placeholders(1).slice(0, -1)}, $10::jsonb)`, [
      ...rowValues(row),
      row.detail === null ? null : JSON.stringify(row.detail),
    ]);
    return;
  }
  await manager.query(
    `INSERT INTO processing_log (${COLUMNS}, detail)
     SELECT ${COLUMNS}, detail FROM jsonb_to_recordset($1::jsonb) AS x(
       n int, actor_type text, actor_id text, operation text, legal_basis text, purpose text,
       subject_ids uuid[], outcome text, http_status smallint, request_id text, detail jsonb)
     ORDER BY n`,
    [JSON.stringify(rows.map((r, n) => ({ n, ...r })))],
  );
}

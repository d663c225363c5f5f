import { createHash } from 'node:crypto';

/** The chain starts from 32 zero bytes: the first seal's prev_hash. */
export const GENESIS: Buffer = Buffer.alloc(32);

/**
 * One processing_log row exactly as the database renders it for hashing. Everything is read as
 * text by SQL (`HASHED_COLUMNS`), never through JS Dates or numbers, so microseconds and big seqs
 * survive and the sealer and verify cannot disagree about the same row.
 */
export interface HashedEntry {
  seq: string;
  at: string;
  actor_type: string;
  actor_id: string | null;
  operation: string;
  legal_basis: string;
  purpose: string;
  subject_ids: string[];
  outcome: string;
  http_status: number | null;
  request_id: string | null;
  /** The entry's detail as the database renders its jsonb (a canonical text), or null. */
  detail: string | null;
}

/** The select list that produces a `HashedEntry` from `processing_log e`. */
export const HASHED_COLUMNS = `
  e.seq::text AS seq,
  to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
  e.actor_type, e.actor_id, e.operation, e.legal_basis, e.purpose,
  e.subject_ids::text[] AS subject_ids,
  e.outcome, e.http_status, e.request_id, e.detail::text AS detail`;

/**
 * Canonical JSON of an entry: every column, keys in a fixed (sorted) order, absent values as null.
 * Any change to any column (including the seq it sits at) changes the string. `detail` is there
 * only when the entry has one, so entries sealed before it existed keep their hashes.
 */
export function canonicalEntry(e: HashedEntry): string {
  return JSON.stringify({
    actorId: e.actor_id ?? null,
    actorType: e.actor_type,
    at: e.at,
    ...(e.detail != null ? { detail: e.detail } : {}),
    httpStatus: e.http_status ?? null,
    legalBasis: e.legal_basis,
    operation: e.operation,
    outcome: e.outcome,
    purpose: e.purpose,
    requestId: e.request_id ?? null,
    seq: e.seq,
    subjectIds: e.subject_ids,
  });
}

/** hash = sha256(prev_hash || canonical JSON of the entry). */
export function chainHash(prev: Buffer, entry: HashedEntry): Buffer {
  return createHash('sha256').update(prev).update(canonicalEntry(entry), 'utf8').digest();
}

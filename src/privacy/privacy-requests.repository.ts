import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { changedRows, count, firstRow, rows } from '../database/rows.js';

export const REQUEST_KINDS = ['access', 'rectification', 'erasure', 'restriction', 'objection', 'portability'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
export const REQUEST_STATUSES = ['open', 'extended', 'done', 'refused'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export type SubjectType = 'customer' | 'contact';

/** What was produced for a request: an export (its fingerprint only) or an erasure's answer. */
export type RequestDocument =
  { kind: 'export'; at: string; by: string; sha256: string; bytes: number } | { kind: 'erasure'; at: string; by: string; result: unknown };

export interface PrivacyRequestRow {
  id: string;
  kind: RequestKind;
  subject_type: SubjectType;
  subject_id: string;
  customer_id: string;
  received_at: Date;
  original_due_at: Date;
  due_at: Date;
  identity_check: string | null;
  note: string | null;
  status: RequestStatus;
  extension_reason: string | null;
  extended_at: Date | null;
  extension_notice: string | null;
  outcome: string | null;
  closed_at: Date | null;
  documents: RequestDocument[];
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export type NewPrivacyRequest = Pick<
  PrivacyRequestRow,
  'kind' | 'subject_type' | 'subject_id' | 'customer_id' | 'received_at' | 'original_due_at' | 'due_at' | 'identity_check' | 'note' | 'created_by'
>;

export type PrivacyRequestChanges = Partial<
  Pick<PrivacyRequestRow, 'status' | 'identity_check' | 'due_at' | 'extension_reason' | 'extended_at' | 'extension_notice' | 'outcome' | 'closed_at'>
>;

const CHANGEABLE = ['status', 'identity_check', 'due_at', 'extension_reason', 'extended_at', 'extension_notice', 'outcome', 'closed_at'] as const;

/** Every query of the register of data subjects' requests. */
@Injectable()
export class PrivacyRequestsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The customer a subject belongs to (itself, or the customer who named the contact), and their language; undefined when unknown. */
  async subject(type: SubjectType, id: string): Promise<{ customerId: string; language: 'sv' | 'nb' | 'en' } | undefined> {
    const row = await firstRow<{ customer_id: string; language: 'sv' | 'nb' | 'en' }>(
      this.db,
      type === 'customer'
        ? `SELECT id AS customer_id, language FROM customer WHERE id = $1`
        : `SELECT c.id AS customer_id, c.language FROM contact k JOIN customer c ON c.id = k.customer_id WHERE k.id = $1`,
      [id],
    );
    return row ? { customerId: row.customer_id, language: row.language } : undefined;
  }

  async insert(r: NewPrivacyRequest): Promise<PrivacyRequestRow> {
    const [row] = await rows<PrivacyRequestRow>(
      this.db,
      `INSERT INTO privacy_request (kind, subject_type, subject_id, customer_id, received_at, original_due_at, due_at, identity_check, note, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
      [r.kind, r.subject_type, r.subject_id, r.customer_id, r.received_at, r.original_due_at, r.due_at, r.identity_check, r.note, r.created_by],
    );
    return row;
  }

  /** With `forUpdate`, inside `m`'s transaction: two changes of one request take turns. */
  async find(id: string, m: EntityManager = this.db.manager, forUpdate = false): Promise<PrivacyRequestRow | undefined> {
    return firstRow<PrivacyRequestRow>(m, `SELECT * FROM privacy_request WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  }

  async update(m: EntityManager, id: string, changes: PrivacyRequestChanges): Promise<PrivacyRequestRow> {
    const columns = CHANGEABLE.filter((c) => changes[c] !== undefined);
    const sets = ['updated_at = now()', ...columns.map((c, i) => `${c} = $${i + 2}`)];
    // Through a CTE: the driver answers a bare UPDATE ... RETURNING as [rows, count].
    const [row] = await rows<PrivacyRequestRow>(m, `WITH u AS (UPDATE privacy_request SET ${sets.join(', ')} WHERE id = $1 RETURNING *) SELECT * FROM u`, [
      id,
      ...columns.map((c) => changes[c]),
    ]);
    return row;
  }

  async addDocument(m: EntityManager, id: string, document: RequestDocument): Promise<PrivacyRequestRow> {
    const [row] = await rows<PrivacyRequestRow>(
      m,
      `WITH u AS (UPDATE privacy_request SET documents = documents || jsonb_build_array($2::jsonb), updated_at = now() WHERE id = $1 RETURNING *)
       SELECT * FROM u`,
      [id, JSON.stringify(document)],
    );
    return row;
  }

  /** Deletes the requests closed before `cutoff` (open ones stay, however old); whose they were, one entry per request. */
  async deleteClosedBefore(cutoff: Date): Promise<string[]> {
    const deleted = await changedRows<{ subject_id: string }>(this.db, `DELETE FROM privacy_request WHERE closed_at < $1 RETURNING subject_id`, [cutoff]);
    return deleted.map((r) => r.subject_id);
  }

  /** Soonest due first; closed requests by when they were closed, newest first. */
  async list(filter: { status?: RequestStatus; overdueAt?: Date; page: number; limit: number }): Promise<{ rows: PrivacyRequestRow[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status) {
      params.push(filter.status);
      where.push(`status = $${params.length}`);
    }
    if (filter.overdueAt) {
      params.push(filter.overdueAt);
      where.push(`status IN ('open', 'extended') AND due_at < $${params.length}`);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = await count(this.db, `SELECT count(*)::int AS n FROM privacy_request ${clause}`, params);
    const page = await rows<PrivacyRequestRow>(
      this.db,
      `SELECT * FROM privacy_request ${clause}
        ORDER BY (status IN ('done', 'refused')), CASE WHEN status IN ('open', 'extended') THEN due_at END, closed_at DESC, id
        LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit, (filter.page - 1) * filter.limit],
    );
    return { rows: page, total };
  }
}

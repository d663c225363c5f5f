import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { changedRows, execute, firstRow, type Queryable } from '../database/rows.js';

export type ErasedSubjectType = 'customer' | 'contact';

export interface ErasureRecordRow<R> {
  customer_id: string;
  erased_at: Date;
  result: R;
}

/** Every query of erasure_record: the proof that an erasure was carried out, and its answer. */
@Injectable()
export class ErasureRecordsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async find<R>(type: ErasedSubjectType, id: string, m: Queryable = this.db.manager): Promise<ErasureRecordRow<R> | undefined> {
    return firstRow<ErasureRecordRow<R>>(m, `SELECT customer_id, erased_at, result FROM erasure_record WHERE subject_type = $1 AND subject_id = $2`, [
      type,
      id,
    ]);
  }

  /** Deletes the records of erasures before `cutoff`; how many. */
  async deleteBefore(cutoff: Date): Promise<number> {
    return (await changedRows(this.db, `DELETE FROM erasure_record WHERE erased_at < $1 RETURNING 1`, [cutoff])).length;
  }

  /** A subject erased twice keeps its first record. */
  async insert(m: Queryable, r: { type: ErasedSubjectType; id: string; customerId: string; erasedBy: string; result: unknown }): Promise<void> {
    await execute(
      m,
      `INSERT INTO erasure_record (subject_type, subject_id, customer_id, erased_by, result) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (subject_type, subject_id) DO NOTHING`,
      [r.type, r.id, r.customerId, r.erasedBy, JSON.stringify(r.result)],
    );
  }
}

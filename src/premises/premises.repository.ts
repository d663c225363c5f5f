import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { firstRow, rows } from '../database/rows.js';

/** One customer's premises as stored: the secrets still encrypted. */
export interface PremisesRow {
  customer_id: string;
  notes: string | null;
  animals: string | null;
  access_encrypted: Buffer | null;
  password_encrypted: Buffer | null;
  duress_word_encrypted: Buffer | null;
  zones: Record<string, string>;
  users: Record<string, string>;
  updated_at: Date;
  updated_by: string | null;
}

/** The columns a PUT may write; a column left out keeps its value. */
export type PremisesChanges = Partial<
  Pick<PremisesRow, 'notes' | 'animals' | 'access_encrypted' | 'password_encrypted' | 'duress_word_encrypted' | 'zones' | 'users'>
>;

const WRITABLE = ['notes', 'animals', 'access_encrypted', 'password_encrypted', 'duress_word_encrypted', 'zones', 'users'] as const;

/** Every query of the premises table. */
@Injectable()
export class PremisesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async find(customerId: string): Promise<PremisesRow | undefined> {
    return firstRow<PremisesRow>(this.db, `SELECT * FROM premises WHERE customer_id = $1`, [customerId]);
  }

  /** Creates the row on the first write; writes only the columns in `changes`. */
  async upsert(customerId: string, changes: PremisesChanges, by: string): Promise<PremisesRow> {
    const columns = WRITABLE.filter((c) => changes[c] !== undefined);
    const values = columns.map((c) => (c === 'zones' || c === 'users' ? JSON.stringify(changes[c]) : changes[c]));
    const insertColumns = ['customer_id', 'updated_by', ...columns];
    const placeholders = insertColumns.map((_, i) => `$${i + 1}`);
    const updates = ['updated_at = now()', 'updated_by = EXCLUDED.updated_by', ...columns.map((c) => `${c} = EXCLUDED.${c}`)];
    const [row] = await rows<PremisesRow>(
      this.db,
      `INSERT INTO premises (${insertColumns.join(', ')}) VALUES (${placeholders.join(', ')})
       ON CONFLICT (customer_id) DO UPDATE SET ${updates.join(', ')}
       RETURNING *`,
      [customerId, by, ...values],
    );
    return row;
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Address, Language } from '../customers/customer.entity.js';
import { execute, firstRow, rows, type Queryable } from '../database/rows.js';

/** A customer row as stored, the national id still encrypted: what an export shows. */
export interface CustomerRow {
  id: string;
  name: string;
  phone: string;
  email: string | null;
  language: Language;
  national_id_encrypted: Buffer | null;
  alarm_address: Address;
  postal_address: Address | null;
  restricted: boolean;
  created_at: Date;
  updated_at: Date;
  ended_at: Date | null;
}

export interface PanelRow {
  id: string;
  label: string;
  created_at: Date;
  last_seen_at: Date | null;
  supervision_interval_seconds: number;
  rotated_at: Date | null;
}

/**
 * The queries the data-subject rights make of a customer and what hangs off them (panels, panel
 * silences, reply codes); contacts, premises and alarm history have repositories of their own.
 */
@Injectable()
export class CustomerDataRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async find(customerId: string, m: Queryable = this.db.manager): Promise<CustomerRow | undefined> {
    return firstRow<CustomerRow>(m, `SELECT * FROM customer WHERE id = $1`, [customerId]);
  }

  /** Former customers whose contract ended before `cutoff`, longest gone first. */
  async endedBefore(cutoff: Date): Promise<string[]> {
    const customers = await rows<{ id: string }>(this.db, `SELECT id FROM customer WHERE ended_at < $1 ORDER BY ended_at`, [cutoff]);
    return customers.map((c) => c.id);
  }

  /** Locks the customer for the rest of `m`'s transaction; undefined when there is none. */
  async lock(m: Queryable, customerId: string): Promise<{ id: string; phone: string } | undefined> {
    return firstRow(m, `SELECT id, phone FROM customer WHERE id = $1 FOR UPDATE`, [customerId]);
  }

  /** Locks the customer's panels for the rest of `m`'s transaction; their ids. */
  async lockPanels(m: Queryable, customerId: string): Promise<string[]> {
    const panels = await rows<{ id: string }>(m, `SELECT id FROM panel WHERE customer_id = $1 FOR UPDATE`, [customerId]);
    return panels.map((p) => p.id);
  }

  async panels(customerId: string, m: Queryable = this.db.manager): Promise<PanelRow[]> {
    return rows<PanelRow>(
      m,
      `SELECT id, label, created_at, last_seen_at, supervision_interval_seconds, rotated_at FROM panel WHERE customer_id = $1 ORDER BY created_at`,
      [customerId],
    );
  }

  /**
   * Of `phones`, those no customer or contact holds except the one named in `except` (a customer with
   * their contacts, or one contact).
   */
  async phonesHeldByNobodyElse(m: Queryable, phones: string[], except: { customerId?: string; contactId?: string }): Promise<string[]> {
    const held = await rows<{ phone: string }>(
      m,
      `SELECT phone FROM customer WHERE phone = ANY($1::text[]) AND id IS DISTINCT FROM $2::uuid
       UNION SELECT phone FROM contact WHERE phone = ANY($1::text[]) AND customer_id IS DISTINCT FROM $2::uuid AND id IS DISTINCT FROM $3::uuid`,
      [phones, except.customerId ?? null, except.contactId ?? null],
    );
    const taken = new Set(held.map((h) => h.phone));
    return phones.filter((p) => !taken.has(p));
  }

  async deleteReplyCodes(m: Queryable, customerId: string): Promise<void> {
    await execute(m, `DELETE FROM reply_code WHERE customer_id = $1`, [customerId]);
  }

  async deletePanelSilences(m: Queryable, panelIds: string[]): Promise<void> {
    await execute(m, `DELETE FROM panel_silence WHERE panel_id = ANY($1::uuid[])`, [panelIds]);
  }

  /** Contacts, their notices, the panels and the premises facts go with the customer (ON DELETE CASCADE). */
  async delete(m: Queryable, customerId: string): Promise<void> {
    await execute(m, `DELETE FROM customer WHERE id = $1`, [customerId]);
  }
}

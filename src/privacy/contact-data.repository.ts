import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ContactRelation, ContactStatus } from '../contacts/contact.entity.js';
import { execute, firstRow, rows, type Queryable } from '../database/rows.js';

/** A contact row as stored: what an export shows. */
export interface ContactRow {
  id: string;
  customer_id: string;
  name: string;
  phone: string;
  email: string | null;
  relation: ContactRelation;
  priority: number;
  status: ContactStatus;
  opted_out_at: Date | null;
  restricted: boolean;
  created_at: Date;
  updated_at: Date;
  ended_at: Date | null;
}

/** The queries the data-subject rights make of a customer's alarm contacts. */
@Injectable()
export class ContactDataRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The contact, when it is one of `customerId`'s. */
  async find(customerId: string, contactId: string, m: Queryable = this.db.manager): Promise<ContactRow | undefined> {
    return firstRow<ContactRow>(m, `SELECT * FROM contact WHERE id = $1 AND customer_id = $2`, [contactId, customerId]);
  }

  /** All of a customer's contacts, removed ones too: current ones first, by priority. */
  async ofCustomer(customerId: string, m: Queryable = this.db.manager): Promise<ContactRow[]> {
    return rows<ContactRow>(m, `SELECT * FROM contact WHERE customer_id = $1 ORDER BY ended_at NULLS FIRST, priority, created_at`, [customerId]);
  }

  /** Contacts removed, or who objected (STOP), before `cutoff`: longest ago first. */
  async endedOrOptedOutBefore(cutoff: Date): Promise<Array<{ id: string; customer_id: string }>> {
    return rows(
      this.db,
      `SELECT id, customer_id FROM contact WHERE ended_at < $1 OR (status = 'opted_out' AND opted_out_at < $1) ORDER BY coalesce(ended_at, opted_out_at)`,
      [cutoff],
    );
  }

  async deleteReplyCodes(m: Queryable, contactId: string): Promise<void> {
    await execute(m, `DELETE FROM reply_code WHERE contact_id = $1`, [contactId]);
  }

  async deleteRestrictions(m: Queryable, contactId: string): Promise<void> {
    await execute(m, `DELETE FROM restriction WHERE subject_type = 'contact' AND subject_id = $1`, [contactId]);
  }

  async delete(m: Queryable, contactId: string): Promise<void> {
    await execute(m, `DELETE FROM contact WHERE id = $1`, [contactId]);
  }

  /** The customer's remaining contacts keep priorities 1..n without gaps. */
  async closePriorityGaps(m: Queryable, customerId: string): Promise<void> {
    await execute(
      m,
      `UPDATE contact SET priority = o.n
         FROM (SELECT id, row_number() OVER (ORDER BY priority, created_at) AS n FROM contact WHERE customer_id = $1 AND ended_at IS NULL) o
        WHERE contact.id = o.id AND contact.priority <> o.n`,
      [customerId],
    );
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { notFound } from '../common/domain-error.js';

/**
 * Art. 18: the `restricted` flag on a customer or contact. What it means is enforced where data is
 * used: the send policy (src/sms/send-policy.ts) lets a restricted person get alarm messages only.
 * Former customers and removed contacts can be restricted too (their data is still stored).
 */
@Injectable()
export class Restriction {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async setCustomer(customerId: string, restricted: boolean): Promise<{ id: string; restricted: boolean }> {
    const rows = (await this.db.query(`WITH u AS (UPDATE customer SET restricted = $2, updated_at = now() WHERE id = $1 RETURNING id) SELECT id FROM u`, [
      customerId,
      restricted,
    ])) as Array<{ id: string }>;
    if (!rows.length) throw notFound('customer', customerId);
    return { id: customerId, restricted };
  }

  async setContact(customerId: string, contactId: string, restricted: boolean): Promise<{ id: string; customerId: string; restricted: boolean }> {
    const rows = (await this.db.query(
      `WITH u AS (UPDATE contact SET restricted = $3, updated_at = now() WHERE id = $1 AND customer_id = $2 RETURNING id) SELECT id FROM u`,
      [contactId, customerId, restricted],
    )) as Array<{ id: string }>;
    if (!rows.length) throw notFound('contact', contactId);
    return { id: contactId, customerId, restricted };
  }
}

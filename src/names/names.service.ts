import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { rows } from '../database/rows.js';

export interface NamedId {
  id: string;
  kind: 'customer' | 'contact' | 'operator';
  name: string;
}

@Injectable()
export class NamesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The name behind each id that is a customer, a contact or an operator. Former customers and
   * contacts are named too while their record is held (the processing log outlives the contract);
   * an erased one is simply not found.
   */
  async lookup(ids: string[]): Promise<{ items: NamedId[]; total: number }> {
    const items = await rows<NamedId>(
      this.dataSource,
      `SELECT id, 'customer' AS kind, name FROM customer WHERE id = ANY($1::uuid[])
       UNION ALL SELECT id, 'contact', name FROM contact WHERE id = ANY($1::uuid[])
       UNION ALL SELECT id, 'operator', name FROM operator WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return { items, total: items.length };
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customer search (`GET /api/customers?search=`) finds customers by their contacts' names too, with
 * the name anywhere in the text ("%lindqv%"): without an index that reads every contact (3 or more per
 * customer) on each keystroke of a search-as-you-type. A trigram index serves `ILIKE '%...%'`. The
 * customer's own fields are read in one pass of the (smaller) customer table: at 10,000 customers
 * the planner prefers that to a trigram index of them, so there is none.
 */
export class CustomerSearch1765200000000 implements MigrationInterface {
  name = 'CustomerSearch1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`CREATE INDEX contact_name_trgm ON contact USING gin (name gin_trgm_ops) WHERE ended_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX contact_name_trgm`);
  }
}

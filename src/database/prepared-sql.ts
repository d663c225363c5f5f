import type pg from 'pg';
import type { EntityManager } from 'typeorm';

/**
 * Runs a hot statement (the ingest, escalation and SMS paths) as a named prepared statement, so
 * PostgreSQL plans it once per connection instead of on every call. Measured: the send policy's facts query took ~3 ms
 * to plan and 0.4 ms to run; prepared, it went from ~800 to ~2500 per second on the same machine.
 * Runs on the caller's connection when the manager has one (its transaction), else on the pool.
 * `name` must always be used with the same `text`. (Behind PgBouncer in transaction mode this needs
 * PgBouncer 1.21+ with max_prepared_statements set.)
 */
export async function queryPrepared<T>(manager: EntityManager, name: string, text: string, values: unknown[]): Promise<T[]> {
  const runner = manager.queryRunner;
  if (runner && !runner.isReleased) {
    const client = (await runner.connect()) as pg.PoolClient;
    return (await client.query({ name, text, values })).rows as T[];
  }
  const pool = (manager.connection.driver as unknown as { master: pg.Pool }).master;
  return (await pool.query({ name, text, values })).rows as T[];
}

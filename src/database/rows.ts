import type { EntityManager } from 'typeorm';

/**
 * Whatever runs a statement: the data source (a pooled connection), or a transaction's entity
 * manager (its connection). Repositories take one of these so a service decides the transaction.
 */
export type Queryable = Pick<EntityManager, 'query'>;

/**
 * The rows a statement answers, typed as `T`: the one place a row type is asserted, so call sites
 * never cast. The driver answers a bare `UPDATE|DELETE ... RETURNING` as `[rows, count]`; wrap such
 * a statement in a CTE (`WITH u AS (UPDATE ... RETURNING *) SELECT * FROM u`) to get rows.
 */
export async function rows<T>(db: Queryable, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await db.query(sql, params)) as T[];
}

/** The first row a statement answers, undefined when none. */
export async function firstRow<T>(db: Queryable, sql: string, params: unknown[] = []): Promise<T | undefined> {
  const [row] = await rows<T>(db, sql, params);
  return row;
}

/**
 * The number a counting statement answers in its column `n` (`SELECT count(*)::int AS n ...`, or
 * `WITH d AS (DELETE ... RETURNING 1) SELECT count(*)::int AS n FROM d` for rows changed).
 */
export async function count(db: Queryable, sql: string, params: unknown[] = []): Promise<number> {
  const row = await firstRow<{ n: number }>(db, sql, params);
  if (!row || typeof row.n !== 'number') throw new Error('a counting statement must answer one row with an integer column n');
  return row.n;
}

/** The rows a bare `UPDATE|DELETE ... RETURNING` answers (the driver gives such a statement's answer as `[rows, affected]`). */
export async function changedRows<T>(db: Queryable, sql: string, params: unknown[] = []): Promise<T[]> {
  const [changed] = (await db.query(sql, params)) as [T[], number];
  return changed;
}

/** A statement whose answer is not wanted (an INSERT, UPDATE or DELETE without RETURNING). */
export async function execute(db: Queryable, sql: string, params: unknown[] = []): Promise<void> {
  await db.query(sql, params);
}

import { DataSource, DataSourceOptions } from 'typeorm';
import { grantToAppRole, MIGRATIONS_TABLE, roleOf } from './database-roles.js';
import { migrations } from './migrations/index.js';
import { rows } from './rows.js';

/**
 * Bounds on every statement the app runs, so a request never waits on the database for longer than
 * a caller would: the server cancels a statement after `STATEMENT_TIMEOUT_MS` (a lock wait, a slow
 * query: SQLSTATE 57014, answered 503), and the client gives up `QUERY_TIMEOUT_MS` after sending one
 * whatever the server does (a frozen or unreachable server cannot cancel anything). Migrations are
 * not bounded: they may rightly take long, and run before the app serves anyone.
 */
export const STATEMENT_TIMEOUT_MS = 5000;
export const QUERY_TIMEOUT_MS = STATEMENT_TIMEOUT_MS + 1000;

/** The app's data source: the shared options with its bounds on every statement. */
export function appDataSourceOptions(url: string): DataSourceOptions {
  const base = dataSourceOptions(url);
  return { ...base, extra: { ...(base.extra as object), statement_timeout: STATEMENT_TIMEOUT_MS, query_timeout: QUERY_TIMEOUT_MS } } as DataSourceOptions;
}

/** Options shared by the app, the migration runner and the tests. `synchronize` is never on. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations,
    migrationsTableName: MIGRATIONS_TABLE,
    // Extensions are the migrations' business; the app's role may not create them.
    installExtensions: false,
    extra: { max: 20, connectionTimeoutMillis: 5000 },
  };
}

/**
 * Runs pending migrations as the role of `url` (the schema's owner) under an advisory lock, so
 * several instances starting together on one database take turns instead of racing. With `appUrl`
 * logging in as another role, that role is then granted what the app needs (database-roles.ts).
 */
export async function runMigrations(url: string, options: { appUrl?: string } = {}): Promise<string[]> {
  const appRole =
    options.appUrl && options.appUrl !== url
      ? await roleOf(options.appUrl).catch((e: Error) => {
          throw new Error(`cannot log in as the app's role (DATABASE_URL) to grant it access: ${e.message}`);
        })
      : undefined;
  const ds = new DataSource(dataSourceOptions(url));
  await ds.initialize();
  const runner = ds.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock(727001)');
    const done = await ds.runMigrations({ transaction: 'each' });
    const [{ owner }] = await rows<{ owner: string }>(runner, 'SELECT current_user AS owner');
    if (appRole && appRole !== owner) {
      // In one transaction: running instances never see a table between its REVOKE and its GRANT.
      await runner.startTransaction();
      try {
        await grantToAppRole(runner, appRole);
        await runner.commitTransaction();
      } catch (e) {
        await runner.rollbackTransaction();
        throw e;
      }
    }
    return done.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(727001)').catch(() => undefined);
    await runner.release();
    await ds.destroy();
  }
}

import { DataSource, DataSourceOptions } from 'typeorm';
import { migrations } from './migrations/index.js';

/** Options shared by the app, the migration runner and the tests. `synchronize` is never on. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations,
    migrationsTableName: 'schema_migration',
    extra: { max: 20, connectionTimeoutMillis: 5000 },
  };
}

/**
 * Runs pending migrations under an advisory lock, so several instances starting together
 * on one database take turns instead of racing.
 */
export async function runMigrations(url: string): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(url));
  await ds.initialize();
  const runner = ds.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock(727001)');
    const done = await ds.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(727001)').catch(() => undefined);
    await runner.release();
    await ds.destroy();
  }
}

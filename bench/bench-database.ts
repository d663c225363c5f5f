import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from '../src/database/data-source.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/database/embedded-postgres.js';

/**
 * Runs `bench` on a migrated database: DATABASE_URL when set, otherwise an embedded PostgreSQL in a
 * temporary directory that is stopped and removed afterwards, whatever the bench did.
 */
export async function withBenchDatabase(bench: (db: DataSource, url: string) => Promise<void>): Promise<void> {
  let embedded: EmbeddedDatabase | undefined;
  let dir: string | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'keyholder-bench-'));
    await fs.chmod(dir, 0o755); // as root, postgres runs as the "postgres" user, which must enter it
    embedded = await startEmbeddedPostgres(dir);
    url = embedded.url;
  }
  await runMigrations(url);
  const db = new DataSource(dataSourceOptions(url));
  await db.initialize();
  try {
    await bench(db, url);
  } finally {
    await db.destroy();
    await embedded?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  }
}

// Jest loads global setup/teardown with Node's own loader (no moduleNameMapper), so they use the
// compiled app in dist/ (built by `pretest`).
// One PostgreSQL per test run: TEST_DATABASE_URL if given, else an embedded server in a temp dir.
// Migrations run once into a template database; each test file clones it (test-app.ts).
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { runMigrations } from '../../dist/database/data-source.js';
import { startEmbeddedPostgres } from '../../dist/database/embedded-postgres.js';

export const TEMPLATE = 'keyholder_test_template';

export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'keyholder-test-'));
    // As root, postgres runs as the "postgres" user, which must be able to enter the directory.
    await fs.chmod(dir, 0o755);
    const db = await startEmbeddedPostgres(dir);
    (globalThis as Record<string, unknown>).__keyholderTestDb = { db, dir };
    adminUrl = db.url as string;
  }
  const url = new URL(adminUrl!);
  url.pathname = `/${TEMPLATE}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
  await client.query(`CREATE DATABASE ${TEMPLATE}`);
  await client.end();
  await runMigrations(url.toString());
  process.env.KEYHOLDER_TEST_ADMIN_URL = adminUrl;
  process.env.KEYHOLDER_TEST_TEMPLATE = TEMPLATE;
}

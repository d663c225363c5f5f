// Jest loads global setup/teardown with Node's own loader (no moduleNameMapper), so they use the
// compiled app in dist/ (built by `pretest`).
// One PostgreSQL per test run: TEST_DATABASE_URL if given, else an embedded server in a temp dir.
// Migrations run once into a template database; each test file clones it (test-app.ts).
// One Chromium per run too, when it is installed: the browser files connect to it (chromium.ts).
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { runMigrations } from '../../dist/database/data-source.js';
import { startEmbeddedPostgres } from '../../dist/database/embedded-postgres.js';

export const TEMPLATE = 'keyholder_test_template';

/** The same executable as chromium.ts's CHROMIUM (that module needs Jest's globals, so it cannot be loaded here). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Without the networking flags Chromium floods this machine's closed network (docs/stack.md#chromium-for-browser-tests). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

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
  // Starting Chromium cost every browser file a second or more; without it, those files skip or fail (chromium.ts).
  if (existsSync(CHROMIUM)) {
    const browser = await chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    (globalThis as Record<string, unknown>).__keyholderTestBrowser = browser;
    process.env.KEYHOLDER_TEST_BROWSER = browser.wsEndpoint();
  }
}

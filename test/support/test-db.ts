import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A fresh database for one test file, cloned from the migrated template (milliseconds, not seconds). */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const adminUrl = process.env.KEYHOLDER_TEST_ADMIN_URL;
  const template = process.env.KEYHOLDER_TEST_TEMPLATE;
  if (!adminUrl || !template) throw new Error('test database not prepared: run the tests through `npm test` (jest globalSetup)');
  const name = `kh_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => c.end());
    },
  };
}

/** A plain pg client on a test database, for looking at (or tampering with) rows directly. */
export async function sql(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

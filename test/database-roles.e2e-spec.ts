// The app's database role cannot lift the processing log's append-only protection: it is neither
// superuser nor owner (only they may disable or drop a trigger), and holds only INSERT and SELECT
// on the log. Checked on `node dist/main.js` as users run it: with the embedded database (fresh, and
// a data directory from before the roles were split), and with an external one given two URLs.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { runMigrations } from '../src/database/data-source.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { customerBody, nowSeconds, sign } from './support/alarm-fixtures.js';
import { killAppProcesses, startAppProcess, type AppProcess } from './support/app-process.js';
import { alive, postmasterPid } from './support/postmaster.js';
import { createTestDatabase } from './support/test-db.js';

const ADMIN = { email: 'admin@roles.test', password: 'roles-admin-password' };

/** `node dist/main.js` with this environment, once /health answers 200. */
function start(env: Record<string, string>): Promise<AppProcess> {
  return startAppProcess({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, LOG_LEVEL: 'info', ...env });
}

/** What the app does every day, through its API: each step needs its role's privileges. */
async function exercise(base: string): Promise<void> {
  const call = async (method: string, p: string, token?: string, body?: unknown, headers: Record<string, string> = {}) => {
    const raw = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(base + p, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(raw ? { 'content-type': 'application/json' } : {}), ...headers },
      body: raw,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const login = await call('POST', '/api/auth/login', undefined, ADMIN);
  expect(login.status).toBe(200);
  const token = login.body.accessToken as string;
  const customer = await call('POST', '/api/customers', token, customerBody(9101));
  expect(customer.status).toBe(201);
  const panel = await call('POST', `/api/customers/${customer.body.id}/panels`, token, { label: 'hall' });
  expect(panel.status).toBe(201);
  const event = JSON.stringify({ eventId: 'roles-1', code: 'BA', zone: '1', occurredAt: new Date().toISOString() });
  const ts = nowSeconds();
  const signal = await call('POST', `/api/panels/${panel.body.id}/events`, undefined, event, {
    'x-keyholder-timestamp': String(ts),
    'x-keyholder-signature': sign(panel.body.secret, ts, event),
  });
  expect(signal.status).toBe(202);
  expect(signal.body.alarmId).toEqual(expect.any(String));
  expect((await call('POST', `/api/alarms/${signal.body.alarmId}/actions`, token, { action: 'false_alarm' })).status).toBeLessThan(300);
  const erasure = await call('POST', `/api/customers/${customer.body.id}/erasure`, token);
  expect(erasure.status).toBeLessThan(300);
  // The sealer hashes every entry written above and a checkpoint is recorded: all as the app's role.
  const verify = await call('GET', '/api/privacy/processing-log/verify', token);
  expect(verify.status).toBe(200);
  expect(verify.body).toMatchObject({ ok: true, entries: expect.any(Number) });
  expect(verify.body.entries).toBeGreaterThan(3);
}

/** As `role` on the database at `url`: not a superuser, and the log's protection out of its reach. */
async function expectCannotTouchTheLog(url: string, role: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT current_user AS role, rolsuper FROM pg_roles WHERE rolname = current_user`);
    expect(rows).toEqual([{ role, rolsuper: false }]);
    const refused = async (sql: string) =>
      client.query(sql).then(
        () => 'done',
        (e: { code?: string; message: string }) => `${e.code}: ${e.message}`,
      );
    const columns = { processing_log: 'purpose', processing_log_seal: 'hash', processing_log_checkpoint: 'hash', processing_log_retention: 'hash' };
    for (const [table, column] of Object.entries(columns)) {
      expect(await refused(`ALTER TABLE ${table} DISABLE TRIGGER ALL`)).toBe(`42501: must be owner of table ${table}`);
      expect(await refused(`DROP TRIGGER ${table}_append_only ON ${table}`)).toBe(`42501: must be owner of relation ${table}`);
      for (const change of [`UPDATE ${table} SET ${column} = ${column}`, `DELETE FROM ${table}`, `TRUNCATE ${table}`]) {
        expect({ change, answer: await refused(change) }).toEqual({ change, answer: `42501: permission denied for table ${table}` });
      }
    }
    // The flag the retention function sets opens nothing for it: it is not the owner.
    await client.query(`SELECT set_config('keyholder.processing_log_retention', 'removing', false)`);
    expect(await refused(`DELETE FROM processing_log`)).toBe('42501: permission denied for table processing_log');
    // Only the owner's function writes retention checkpoints, and it removes nothing younger than
    // ten years by the database's clock, whatever cutoff it is asked for.
    expect(await refused(`INSERT INTO processing_log_retention SELECT * FROM processing_log_retention`)).toBe(
      '42501: permission denied for table processing_log_retention',
    );
    const entries = async () => (await client.query(`SELECT count(*)::int AS n FROM processing_log`)).rows[0].n as number;
    const before = await entries();
    const removal = await client.query(
      `SELECT * FROM processing_log_remove_old(now() + interval '100 years', 1000000, 'privacy.processing-log.retention', 'legal_obligation', 'asked for everything')`,
    );
    expect(removal.rows).toEqual([]);
    expect(await entries()).toBeGreaterThanOrEqual(before);
    // Nor can it make the log's tables its own, or rewrite the record of what was migrated.
    expect(await refused(`ALTER TABLE processing_log OWNER TO ${role}`)).toBe('42501: must be owner of table processing_log');
    expect(await refused(`DELETE FROM schema_migration`)).toBe('42501: permission denied for table schema_migration');
    expect(await refused(`CREATE TABLE intruder (id int)`)).toBe('42501: permission denied for schema public');
    // It does read and append.
    expect((await client.query(`SELECT count(*)::int AS n FROM processing_log`)).rows[0].n).toBeGreaterThan(3);
  } finally {
    await client.end();
  }
}

/** The embedded server's port (the fourth line of postmaster.pid) and a URL as `role`, with the password the app keeps in DATA_DIR. */
async function embeddedUrl(dataDir: string, role: string, passwordFile: string): Promise<string> {
  const port = (await fs.readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[3].trim();
  const password = (await fs.readFile(path.join(dataDir, passwordFile), 'utf8')).trim();
  return `postgresql://${role}:${encodeURIComponent(password)}@127.0.0.1:${port}/keyholder`;
}

const warnings = (stdout: string) => stdout.split('\n').filter((l) => l.includes('"context":"DatabaseRole"'));

describe('the app database role', () => {
  let root: string;
  const dataDirs: string[] = [];

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'keyholder-roles-'));
    await fs.chmod(root, 0o755); // as root, postgres runs as the "postgres" user, which must enter it
  });

  afterAll(async () => {
    await killAppProcesses();
    for (const dir of dataDirs) {
      const orphan = await postmasterPid(dir);
      if (orphan && alive(orphan)) process.kill(orphan, 'SIGKILL');
    }
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  it('embedded: the app connects as a role that is neither superuser nor owner, and still does all it does', async () => {
    const dataDir = path.join(root, 'fresh');
    dataDirs.push(dataDir);
    const app = await start({ DATA_DIR: dataDir });
    try {
      await exercise(app.base);
      // Its passwords are kept like the superuser's: readable by the app's user only.
      for (const file of ['postgres.password', 'postgres-owner.password', 'postgres-app.password']) {
        expect({ file, mode: (await fs.stat(path.join(dataDir, file))).mode & 0o777 }).toEqual({ file, mode: 0o600 });
      }
      const appUrl = await embeddedUrl(dataDir, 'keyholder_app', 'postgres-app.password');
      await expectCannotTouchTheLog(appUrl, 'keyholder_app');
      // The app's connections really are that role's (not merely able to be).
      const client = new pg.Client({ connectionString: await embeddedUrl(dataDir, 'keyholder', 'postgres.password') });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = 'keyholder' AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
        );
        expect(rows).toEqual([{ usename: 'keyholder_app' }]);
        const owners = await client.query(`SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'`);
        expect(owners.rows).toEqual([{ tableowner: 'keyholder_owner' }]);
      } finally {
        await client.end();
      }
      expect(warnings(app.stdout())).toEqual([]);
    } finally {
      await app.stop();
    }
  }, 150_000);

  it('embedded: a data directory from before the roles were split (all owned by the superuser) is handed over at start', async () => {
    const dataDir = path.join(root, 'older');
    dataDirs.push(dataDir);
    // The old layout: one database, everything in it created and owned by the superuser, no other role.
    const old = await startEmbeddedPostgres(dataDir);
    const su = new pg.Client({ connectionString: old.url });
    try {
      await su.connect();
      await su.query(`ALTER DATABASE keyholder OWNER TO keyholder`);
      await su.query(`DROP ROLE keyholder_app`);
      await su.query(`DROP ROLE keyholder_owner`);
      await runMigrations(old.url);
      const owners = await su.query(`SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'`);
      expect(owners.rows).toEqual([{ tableowner: 'keyholder' }]);
    } finally {
      await su.end();
      await old.stop();
    }
    await fs.rm(path.join(dataDir, 'postgres-app.password'));
    await fs.rm(path.join(dataDir, 'postgres-owner.password'));

    const app = await start({ DATA_DIR: dataDir });
    try {
      await exercise(app.base);
      await expectCannotTouchTheLog(await embeddedUrl(dataDir, 'keyholder_app', 'postgres-app.password'), 'keyholder_app');
      const owner = new pg.Client({ connectionString: await embeddedUrl(dataDir, 'keyholder_owner', 'postgres-owner.password') });
      await owner.connect();
      try {
        const tables = await owner.query(`SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'`);
        expect(tables.rows).toEqual([{ tableowner: 'keyholder_owner' }]);
        const functions = await owner.query(
          `SELECT proname, proowner::regrole::text AS owner FROM pg_proc WHERE proname IN ('refuse_append_only_change', 'panel_secret_changed') ORDER BY 1`,
        );
        expect(functions.rows).toEqual([
          { proname: 'panel_secret_changed', owner: 'keyholder_owner' },
          { proname: 'refuse_append_only_change', owner: 'keyholder_owner' },
        ]);
      } finally {
        await owner.end();
      }
      expect(warnings(app.stdout())).toEqual([]);
    } finally {
      await app.stop();
    }
  }, 150_000);

  describe('external database', () => {
    const appRole = `kh_app_${randomBytes(4).toString('hex')}`;
    const appPassword = randomBytes(12).toString('hex');
    let db: Awaited<ReturnType<typeof createTestDatabase>>;
    let admin: pg.Client;

    beforeAll(async () => {
      db = await createTestDatabase();
      admin = new pg.Client({ connectionString: process.env.KEYHOLDER_TEST_ADMIN_URL });
      await admin.connect();
      await admin.query(`CREATE ROLE ${appRole} LOGIN PASSWORD '${appPassword}'`);
    });

    afterAll(async () => {
      await db?.drop();
      await admin?.query(`DROP ROLE IF EXISTS ${appRole}`).catch(() => undefined);
      await admin?.end();
    });

    it("with DATABASE_MIGRATION_URL, migrations run as its role and DATABASE_URL's role is granted only what the app needs", async () => {
      const appUrl = new URL(db.url);
      appUrl.username = appRole;
      appUrl.password = appPassword;
      const app = await start({ DATABASE_URL: appUrl.toString(), DATABASE_MIGRATION_URL: db.url, DATA_DIR: path.join(root, 'external') });
      try {
        await exercise(app.base);
        await expectCannotTouchTheLog(appUrl.toString(), appRole);
        expect(warnings(app.stdout())).toEqual([]);
      } finally {
        await app.stop();
      }
    }, 120_000);

    it("npm run migrate stops, saying so, when the app's role cannot log in (not created yet)", async () => {
      const missing = new URL(db.url);
      missing.username = `${appRole}_missing`;
      const child = spawn(process.execPath, ['dist/database/migrate.js'], {
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: missing.toString(), DATABASE_MIGRATION_URL: db.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr!.on('data', (d) => (err += d));
      expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(1);
      expect(err.trim()).toMatch(
        new RegExp(`^migration failed: cannot log in as the app's role \\(DATABASE_URL\\) to grant it access: .*"${appRole}_missing"`),
      );
    });

    it('warns once at start-up when the app connects as a superuser', async () => {
      const app = await start({ DATABASE_URL: db.url, DATA_DIR: path.join(root, 'external') });
      try {
        const said = warnings(app.stdout());
        expect(said).toHaveLength(1);
        expect(JSON.parse(said[0])).toMatchObject({
          level: 40,
          superuser: true,
          msg: expect.stringMatching(/is a superuser, so it could lift the log's append-only protection/),
        });
      } finally {
        await app.stop();
      }
    }, 120_000);
  });
});

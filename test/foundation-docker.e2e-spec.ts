// There is no Docker engine here, so the image is checked by running what it runs: the
// ENTRYPOINT and the HEALTHCHECK command, read from docker/Dockerfile and started from the
// repository root (the image's /app has the same layout: dist/, docker/, node_modules/), against
// an empty database on the test PostgreSQL, as the compose file's app service sees its db service.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { migrations } from '../src/database/migrations/index.js';
import { freePort } from './support/free-port.js';

const root = process.cwd();

/** Who is responsible: the image runs with NODE_ENV=production, which will not start without them. */
const CONTROLLER = {
  CONTROLLER_NAME: 'Larmbolaget AB',
  CONTROLLER_ORG_NUMBER: '556000-0000',
  CONTROLLER_ADDRESS: 'Box 1, 111 11 Stockholm',
  CONTROLLER_CONTACT: 'privacy@larmbolaget.example',
  DPO_CONTACT: 'dpo@larmbolaget.example',
};

/** The JSON-array (exec) form of a Dockerfile instruction, e.g. ENTRYPOINT ["docker/entrypoint.sh"]. */
async function dockerfileCommand(instruction: RegExp): Promise<string[]> {
  const dockerfile = await fs.readFile(path.join(root, 'docker/Dockerfile'), 'utf8');
  const match = new RegExp(`^${instruction.source}\\s*(\\[.*\\])\\s*$`, 'm').exec(dockerfile);
  if (!match) throw new Error(`docker/Dockerfile has no ${instruction.source} in exec form`);
  return JSON.parse(match[1]) as string[];
}

function run(command: string[], env: Record<string, string>): { child: ChildProcess; out: () => string; err: () => string; done: Promise<number | null> } {
  const child = spawn(command[0], command.slice(1), {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', DC09_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, done };
}

describe('the Docker image, run by hand', () => {
  let admin: pg.Client;
  let dbName: string;
  let databaseUrl: string;
  let dataDir: string;
  const running: ChildProcess[] = [];

  beforeAll(async () => {
    // An empty database (not the migrated template): the entrypoint must create the schema.
    const adminUrl = process.env.KEYHOLDER_TEST_ADMIN_URL!;
    dbName = `kh_docker_${randomBytes(4).toString('hex')}`;
    admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    const url = new URL(adminUrl);
    url.pathname = `/${dbName}`;
    databaseUrl = url.toString();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'keyholder-docker-'));
  });

  afterAll(async () => {
    for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await admin?.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin?.end();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('runs as a non-root user from node:20-bookworm-slim, with production dependencies only', async () => {
    const dockerfile = await fs.readFile(path.join(root, 'docker/Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM node:20-bookworm-slim\b/gm)).toHaveLength(3);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev --ignore-scripts/m);
    const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBeDefined();
    expect(users.at(-1)).not.toMatch(/^(root|0)$/);
    // What the build copies exists, and the entrypoint is executable (COPY keeps --chmod, git keeps the bit).
    for (const file of ['docker/entrypoint.sh', 'docker/healthcheck.mjs', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json']) {
      await expect(fs.access(path.join(root, file))).resolves.toBeUndefined();
    }
    expect((await fs.stat(path.join(root, 'docker/entrypoint.sh'))).mode & 0o111).toBeTruthy();
  });

  it('documents every configuration variable in the README and passes each through compose', async () => {
    const source = await fs.readFile(path.join(root, 'src/config/app-config.ts'), 'utf8');
    const envClass = /class EnvDto \{([\s\S]*?)\n\}/.exec(source)![1];
    const variables = [...envClass.matchAll(/^\s+([A-Z][A-Z0-9_]+)\?:/gm)].map((m) => m[1]);
    expect(variables).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'TWILIO_AUTH_TOKEN', 'ENCRYPTION_KEY']));
    const readme = await fs.readFile(path.join(root, 'README.md'), 'utf8');
    const table = readme.split('\n').filter((l) => l.startsWith('| `'));
    const compose = await fs.readFile(path.join(root, 'docker/compose.yaml'), 'utf8');
    for (const name of variables) {
      expect({ name, inReadmeTable: table.some((l) => l.split('|')[1].includes(`\`${name}\``)) }).toEqual({ name, inReadmeTable: true });
      // The image fixes PORT, DC09_PORT and DATA_DIR itself (compose maps the ports); everything else is the operator's to set.
      if (!['PORT', 'DC09_PORT', 'DATA_DIR'].includes(name)) {
        expect({ name, inCompose: new RegExp(`^\\s+${name}:`, 'm').test(compose) }).toEqual({ name, inCompose: true });
      }
    }
  });

  it('refuses to start in production until the controller and the DPO are named, naming what is missing', async () => {
    const { CONTROLLER_ADDRESS: _address, DPO_CONTACT: _dpo, ...partly } = CONTROLLER;
    const app = run(await dockerfileCommand(/ENTRYPOINT/), { NODE_ENV: 'production', DATA_DIR: dataDir, DATABASE_URL: databaseUrl, ...partly });
    running.push(app.child);
    expect(await app.done).not.toBe(0);
    expect(app.err()).toMatch(/^ {2}CONTROLLER_ADDRESS: is required in production/m);
    expect(app.err()).toMatch(/^ {2}DPO_CONTACT: is required in production/m);
    expect(app.err()).not.toMatch(/CONTROLLER_NAME/);
  }, 60_000);

  it('migrates an empty database, starts, reports healthy, and stops cleanly on SIGTERM', async () => {
    const entrypoint = await dockerfileCommand(/ENTRYPOINT/);
    const healthcheck = await dockerfileCommand(/HEALTHCHECK.*CMD/);
    expect(entrypoint).toEqual(['docker/entrypoint.sh']);
    expect(healthcheck).toEqual(['node', 'docker/healthcheck.mjs']);

    const port = await freePort();
    const env = {
      NODE_ENV: 'production',
      ...CONTROLLER,
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      ADMIN_EMAIL: 'ops@docker.test',
      ADMIN_PASSWORD: 'docker-admin-password',
      LOG_LEVEL: 'warn',
    };
    const app = run(entrypoint, env);
    running.push(app.child);

    // What Docker's HEALTHCHECK does: run the command until it exits 0.
    let healthy = false;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline && !healthy && app.child.exitCode === null;) {
      healthy = (await run(healthcheck, { PORT: String(port) }).done) === 0;
      if (!healthy) await new Promise((r) => setTimeout(r, 250));
    }
    if (!healthy) throw new Error(`never healthy; stdout:\n${app.out()}\nstderr:\n${app.err()}`);

    // The migration step ran first, on its own, and applied everything.
    expect(app.out()).toContain(`applied: ${migrations.map((m) => m.name).join(', ')}`);
    const check = new pg.Client({ connectionString: databaseUrl });
    await check.connect();
    try {
      const rows = (await check.query('SELECT name FROM schema_migration ORDER BY id')).rows.map((r) => r.name);
      expect(rows).toEqual(migrations.map((m) => m.name));
    } finally {
      await check.end();
    }
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ops@docker.test', password: 'docker-admin-password' }),
    });
    expect(login.status).toBe(200);

    // The health check fails when nothing healthy answers.
    expect(await run(healthcheck, { PORT: String(await freePort()) }).done).toBe(1);

    // `exec` in the entrypoint: the pid Docker signals is node itself, which shuts down and exits 0.
    app.child.kill('SIGTERM');
    expect(await app.done).toBe(0);
    expect(app.err()).toMatch(/SIGTERM: shutting down/);
  }, 120_000); // a cold start of the whole app, on a possibly loaded machine

  it("with two roles, as compose runs it: migrations as the owner, the app as its own role without the owner's URL", async () => {
    // What docker/postgres-init.sh creates, on an empty database of its own.
    const appRole = `kh_docker_app_${randomBytes(4).toString('hex')}`;
    const appDb = `${dbName}_roles`;
    await admin.query(`CREATE ROLE ${appRole} LOGIN PASSWORD 'app-role-password'`);
    await admin.query(`CREATE DATABASE ${appDb}`);
    const ownerUrl = new URL(databaseUrl);
    ownerUrl.pathname = `/${appDb}`;
    const appUrl = new URL(ownerUrl);
    appUrl.username = appRole;
    appUrl.password = 'app-role-password';
    const port = await freePort();
    const app = run(await dockerfileCommand(/ENTRYPOINT/), {
      ...CONTROLLER,
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: appUrl.toString(),
      DATABASE_MIGRATION_URL: ownerUrl.toString(),
      ADMIN_EMAIL: 'ops@docker.test',
      ADMIN_PASSWORD: 'docker-admin-password',
      LOG_LEVEL: 'warn',
    });
    running.push(app.child);
    const check = new pg.Client({ connectionString: ownerUrl.toString() });
    try {
      let healthy = false;
      for (const deadline = Date.now() + 60_000; Date.now() < deadline && !healthy && app.child.exitCode === null;) {
        healthy =
          (await fetch(`http://127.0.0.1:${port}/health`).then(
            (r) => r.status,
            () => 0,
          )) === 200;
        if (!healthy) await new Promise((r) => setTimeout(r, 250));
      }
      if (!healthy) throw new Error(`never healthy; stdout:\n${app.out()}\nstderr:\n${app.err()}`);
      expect(app.out()).toContain(`applied: ${migrations.map((m) => m.name).join(', ')}`);
      const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ops@docker.test', password: 'docker-admin-password' }),
      });
      expect(login.status).toBe(200);
      await check.connect();
      const { rows } = await check.query(
        `SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
        [appDb],
      );
      expect(rows).toEqual([{ usename: appRole }]);
      // The app's process (node, exec'd by the entrypoint) does not hold the owner's connection string.
      const environ = await fs.readFile(`/proc/${app.child.pid}/environ`, 'utf8');
      expect(environ.split('\0').filter((v) => v.startsWith('DATABASE'))).toEqual([`DATABASE_URL=${appUrl.toString()}`]);
      expect(app.err()).not.toMatch(/superuser|owns the processing log/);
      app.child.kill('SIGTERM');
      expect(await app.done).toBe(0);
    } finally {
      await check.end().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${appDb} WITH (FORCE)`);
      await admin.query(`DROP ROLE IF EXISTS ${appRole}`);
    }
  }, 120_000);

  it('migrating again is a no-op', async () => {
    const again = run(['node', 'dist/database/migrate.js'], { DATABASE_URL: databaseUrl });
    expect(await again.done).toBe(0);
    expect(again.out()).toBe('schema is up to date\n');
  });

  it('stops at the migration step, with a one-line reason, when the database cannot be reached', async () => {
    const dead = new URL(databaseUrl);
    dead.port = String(await freePort());
    const app = run(await dockerfileCommand(/ENTRYPOINT/), { PORT: String(await freePort()), DATA_DIR: dataDir, DATABASE_URL: dead.toString() });
    running.push(app.child);
    expect(await app.done).toBe(1);
    expect(app.err().trim()).toMatch(/^migration failed: .*ECONNREFUSED/);
    expect(app.err()).not.toMatch(/\n\s+at /);
    expect(app.out()).toBe('');
  });
});

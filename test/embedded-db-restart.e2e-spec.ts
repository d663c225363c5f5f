// `npm start` as a user runs it: `node dist/main.js` with the embedded PostgreSQL in DATA_DIR.
// The data must survive a restart and a `kill -9` of the app (which leaves the postgres child
// running as an orphan), SIGTERM must stop both cleanly, and the generated admin password is
// printed at first start only.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { killAppProcesses, startAppProcess, type AppProcess } from './support/app-process.js';
import { freePort } from './support/free-port.js';
import { alive, postmasterPid } from './support/postmaster.js';

/** The app on `port`, once /health answers 200. */
const start = (env: Record<string, string>, port: number): Promise<AppProcess> => startAppProcess({ ...env, PORT: String(port) });

async function login(port: number, email: string, password: string): Promise<{ status: number; token?: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.json()) as { accessToken?: string };
  return { status: res.status, token: body.accessToken };
}

describe('node dist/main.js with the embedded database', () => {
  let root: string;
  let dataDir: string;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'keyholder-main-'));
    await fs.chmod(root, 0o755); // as root, postgres runs as the "postgres" user, which must enter it
    dataDir = path.join(root, 'data'); // created by the app itself
  });

  afterAll(async () => {
    // Only what this file started: the app processes, and the postgres they left behind if a test failed.
    await killAppProcesses();
    const orphan = dataDir ? await postmasterPid(dataDir) : undefined;
    if (orphan && alive(orphan)) process.kill(orphan, 'SIGKILL');
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  it('keeps its data across a kill -9, prints the admin password once, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const env = { DATA_DIR: dataDir };

    // First start: no ADMIN_PASSWORD, so one is generated and printed once.
    const first = await start(env, port);
    const printed = /password: (\S+)/.exec(first.stderr());
    expect(printed).not.toBeNull();
    const adminPassword = printed![1];
    expect(first.stderr()).toContain('email:    admin@localhost');
    expect(first.stderr().split(adminPassword)).toHaveLength(2); // exactly once
    expect(first.stdout()).not.toContain(adminPassword);
    const pgStat = await fs.stat(dataDir);
    expect(pgStat.isDirectory()).toBe(true);

    const admin = await login(port, 'admin@localhost', adminPassword);
    expect(admin.status).toBe(200);
    const operator = { email: 'kari@alarm.test', name: 'Kari', role: 'operator', password: 'kari-password-1234' };
    const created = await fetch(`http://127.0.0.1:${port}/api/operators`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
      body: JSON.stringify(operator),
    });
    expect(created.status).toBe(201);
    expect((await login(port, operator.email, operator.password)).status).toBe(200);

    // kill -9: no shutdown hook runs, and the postgres child is left running on the data directory.
    const orphan = await postmasterPid(dataDir);
    expect(orphan).toBeGreaterThan(0);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(alive(orphan!)).toBe(true);

    // Second start on the same directory and port: it deals with the orphan and keeps the data.
    const second = await start(env, port);
    expect(second.stderr()).toMatch(new RegExp(`orphaned embedded PostgreSQL \\(pid ${orphan}\\)`));
    expect(alive(orphan!)).toBe(false);
    expect(second.stderr()).not.toContain(adminPassword);
    expect(second.stderr()).not.toMatch(/First start/);
    expect((await login(port, operator.email, operator.password)).status).toBe(200);
    expect((await login(port, 'admin@localhost', adminPassword)).status).toBe(200);

    // Nothing the app wrote (its request logs on stdout, its notices on stderr) holds a password.
    for (const text of [first.stdout(), second.stdout(), second.stderr()]) {
      expect(text).not.toContain(operator.password);
      expect(text).not.toContain(adminPassword);
    }
    expect(first.stderr()).not.toContain(operator.password);
    // The app does log requests at the default level (so the check above looked at real log lines).
    expect(second.stdout()).toMatch(/"path":"\/api\/auth\/login"/);

    // SIGTERM: the app closes, then its database, and it exits 0.
    const pgPid = await postmasterPid(dataDir);
    expect(pgPid).toBeGreaterThan(0);
    second.child.kill('SIGTERM');
    const { code } = await second.exited;
    expect(code).toBe(0);
    expect(second.stderr()).toMatch(/SIGTERM: shutting down/);
    expect(alive(pgPid!)).toBe(false);
    expect(await postmasterPid(dataDir)).toBeUndefined();
    // Two cold starts of the whole app: ~12 s on an idle machine, far more on a loaded CI runner.
  }, 150_000);
});

// `npm start` runs the embedded PostgreSQL as a child of the app. When that postgres dies under the
// running app (kill -9, the OOM killer), the app must notice at once, say which process died, bring
// it back on the same port and data without a person, say `database: restarting` on /health
// meanwhile, and run every escalation step that fell due during the outage, once.
import type { ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { customerBody, mobile, nowSeconds, sign } from './support/alarm-fixtures.js';
import { startAppProcess } from './support/app-process.js';
import { alive, postmasterPid } from './support/postmaster.js';

const ADMIN = { email: 'admin@supervision.test', password: 'supervision-admin-password' };
const WAIT_SECONDS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Message {
  purpose: string;
  to: string;
  status: string;
  createdAt: string;
}

describe('the embedded PostgreSQL dies under the running app (node dist/main.js)', () => {
  let root: string;
  let dataDir: string;
  let child: ChildProcess | undefined;
  /** The app's standard output and error so far. */
  let output = () => '';
  let base: string;
  let token: string;

  const call = async (method: string, p: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + p, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: typeof body === 'string' ? body : body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  const alarmMessages = async (alarmId: string): Promise<Message[]> => {
    const res = await call('GET', `/api/messages?alarmId=${alarmId}&limit=200`);
    if (res.status !== 200) return [];
    return (res.body.items as Message[]).filter((m) => m.purpose === 'alarm_owner' || m.purpose === 'alarm_contact');
  };

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'keyholder-supervision-'));
    await fs.chmod(root, 0o755); // as root, postgres runs as the "postgres" user, which must enter it
    dataDir = path.join(root, 'data');
    const app = await startAppProcess({ DATA_DIR: dataDir, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password }, { timeoutMs: 90_000 });
    child = app.child;
    base = app.base;
    output = app.output;
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    token = ((await login.json()) as { accessToken: string }).accessToken;
  }, 120_000);

  afterAll(async () => {
    // Only what this file started: the app, and a postgres it left behind if a test failed.
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const orphan = dataDir ? await postmasterPid(dataDir) : undefined;
    if (orphan && alive(orphan)) process.kill(orphan, 'SIGKILL');
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  it('logs the death at once, restarts it, says restarting on /health, and sends every due step once', async () => {
    // A household: the owner, one contact, a panel; waits of 3 s so the contact's step falls due soon.
    const customer = await call('POST', '/api/customers', customerBody(9001));
    expect(customer.status).toBe(201);
    const contact = await call('POST', `/api/customers/${customer.body.id}/contacts`, { name: 'Contact 9002', phone: mobile(9002) });
    expect(contact.status).toBe(201);
    const panel = await call('POST', `/api/customers/${customer.body.id}/panels`, {});
    expect(panel.status).toBe(201);
    const settings = await call('PUT', '/api/settings/escalation/burglary', { ownerWaitSeconds: WAIT_SECONDS, contactWaitSeconds: WAIT_SECONDS });
    expect(settings.status).toBe(200);

    const raw = JSON.stringify({ eventId: 'supervision-1', code: 'BA', occurredAt: new Date().toISOString() });
    const timestamp = nowSeconds();
    const posted = await call('POST', `/api/panels/${panel.body.id}/events`, raw, {
      'x-keyholder-timestamp': String(timestamp),
      'x-keyholder-signature': sign(panel.body.secret, timestamp, raw),
    });
    expect(posted.status).toBe(202);
    const alarmId = posted.body.alarmId as string;

    let owner: Message | undefined;
    for (let waited = 0; !owner && waited < 10_000; waited += 50) {
      owner = (await alarmMessages(alarmId)).find((m) => m.purpose === 'alarm_owner' && m.status === 'sent');
      if (!owner) await sleep(50);
    }
    expect(owner).toBeDefined();
    const contactDue = Date.parse(owner!.createdAt) + WAIT_SECONDS * 1000;

    // Kill the postmaster half a second before the contact's step is due, so the step falls due
    // while the database is down.
    await sleep(Math.max(0, contactDue - 500 - Date.now()));
    const dead = await postmasterPid(dataDir);
    expect(dead).toBeGreaterThan(0);
    const killedAt = Date.now();
    process.kill(dead!, 'SIGKILL');

    // /health: 503 saying restarting, then 200 again, from the same app process.
    const seen: Array<{ status: number; body: any }> = [];
    let loggedAt: number | undefined;
    const deathLine = new RegExp(`embedded PostgreSQL \\(pid ${dead}\\) exited with signal SIGKILL; restarting`);
    const sawRestarting = () => seen.some((r) => r.status === 503 && r.body?.error?.database?.state === 'restarting');
    // Until 200 after a 503: the very first check may still be answered by a backend of the dead server.
    while (!(sawRestarting() && seen.at(-1)!.status === 200) && Date.now() - killedAt < 60_000) {
      if (loggedAt === undefined && deathLine.test(output())) loggedAt = Date.now();
      const res = await fetch(`${base}/health`).then(
        async (r) => ({ status: r.status, body: await r.json() }),
        () => ({ status: 0, body: undefined }),
      );
      seen.push(res);
      if (res.status !== 200) await sleep(25);
    }
    if (loggedAt === undefined && deathLine.test(output())) loggedAt = Date.now();
    expect(seen.at(-1)!.status).toBe(200);
    const restarting = seen.find((r) => r.status === 503 && r.body?.error?.database?.state === 'restarting');
    expect(restarting?.body).toMatchObject({
      status: 'error',
      error: { database: { status: 'down', state: 'restarting', message: `the embedded PostgreSQL (pid ${dead}) exited with signal SIGKILL; restarting it` } },
    });
    expect(child!.exitCode).toBeNull();
    expect(child!.signalCode).toBeNull();

    // The log named the dead process, as an error (pino level 50), before it said it was back.
    expect(loggedAt).toBeDefined();
    expect(output().search(deathLine)).toBeLessThan(output().search(/embedded PostgreSQL is running again/));
    const line = output()
      .split('\n')
      .find((l) => deathLine.test(l))!;
    expect(JSON.parse(line)).toMatchObject({ level: 50, context: 'EmbeddedPostgres' });
    expect(output()).toMatch(/embedded PostgreSQL is running again \(pid \d+\)/);
    const restarted = await postmasterPid(dataDir);
    expect(restarted).not.toBe(dead);
    expect(alive(restarted!)).toBe(true);

    // The contact's step, due during the outage, went out once and soon after it was due.
    let contactSms: Message | undefined;
    for (let waited = 0; !contactSms && waited < 20_000; waited += 100) {
      contactSms = (await alarmMessages(alarmId)).find((m) => m.purpose === 'alarm_contact');
      if (!contactSms) await sleep(100);
    }
    expect(contactSms).toBeDefined();
    const late = Date.parse(contactSms!.createdAt) - contactDue;
    process.stdout.write(`contact SMS ${late} ms after due; database back ${Date.now() - killedAt} ms after the kill\n`);
    // How late is printed, not asserted: on a loaded machine it is whatever the scheduler makes it.
    // What must hold is that the step due during the outage was not lost, nor sent early.
    expect(late).toBeGreaterThanOrEqual(0);
    // Past the contact's own wait too (the alarm becomes unreached): still one text each.
    await sleep(WAIT_SECONDS * 1000 + 1500);
    const all = await alarmMessages(alarmId);
    expect(all.filter((m) => m.purpose === 'alarm_owner')).toHaveLength(1);
    expect(all.filter((m) => m.purpose === 'alarm_contact')).toHaveLength(1);
    expect(all.find((m) => m.purpose === 'alarm_contact')!.to).toBe(mobile(9002));

    // SIGTERM still stops the app and the restarted database cleanly.
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(alive(restarted!)).toBe(false);
  }, 120_000);
});

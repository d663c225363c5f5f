// A database that stops answering (SIGSTOP: a paused VM or container, a network that drops
// packets) is treated as one that is down: every request gets its answer within a few seconds
// (503 with Retry-After, a DC-09 frame no ACK), and the app carries on by itself once it answers
// again. This file runs its own embedded PostgreSQL, since freezing the shared one would stall
// every other test file.
import { promises as fs } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/app-config.js';
import { runMigrations } from '../src/database/data-source.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/database/embedded-postgres.js';
import { buildFrame, parseReply } from '../src/dc09/dc09-frame.js';
import { nowSeconds, sign } from './support/alarm-fixtures.js';
import { sendOnce } from './support/dc09-client.js';
import { postmasterPid } from './support/postmaster.js';

const ADMIN = { email: 'admin@frozen.test', password: 'frozen-admin-password' };

/** The server and every backend it forked: stopping the postmaster alone leaves open connections answering. */
function signalServer(pid: number, signal: 'SIGSTOP' | 'SIGCONT'): void {
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
    .split('\n')
    .map(Number)
    .filter(Boolean);
  for (const p of [pid, ...children]) {
    try {
      process.kill(p, signal);
    } catch {
      /* exited meanwhile */
    }
  }
}

describe('a frozen database (SIGSTOP)', () => {
  let dir: string;
  let db: EmbeddedDatabase | undefined;
  let app: INestApplication | undefined;
  let base: string;
  let pid: number;

  const call = async (method: string, p: string, o: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) => {
    const started = Date.now();
    const res = await fetch(base + p, {
      method,
      headers: { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...(o.body || o.raw ? { 'content-type': 'application/json' } : {}), ...o.headers },
      body: o.raw ?? (o.body ? JSON.stringify(o.body) : undefined),
    });
    const text = await res.text();
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: text ? JSON.parse(text) : undefined, ms: Date.now() - started };
  };

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'keyholder-frozen-'));
    await fs.chmod(dir, 0o755);
    db = await startEmbeddedPostgres(dir);
    await runMigrations(db.url);
    const config = loadConfig({
      DATABASE_URL: db.url,
      DATA_DIR: dir,
      PORT: '0',
      DC09_PORT: '0',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'silent',
    });
    app = await createApp(config);
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    pid = (await postmasterPid(dir))!;
  }, 120_000);

  afterAll(async () => {
    if (pid) signalServer(pid, 'SIGCONT');
    await app?.close().catch(() => undefined);
    await db?.stop().catch(() => undefined);
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('answers panels, operators and DC-09 within a few seconds while frozen, and works again once it thaws', async () => {
    const token = (await call('POST', '/api/auth/login', { body: ADMIN })).body.accessToken as string;
    const customer = await call('POST', '/api/customers', {
      token,
      body: { name: 'Frozen Test', phone: '+46702009902', alarmAddress: { street: 'Storgatan 3', postalCode: '114 55', city: 'Stockholm', country: 'SE' } },
    });
    const panel = (await call('POST', `/api/customers/${customer.body.id}/panels`, { token, body: {} })).body;
    const dc09 = (await call('POST', `/api/customers/${customer.body.id}/panels`, { token, body: { protocol: 'dc09', dc09: { account: '880001' } } })).body;
    const key = Buffer.from(dc09.dc09.key, 'hex');
    const dc09Port = (await call('GET', '/api/settings/dc09', { token })).body.port as number;
    const event = (eventId: string) => {
      const raw = JSON.stringify({ eventId, code: 'BA', zone: '1', occurredAt: new Date().toISOString() });
      const ts = nowSeconds();
      return call('POST', `/api/panels/${panel.id}/events`, {
        raw,
        headers: { 'x-keyholder-timestamp': String(ts), 'x-keyholder-signature': sign(panel.secret, ts, raw) },
      });
    };
    const frame = () => buildFrame({ id: 'SIA-DCS', sequence: '0001', line: 'L0', account: '880001', data: '#880001|NBA2', timestamp: new Date(), key });
    expect((await event('warm-1')).status).toBe(202);
    expect(parseReply((await sendOnce(dc09Port, frame()))!, key)).toMatchObject({ ok: true, kind: 'ACK' });

    signalServer(pid, 'SIGSTOP');
    try {
      const [signal, read, health] = await Promise.all([event('frozen-1'), call('GET', '/api/customers', { token }), call('GET', '/health')]);
      for (const res of [signal, read]) {
        expect({ status: res.status, retryAfter: Number(res.retryAfter) > 0, within10s: res.ms < 10_000 }).toEqual({
          status: 503,
          retryAfter: true,
          within10s: true,
        });
      }
      expect(health.status).toBe(503);
      // DC-09: no ACK (the panel retries or turns to its backup path).
      expect(await sendOnce(dc09Port, frame(), 9000)).toBeNull();
    } finally {
      signalServer(pid, 'SIGCONT');
    }
    // Thawed: everything works again without a restart.
    let status = 0;
    for (let waited = 0; waited < 20_000 && status !== 202; waited += 250) {
      status = (await event(`after-${waited}`)).status;
      if (status !== 202) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(202);
    expect((await call('GET', '/api/customers', { token })).status).toBe(200);
    expect(parseReply((await sendOnce(dc09Port, frame()))!, key)).toMatchObject({ ok: true, kind: 'ACK' });
  }, 120_000);
});

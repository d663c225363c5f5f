// The database going away under a running app: /health and the API answer 503 with Retry-After
// (never 500), and the app recovers by itself when the database is back. This file runs its own
// embedded PostgreSQL, because stopping the shared test server would break every other test file.
import { promises as fs } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/app-config.js';
import { runMigrations } from '../src/database/data-source.js';
import { migrations } from '../src/database/migrations/index.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/database/embedded-postgres.js';
import { buildFrame, parseReply } from '../src/dc09/dc09-frame.js';
import pg from 'pg';
import { sendOnce } from './support/dc09-client.js';

const ADMIN = { email: 'admin@embedded.test', password: 'embedded-admin-password' };

describe('embedded PostgreSQL stopped under a running app', () => {
  let dir: string;
  let db: EmbeddedDatabase | undefined;
  let app: INestApplication | undefined;
  let base: string;

  const call = async (method: string, p: string, token?: string, body?: unknown) => {
    const res = await fetch(base + p, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: text ? JSON.parse(text) : undefined };
  };

  /** /health's status once it answers 200, or after 15 s of trying: the app reconnects by itself. */
  const healthWhenBack = async () => {
    let status = 0;
    for (let waited = 0; waited < 15_000 && status !== 200; waited += 250) {
      status = (await call('GET', '/health')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    return status;
  };

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'keyholder-embedded-'));
    await fs.chmod(dir, 0o755); // as root, postgres runs as the "postgres" user, which must enter it
    db = await startEmbeddedPostgres(dir);
    expect(await runMigrations(db.url)).toEqual(migrations.map((m) => m.name));
    // A second run has nothing left to do.
    expect(await runMigrations(db.url)).toEqual([]);
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
  }, 120_000); // initdb and a cold app start, on a possibly loaded machine

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    await db?.stop().catch(() => undefined);
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After while the database is down, and 200 again once it is back', async () => {
    expect((await call('GET', '/health')).status).toBe(200);
    const login = await call('POST', '/api/auth/login', undefined, ADMIN);
    expect(login.status).toBe(200);
    const token = login.body.accessToken as string;
    expect((await call('GET', '/api/operators', token)).status).toBe(200);

    const port = Number(new URL(db!.url).port);
    await db!.stop();
    db = undefined;

    const health = await call('GET', '/health');
    expect(health.status).toBe(503);
    expect(Number(health.retryAfter)).toBeGreaterThan(0);
    expect(health.body).toMatchObject({ statusCode: 503, status: 'error', error: { database: { status: 'down' } } });

    // An API route that needs the database: 503 in the standard shape, not 500.
    const list = await call('GET', '/api/operators', token);
    expect(list.status).toBe(503);
    expect(Number(list.retryAfter)).toBeGreaterThan(0);
    expect(list.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(/database is unavailable/) });
    const again = await call('POST', '/api/auth/login', undefined, ADMIN);
    expect(again.status).toBe(503);
    expect(again.body.error).toBe('Service Unavailable');

    // A database that accepts connections but never answers (a hung server, a network drop):
    // the connection attempt times out, and that is an outage too, not an internal error.
    const sockets = new Set<net.Socket>();
    const blackhole = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => blackhole.listen(port, '127.0.0.1', resolve));
    try {
      const [hungHealth, hungList] = await Promise.all([call('GET', '/health'), call('GET', '/api/operators', token)]);
      expect(hungHealth.status).toBe(503);
      expect(hungList.status).toBe(503);
      expect(Number(hungList.retryAfter)).toBeGreaterThan(0);
      expect(hungList.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackhole.close(resolve));
    }

    // Back on the same port: the app reconnects without a restart.
    db = await startEmbeddedPostgres(dir, () => undefined, { port });
    expect(await healthWhenBack()).toBe(200);
    // The session outlived the outage: it is in the database, not in the process.
    expect((await call('GET', '/api/operators', token)).status).toBe(200);
  }, 120_000);

  it('DC-09: while the database is down a frame gets no reply at all (the panel retries); the retry once it is back is ACKed and stored once', async () => {
    const token = (await call('POST', '/api/auth/login', undefined, ADMIN)).body.accessToken as string;
    const customer = await call('POST', '/api/customers', token, {
      name: 'Outage Test',
      phone: '+46702009901',
      alarmAddress: { street: 'Storgatan 9', postalCode: '114 55', city: 'Stockholm', country: 'SE' },
    });
    expect(customer.status).toBe(201);
    const panel = await call('POST', `/api/customers/${customer.body.id}/panels`, token, { protocol: 'dc09', dc09: { account: '990001' } });
    expect(panel.status).toBe(201);
    const key = Buffer.from(panel.body.dc09.key, 'hex');
    const dc09Port = (await call('GET', '/api/settings/dc09', token)).body.port as number;
    const frame = (sequence: string, data: string) =>
      buildFrame({ id: 'SIA-DCS', sequence, line: 'L0', account: '990001', data: `#990001|${data}`, timestamp: new Date(), key });
    // Heard from once, so its key is known (cached) when the database goes away.
    expect(parseReply((await sendOnce(dc09Port, frame('0001', 'NRP0')))!, key)).toMatchObject({ ok: true, kind: 'ACK' });

    const port = Number(new URL(db!.url).port);
    await db!.stop();
    db = undefined;
    const burglary = frame('0002', 'NBA4');
    expect(await sendOnce(dc09Port, burglary, 4000)).toBeNull();

    db = await startEmbeddedPostgres(dir, () => undefined, { port });
    expect(await healthWhenBack()).toBe(200);
    // The panel's retry: the same frame (its timestamp is still within the window).
    expect(parseReply((await sendOnce(dc09Port, burglary))!, key)).toMatchObject({ ok: true, kind: 'ACK' });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT code, zone FROM panel_event WHERE panel_id = $1 AND code = 'BA'`, [panel.body.id]);
      expect(rows).toEqual([{ code: 'BA', zone: '4' }]);
    } finally {
      await client.end();
    }
  }, 120_000);
});

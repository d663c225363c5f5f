// An ACK is the same promise as a 202: the frame's events are committed. Here the app is a real
// process (dist/main.js) with panels on kept-open DC-09 connections sending as fast as they are
// answered; it is killed with kill -9, or stopped with SIGTERM, mid-stream. Every ACKed event must
// be in the database afterwards.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildFrame, parseReply } from '../src/dc09/dc09-frame.js';
import { AlarmFixtures, waitUntil } from './support/alarm-fixtures.js';
import { Dc09Connection } from './support/dc09-client.js';
import { ADMIN, createTestApp } from './support/test-app.js';
import { createTestDatabase, sql } from './support/test-db.js';
import { killAppProcesses, startAppProcess, type AppProcess } from './support/app-process.js';
import { freePort } from './support/free-port.js';

const ENCRYPTION_KEY = 'ab'.repeat(32);
const PANELS = 8;

interface DcPanel {
  id: string;
  account: string;
  key: Buffer;
}

describe('DC-09: no ACKed event is lost when the app dies or stops', () => {
  let db: { url: string; drop(): Promise<void> };
  let panels: DcPanel[];

  beforeAll(async () => {
    db = await createTestDatabase();
    const setup = await createTestApp({ ENCRYPTION_KEY }, { databaseUrl: db.url });
    try {
      const f = await AlarmFixtures.create(setup, 7000);
      panels = [];
      for (let i = 0; i < PANELS; i++) {
        const customer = await f.customer();
        const res = await setup.request('POST', `/api/customers/${customer.id}/panels`, {
          token: f.tokens.supervisor,
          body: { protocol: 'dc09', dc09: { account: `77${i}00` } },
        });
        if (res.status !== 201) throw new Error(res.text);
        panels.push({ id: res.body.id, account: res.body.dc09.account, key: Buffer.from(res.body.dc09.key, 'hex') });
      }
    } finally {
      await setup.close();
    }
  });
  afterAll(async () => {
    await killAppProcesses();
    await db?.drop();
  });

  async function startApp(): Promise<AppProcess & { dc09Port: number; dataDir: string }> {
    const dc09Port = await freePort();
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'keyholder-dc09-'));
    // The app's log (pino, on standard output) is in output() too: a frame that could not be committed says so there.
    const app = await startAppProcess(
      {
        DATABASE_URL: db.url,
        DC09_PORT: String(dc09Port),
        DATA_DIR: dataDir,
        ENCRYPTION_KEY,
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        LOG_LEVEL: 'warn',
      },
      { timeoutMs: 30_000 },
    );
    return { ...app, dc09Port, dataDir };
  }

  /**
   * Each panel sends frames one after the other on its own connection, the next as soon as the last
   * is answered: alternately an arm (stored by the batch path) and a burglary (the full alarm path),
   * the frame's number in the zone or user. Resolves with what was ACKed once the connections end.
   */
  function stream(dc09Port: number, round: string): { acked: Array<{ panel: DcPanel; n: number }>; sent: () => number; done: Promise<void> } {
    const acked: Array<{ panel: DcPanel; n: number }> = [];
    let sent = 0;
    const done = Promise.all(
      panels.map(async (panel) => {
        const c = await Dc09Connection.connect(dc09Port);
        for (let n = 1; !c.closed; n++) {
          const data = n % 2 ? `#${panel.account}|N${round}BA${n}` : `#${panel.account}|N${round}CL${n}`;
          const frame = buildFrame({
            id: 'SIA-DCS',
            sequence: String(n % 10000).padStart(4, '0'),
            line: 'L0',
            account: panel.account,
            data,
            timestamp: new Date(),
            key: panel.key,
          });
          sent += 1;
          const reply = await c.send(frame, 3000);
          if (!reply) break;
          const r = parseReply(reply, panel.key);
          if (r.ok && r.kind === 'ACK') acked.push({ panel, n });
        }
        c.close();
      }),
    ).then(() => undefined);
    return { acked, sent: () => sent, done };
  }

  async function expectAllStored(acked: Array<{ panel: DcPanel; n: number }>, round: string): Promise<void> {
    const client = await sql(db.url);
    try {
      const { rows } = await client.query(`SELECT panel_id, coalesce(zone, panel_user) AS n FROM panel_event WHERE area = $1`, [round.slice(2)]);
      const stored = new Set(rows.map((r: { panel_id: string; n: string }) => `${r.panel_id}/${r.n}`));
      const missing = acked.filter((a) => !stored.has(`${a.panel.id}/${a.n}`));
      expect(missing).toEqual([]);
    } finally {
      await client.end();
    }
  }

  it('kill -9 mid-stream: every ACKed event is stored', async () => {
    const app = await startApp();
    const s = stream(app.dc09Port, 'ri1');
    await waitUntil(async () => s.acked.length >= 100, 20000, 'events ACKed before the kill');
    app.child.kill('SIGKILL');
    await s.done;
    expect(s.acked.length).toBeGreaterThanOrEqual(100);
    await expectAllStored(s.acked, 'ri1');
    await fs.rm(app.dataDir, { recursive: true, force: true });
  }, 60_000);

  it('SIGTERM mid-stream: frames already received are answered, connections are closed, the app exits 0, every ACKed event is stored', async () => {
    const app = await startApp();
    const exited = new Promise<number | null>((resolve) => app.child.on('exit', (code) => resolve(code)));
    const s = stream(app.dc09Port, 'ri2');
    await waitUntil(async () => s.acked.length >= 100, 20000, 'events ACKed before SIGTERM');
    app.child.kill('SIGTERM');
    await s.done; // every connection ends: the app closes them once drained
    expect(await exited).toBe(0);
    expect(app.output()).not.toMatch(/not committed/);
    await expectAllStored(s.acked, 'ri2');
    // At most the frame each panel had in flight when the receiver stopped reading went unanswered.
    expect(s.sent() - s.acked.length).toBeLessThanOrEqual(PANELS);
    await fs.rm(app.dataDir, { recursive: true, force: true });
  }, 60_000);
});

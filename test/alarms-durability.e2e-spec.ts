// Escalation survives restarts, crashes and several instances at once; no step is lost, no SMS is
// sent twice for the same step (docs/alarm-handling.md#escalation-survives-restarts). Real processes and real instances on one database.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlarmFixtures, nowSeconds, sign, waitUntil, type Panel } from './support/alarm-fixtures.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { createTestApp, ADMIN } from './support/test-app.js';
import { createTestDatabase, sql } from './support/test-db.js';
import { killAppProcesses, startAppProcess } from './support/app-process.js';

const PUBLIC = 'https://alarm.example.test';
// Every instance must read the panels' secrets: one key for all of them.
const ENCRYPTION_KEY = randomBytes(32).toString('hex');

describe('escalation durability', () => {
  let fake: FakeTwilio;
  let db: { url: string; drop(): Promise<void> };
  let env: Record<string, string>;

  beforeAll(async () => {
    fake = await new FakeTwilio().start();
    db = await createTestDatabase();
    env = fake.env(PUBLIC, { SMS_RATE_PER_SECOND: '1000', ENCRYPTION_KEY, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
  });
  afterAll(async () => {
    await killAppProcesses();
    await db?.drop();
    await fake?.stop();
  });

  // Contacts also get their onboarding notice (which ends with the STOP line); count alarm texts only.
  const smsTo = (phone: string) => fake.messages.filter((r) => r.to === phone && !/STOP\.$/.test(r.body));

  it('runs an overdue step at once after the instance running the alarm was killed with kill -9', async () => {
    // Set up through one instance, then stop it: only the process below runs escalation.
    const setup = await createTestApp(env, { databaseUrl: db.url });
    const f = await AlarmFixtures.create(setup, 3000);
    await f.setWaits('burglary', 3, 1);
    const { customer, contacts, panel } = await f.household(2);
    await setup.close();

    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'keyholder-kill-'));
    const app = await startAppProcess({ ...env, DATABASE_URL: db.url, DATA_DIR: dataDir, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });

    const alarmId = await postTo(app.base, panel, 'k-1');
    await fake.waitFor(() => smsTo(customer.phone)[0], 5000);
    await waitUntil(async () => (await rows(db.url, `SELECT 1 FROM sms_message WHERE alarm_id = $1 AND status = 'sent'`, [alarmId])).length > 0);
    app.child.kill('SIGKILL');
    await app.exited;

    // The owner's wait (3 s) runs out while no instance is running.
    await waitUntil(
      async () => (await rows(db.url, `SELECT 1 FROM alarm WHERE id = $1 AND next_step_at < now()`, [alarmId])).length > 0,
      8000,
      "the owner's wait to run out",
    );
    expect(smsTo(contacts[0].phone)).toHaveLength(0);
    const [before] = await rows(db.url, `SELECT stage, next_step_at < now() AS overdue FROM alarm WHERE id = $1`, [alarmId]);
    expect(before).toEqual({ stage: 'owner', overdue: true });

    const restarted = await createTestApp(env, { databaseUrl: db.url });
    try {
      const startedAt = Date.now();
      await fake.waitFor(() => smsTo(contacts[0].phone)[0], 5000);
      // At once, not after the owner's wait (3 s) all over again.
      expect(Date.now() - startedAt).toBeLessThan(2000);
      await fake.waitFor(() => smsTo(contacts[1].phone)[0], 5000);
      await waitUntil(async () => (await rows(db.url, `SELECT 1 FROM alarm WHERE id = $1 AND stage = 'unreached'`, [alarmId])).length > 0);
      expect(smsTo(customer.phone)).toHaveLength(1);
      expect(smsTo(contacts[0].phone)).toHaveLength(1);
      expect(smsTo(contacts[1].phone)).toHaveLength(1);
    } finally {
      await restarted.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('two instances on one database run every step once: no SMS is sent twice', async () => {
    const a = await createTestApp(env, { databaseUrl: db.url });
    const b = await createTestApp(env, { databaseUrl: db.url });
    try {
      // The operators exist already (created through the first test's instance).
      const tokens = {
        operator: await a.login('operator@test.local', 'operator-password-123'),
        supervisor: await a.login('supervisor@test.local', 'supervisor-password-123'),
      };
      const f = new AlarmFixtures(a, tokens, 4000);
      await f.setWaits('burglary', 1, 1);
      const households = [];
      for (let i = 0; i < 6; i++) households.push(await f.household(2));
      const sentBefore = fake.messages.length;
      // Events arrive at either instance; both engines race for every due step.
      const alarmIds = await Promise.all(households.map((h, i) => postTo(i % 2 ? b.baseUrl : a.baseUrl, h.panel, `two-${i}`)));
      await waitUntil(
        async () =>
          (await rows(db.url, `SELECT count(*)::int AS n FROM alarm WHERE id = ANY($1) AND stage = 'unreached'`, [alarmIds]))[0].n === alarmIds.length,
        15000,
        'every alarm to run out of steps',
      );
      await new Promise((r) => setTimeout(r, 1200)); // anything sent twice would show by now
      for (const h of households) {
        for (const phone of [h.customer.phone, ...h.contacts.map((c) => c.phone)]) expect(smsTo(phone)).toHaveLength(1);
      }
      expect(fake.messages.length - sentBefore).toBe(households.length * 3);
      const perAlarm = await rows(db.url, `SELECT alarm_id, count(*)::int AS n FROM sms_message WHERE alarm_id = ANY($1) GROUP BY alarm_id`, [alarmIds]);
      expect(perAlarm.map((r) => r.n)).toEqual(alarmIds.map(() => 3));
    } finally {
      await b.close();
      await a.close();
    }
  });
});

async function postTo(baseUrl: string, panel: Panel, eventId: string): Promise<string> {
  const raw = JSON.stringify({ eventId, code: 'BA', occurredAt: new Date().toISOString() });
  const ts = nowSeconds();
  const res = await fetch(`${baseUrl}/api/panels/${panel.id}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-keyholder-timestamp': String(ts), 'x-keyholder-signature': sign(panel.secret, ts, raw) },
    body: raw,
  });
  if (res.status !== 202) throw new Error(`event: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { alarmId: string }).alarmId;
}

async function rows(url: string, text: string, params: unknown[] = []): Promise<any[]> {
  const client = await sql(url);
  try {
    return (await client.query(text, params as unknown[])).rows;
  } finally {
    await client.end();
  }
}

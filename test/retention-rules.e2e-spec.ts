// Every table has a retention rule: start-up refuses a table without one, the record of processing and
// the three policy pages list them, and the nightly jobs carry out the rules of the tables that had none.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { escapeHtml } from '../src/privacy-policy/privacy-policy.js';
import { TableRetentionJobs } from '../src/privacy/retention-tables.js';
import { AlarmFixtures, mobile, waitUntil } from './support/alarm-fixtures.js';
import { ADMIN, createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, sql } from './support/test-db.js';

/** The jobs' clock: fixed, and before today, so nothing the app itself writes during the test is old enough. */
const NOW = new Date('2026-11-23T03:15:00Z');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const iso = (ms: number) => new Date(ms).toISOString();
/** NOW minus whole calendar months, as the jobs count them. */
const monthsBefore = (n: number) => {
  const d = new Date(NOW);
  d.setUTCMonth(d.getUTCMonth() - n);
  return d.getTime();
};

describe('start-up', () => {
  it('refuses a database with a table no rule covers, or without a table a rule names, naming each', async () => {
    const db = await createTestDatabase();
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'keyholder-retention-'));
    try {
      const client = await sql(db.url);
      await client.query(`CREATE TABLE panel_note (id int PRIMARY KEY, note text)`);
      await client.query(`ALTER TABLE reply_code_guess RENAME TO reply_code_guesses`);
      await client.end();
      const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ['dist/main.js'], {
          env: {
            PATH: process.env.PATH ?? '',
            DATABASE_URL: db.url,
            DATA_DIR: dataDir,
            PORT: '0',
            DC09_PORT: '0',
            ADMIN_EMAIL: ADMIN.email,
            ADMIN_PASSWORD: ADMIN.password,
            LOG_LEVEL: 'warn',
          },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
        child.on('error', reject);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stderr });
        });
      });
      expect(code).toBe(1);
      expect(stderr).toContain('[keyholder] start-up failed: tables without a retention rule (refusing to start)');
      expect(stderr).toContain('panel_note: no retention rule');
      expect(stderr).toContain('reply_code_guesses: no retention rule');
      expect(stderr).toContain('reply_code_guess: a retention rule names this table, but the database has no such table');
      expect(stderr).not.toContain('sms_message:');
    } finally {
      await db.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('retention rules', () => {
  let t: TestApp;
  let f: AlarmFixtures;
  let admin: string;
  let dpo: string;
  const jobs = () => t.app.get(TableRetentionJobs);
  const lastEntry = async (operation: string) =>
    (await t.query(`SELECT actor_type, actor_id, subject_ids FROM processing_log WHERE operation = $1 ORDER BY seq DESC LIMIT 1`, [operation]))[0];

  beforeAll(async () => {
    t = await createTestApp();
    f = await AlarmFixtures.create(t, 7300);
    [admin, dpo] = await Promise.all([t.tokenFor('admin'), t.tokenFor('dpo')]);
  });
  afterAll(async () => t?.close());

  describe('declared', () => {
    it('the record of processing lists a rule for every table of the database, in English, Swedish and Norwegian', async () => {
      const res = await t.request('GET', '/api/privacy/ropa', { token: dpo });
      expect(res.status).toBe(200);
      const rules = res.body.retentionRules as Array<Record<string, any>>;
      const tables = (
        await t.query(
          `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> 'schema_migration'`,
        )
      ).map((r) => r.name as string);
      expect([...new Set(rules.map((r) => r.table))].sort()).toEqual(tables.sort());
      for (const r of rules) {
        expect(['deleted', 'anonymised', 'blanked', 'kept']).toContain(r.end);
        for (const l of ['en', 'sv', 'nb']) expect(r.text[l]).toMatch(/\S/);
        expect(r.reason).toMatch(/\S/);
        expect(r.carriedOutBy).toMatch(/\S/);
      }
      const rule = (table: string) => rules.filter((r) => r.table === table);
      expect(rule('erasure_record')).toEqual([expect.objectContaining({ period: { amount: 13, unit: 'months' }, periodText: '13 months', end: 'deleted' })]);
      expect(rule('operator')).toEqual([
        expect.objectContaining({ periodText: '12 months', end: 'anonymised', carriedOutBy: 'TableRetentionJobs.eraseDisabledOperators' }),
      ]);
      expect(rule('reply_code')).toEqual([expect.objectContaining({ periodText: '7 days', end: 'deleted' })]);
      expect(rule('processing_log')).toEqual([expect.objectContaining({ periodText: '10 years' })]);
      expect(rule('sms_message').map((r) => r.periodText)).toEqual(['90 days', '30 days', '10 years']);
      // The rules the jobs already carried out are the same rules, with the same periods.
      expect(rule('customer')).toEqual([expect.objectContaining({ periodText: '12 months', carriedOutBy: 'RetentionJobs.eraseFormerCustomers' })]);
      expect(rule('alarm')).toEqual([expect.objectContaining({ periodText: '10 years', end: 'anonymised' })]);
      // Each new job is itself a declared processing operation.
      const operations = (res.body.items as Array<{ operation: string; performedBy: string[] }>).map((i) => `${i.operation} ${i.performedBy.join(',')}`);
      expect(operations).toEqual(expect.arrayContaining(['privacy.retention.disabled_operators TableRetentionJobs.eraseDisabledOperators']));
    });

    it('each policy page shows every rule in its own language, from the same list', async () => {
      const rules = (await t.request('GET', '/api/privacy/ropa', { token: dpo })).body.retentionRules as Array<{ table: string; text: Record<string, string> }>;
      const headings = { en: 'What we keep, and for how long', sv: 'Vad vi sparar och hur länge', nb: 'Hva vi lagrer, og hvor lenge' };
      for (const lang of ['en', 'sv', 'nb'] as const) {
        const page = await t.request('GET', `/privacy?lang=${lang}`);
        expect(page.status).toBe(200);
        const section = /<section id="retention">[\s\S]*?<\/section>/.exec(page.text)?.[0] ?? '';
        expect(section).toContain(`<h2>${headings[lang]}</h2>`);
        for (const r of rules) expect(section).toContain(escapeHtml(r.text[lang]));
      }
      const sv = (await t.request('GET', '/privacy?lang=sv')).text;
      expect(sv).toContain('SMS-texter töms 90 dagar efter meddelandet');
      expect(sv).toContain('12 månader efter att ett konto har stängts av raderas');
      const nb = (await t.request('GET', '/privacy?lang=nb')).text;
      expect(nb).toContain('lagres i 10 år etter at de ble avsluttet');
    });
  });

  describe('carried out on a fixed clock', () => {
    it('erases an operator disabled just over 12 months ago, keeps one disabled just under, and never the last admin', async () => {
      const create = async (role: string, n: number) => {
        const res = await t.request('POST', '/api/operators', {
          token: admin,
          body: { email: `retention-${n}@test.local`, name: `Olle Operatör ${n}`, role, password: 'a-long-password-1' },
        });
        expect(res.status).toBe(201);
        return res.body.id as string;
      };
      const [outside, inside, enabled, disabledAdmin] = [
        await create('operator', 1),
        await create('operator', 2),
        await create('operator', 3),
        await create('admin', 4),
      ];
      const setDisabled = (id: string, at: number) => t.query(`UPDATE operator SET disabled_at = $2, last_login_at = $2 WHERE id = $1`, [id, iso(at)]);
      await setDisabled(outside, monthsBefore(12) - MINUTE);
      await setDisabled(inside, monthsBefore(12) + MINUTE);
      await setDisabled(disabledAdmin, monthsBefore(12) - MINUTE);
      // A session left behind (disabling ends them; this one is as if written by hand) goes as well.
      await t.query(
        `INSERT INTO operator_session (token_hash, operator_id, expires_at) VALUES (decode(md5('retention-1'), 'hex'), $1, now() + interval '1 hour')`,
        [outside],
      );

      const result = await jobs().eraseDisabledOperators(NOW);
      expect(result.operators.sort()).toEqual([outside, disabledAdmin].sort());
      const rows = await t.query(`SELECT id, name, email, password_hash, last_login_at, erased_at FROM operator WHERE id = ANY($1::uuid[])`, [
        [outside, inside, enabled],
      ]);
      const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
      expect(byId[outside]).toEqual({
        id: outside,
        name: 'erased operator',
        email: `erased-${outside}@erased.invalid`,
        password_hash: '',
        last_login_at: null,
        erased_at: NOW,
      });
      expect(byId[inside]).toMatchObject({ name: 'Olle Operatör 2', email: 'retention-2@test.local', erased_at: null });
      expect(byId[enabled]).toMatchObject({ name: 'Olle Operatör 3', erased_at: null });
      expect(await t.query(`SELECT id FROM operator_session WHERE operator_id = $1`, [outside])).toEqual([]);
      const entry = await lastEntry('privacy.retention.disabled_operators');
      expect({ ...entry, subject_ids: entry.subject_ids.sort() }).toEqual({
        actor_type: 'system',
        actor_id: 'retention',
        subject_ids: [outside, disabledAdmin].sort(),
      });

      // Erased is for good: the account cannot be switched back on, and its old email logs nobody in.
      const enable = await t.request('PATCH', `/api/operators/${outside}`, { token: admin, body: { disabled: false } });
      expect(enable.status).toBe(409);
      expect(enable.body.code).toBe('operator_erased');
      expect((await t.request('POST', '/api/auth/login', { body: { email: 'retention-1@test.local', password: 'a-long-password-1' } })).status).toBe(401);

      // With every admin disabled (as a restored old backup could leave it), none is erased.
      const [{ id: adminId }] = await t.query(`SELECT id FROM operator WHERE email = $1`, [ADMIN.email]);
      const lonelyAdmin = await create('admin', 5);
      const others = await t.query(`SELECT id FROM operator WHERE role = 'admin' AND disabled_at IS NULL AND id <> $1`, [lonelyAdmin]);
      await t.query(`UPDATE operator SET disabled_at = $2 WHERE id = ANY($1::uuid[])`, [others.map((o) => o.id), iso(monthsBefore(12) - MINUTE)]);
      await setDisabled(lonelyAdmin, monthsBefore(12) - MINUTE);
      try {
        expect((await jobs().eraseDisabledOperators(NOW)).operators).toEqual([]);
      } finally {
        await t.query(`UPDATE operator SET disabled_at = NULL WHERE id = ANY($1::uuid[])`, [[adminId, ...others.map((o) => o.id)]]);
      }
      expect((await t.query(`SELECT erased_at FROM operator WHERE id = $1`, [lonelyAdmin]))[0].erased_at).toBeNull();
    });

    it('deletes an erasure record just over 13 months old, keeps one just under, and names no one in the log', async () => {
      const record = async (at: number) =>
        (
          await t.query(
            `INSERT INTO erasure_record (subject_type, subject_id, customer_id, erased_by, erased_at, result)
             VALUES ('customer', gen_random_uuid(), gen_random_uuid(), 'system:retention', $1, '{}') RETURNING subject_id`,
            [iso(at)],
          )
        )[0].subject_id as string;
      const outside = await record(monthsBefore(13) - MINUTE);
      const inside = await record(monthsBefore(13) + MINUTE);
      expect((await jobs().deleteErasureRecords(NOW)).records).toBe(1);
      const left = (await t.query(`SELECT subject_id FROM erasure_record WHERE subject_id = ANY($1::uuid[])`, [[outside, inside]])).map((r) => r.subject_id);
      expect(left).toEqual([inside]);
      expect(await lastEntry('privacy.retention.erasure_records')).toEqual({ actor_type: 'system', actor_id: 'retention', subject_ids: [] });
    });

    it('deletes a data-subject request closed just over 3 years ago, keeps one closed just under and an open one however old', async () => {
      const h = await f.household(0);
      const request = async (received: number, closed: number | null) =>
        (
          await t.query(
            `INSERT INTO privacy_request (kind, subject_type, subject_id, customer_id, received_at, original_due_at, due_at, identity_check, status, closed_at, created_by)
             VALUES ('access', 'customer', $1, $1, $2, $2, $2, 'BankID', $3, $4, gen_random_uuid()) RETURNING id`,
            [h.customer.id, iso(received), closed === null ? 'open' : 'done', closed === null ? null : iso(closed)],
          )
        )[0].id as string;
      const outside = await request(monthsBefore(40), monthsBefore(36) - MINUTE);
      const inside = await request(monthsBefore(40), monthsBefore(36) + MINUTE);
      const open = await request(monthsBefore(60), null);
      expect((await jobs().deletePrivacyRequests(NOW)).requests).toBe(1);
      const left = (await t.query(`SELECT id FROM privacy_request WHERE id = ANY($1::uuid[])`, [[outside, inside, open]])).map((r) => r.id);
      expect(left.sort()).toEqual([inside, open].sort());
      expect((await lastEntry('privacy.retention.privacy_requests')).subject_ids).toEqual([h.customer.id]);
    });

    it('deletes a panel silence noticed just over 90 days ago, not one just under, nor one the panel is still silent in', async () => {
      const h = await f.household(0);
      const [{ last_seen_at: current }] = await t.query(
        `UPDATE panel SET last_seen_at = date_trunc('milliseconds', now()) WHERE id = $1 RETURNING last_seen_at`,
        [h.panel.id],
      );
      const silence = async (lastSeen: Date | string, detected: number) =>
        t.query(`INSERT INTO panel_silence (panel_id, last_seen_at, detected_at) VALUES ($1, $2, $3)`, [h.panel.id, lastSeen, iso(detected)]);
      await silence(current, NOW.getTime() - 200 * DAY);
      await silence(iso(NOW.getTime() - 100 * DAY), NOW.getTime() - 90 * DAY - MINUTE);
      await silence(iso(NOW.getTime() - 99 * DAY), NOW.getTime() - 90 * DAY + MINUTE);
      expect((await jobs().deletePanelSilences(NOW)).silences).toBe(1);
      const left = await t.query(`SELECT detected_at FROM panel_silence WHERE panel_id = $1 ORDER BY detected_at`, [h.panel.id]);
      expect(left.map((r) => r.detected_at.getTime())).toEqual([NOW.getTime() - 200 * DAY, NOW.getTime() - 90 * DAY + MINUTE]);
      expect((await lastEntry('privacy.retention.panel_silences')).subject_ids).toEqual([h.customer.id]);
    });

    it("deletes texts from an unknown number, and the answers to them, just over 30 days old; keeps newer ones and a customer's", async () => {
      const h = await f.household(0);
      const stranger = mobile(7399);
      let n = 0;
      const message = async (direction: 'inbound' | 'outbound', other: string, at: number, inReplyTo: string | null = null) => {
        n += 1;
        const [to, from] = direction === 'inbound' ? ['+46700000000', other] : [other, '+46700000000'];
        return (
          await t.query(
            `INSERT INTO sms_message (direction, to_phone, from_phone, body, purpose, legal_basis, status, provider_id, in_reply_to, created_at)
             VALUES ($1, $2, $3, 'hej?', 'reply', 'legitimate_interests', $4, $5, $6, $7) RETURNING id`,
            [direction, to, from, direction === 'inbound' ? 'received' : 'delivered', `SM-retention-${n}`, inReplyTo, iso(at)],
          )
        )[0].id as string;
      };
      const oldText = await message('inbound', stranger, NOW.getTime() - 30 * DAY - MINUTE);
      const oldAnswer = await message('outbound', stranger, NOW.getTime() - 30 * DAY - MINUTE, oldText);
      const newText = await message('inbound', stranger, NOW.getTime() - 30 * DAY + MINUTE);
      // A help text from the customer's own phone carries no ids either, but it is the customer's.
      const customers = await message('inbound', h.customer.phone, NOW.getTime() - 60 * DAY);
      expect((await jobs().deleteUnknownSenders(NOW)).messages).toBe(2);
      const left = (await t.query(`SELECT id FROM sms_message WHERE id = ANY($1::uuid[])`, [[oldText, oldAnswer, newText, customers]])).map((r) => r.id);
      expect(left.sort()).toEqual([newText, customers].sort());
      expect(await lastEntry('privacy.retention.unknown_senders')).toEqual({ actor_type: 'system', actor_id: 'retention', subject_ids: [] });
    });

    it("deletes a closed alarm's reply code just over 7 days old, not one just under, nor an open alarm's", async () => {
      const h = await f.household(1);
      const opened = await f.post(h.panel, { eventId: 'retention-ba', code: 'BA', zone: '1' });
      expect(opened.status).toBe(202);
      const alarmId = opened.body.alarmId as string;
      await waitUntil(
        async () => (await t.query(`SELECT 1 FROM reply_code WHERE alarm_id = $1`, [alarmId])).length > 0,
        8000,
        'the alarm SMS with its reply code',
      );
      await t.query(`DELETE FROM reply_code WHERE alarm_id = $1`, [alarmId]);
      const code = async (code: number, active: boolean, at: number) =>
        (
          await t.query(
            `INSERT INTO reply_code (phone, code, alarm_id, customer_id, contact_id, message_id, active, created_at)
             VALUES ($1, $2, $3, $4, $5, gen_random_uuid(), $6, $7) RETURNING id`,
            [h.contacts[0].phone, code, alarmId, h.customer.id, h.contacts[0].id, active, iso(at)],
          )
        )[0].id as string;
      const outside = await code(101, false, NOW.getTime() - 7 * DAY - MINUTE);
      const inside = await code(102, false, NOW.getTime() - 7 * DAY + MINUTE);
      const open = await code(103, true, NOW.getTime() - 30 * DAY);
      expect((await jobs().deleteReplyCodes(NOW)).codes).toBe(1);
      const left = (await t.query(`SELECT id FROM reply_code WHERE id = ANY($1::uuid[])`, [[outside, inside, open]])).map((r) => r.id);
      expect(left.sort()).toEqual([inside, open].sort());
      expect((await lastEntry('privacy.retention.reply_codes')).subject_ids.sort()).toEqual([h.customer.id, h.contacts[0].id].sort());
    });

    it('deletes sessions, failed-login counters and wrong-code counters that expired, and keeps those still running', async () => {
      // This one runs on the real time, taken once: the app clears these tables itself as they are used.
      const now = new Date();
      const [{ id: adminId }] = await t.query(`SELECT id FROM operator WHERE email = $1`, [ADMIN.email]);
      const session = async (key: string, expires: number) =>
        (
          await t.query(`INSERT INTO operator_session (token_hash, operator_id, expires_at) VALUES (decode(md5($1), 'hex'), $2, $3) RETURNING id`, [
            key,
            adminId,
            iso(expires),
          ])
        )[0].id as string;
      const expired = await session('retention-expired', now.getTime() - 1000);
      const running = await session('retention-running', now.getTime() + 10 * MINUTE);
      await t.query(`INSERT INTO login_failure (key, points, expire) VALUES ('retention:old', 3, $1), ('retention:new', 3, $2)`, [
        now.getTime() - 1000,
        now.getTime() + 10 * MINUTE,
      ]);
      await t.query(`INSERT INTO reply_code_guess (phone, wrong_codes, window_ends_at) VALUES ($1, 2, $3), ($2, 2, $4)`, [
        mobile(7398),
        mobile(7397),
        iso(now.getTime() - 1000),
        iso(now.getTime() + 10 * MINUTE),
      ]);
      const result = await jobs().deleteExpiredSessionsAndCounters(now);
      expect(result.sessions).toBeGreaterThanOrEqual(1);
      expect((await t.query(`SELECT id FROM operator_session WHERE id = ANY($1::uuid[])`, [[expired, running]])).map((r) => r.id)).toEqual([running]);
      expect((await t.query(`SELECT key FROM login_failure WHERE key LIKE 'retention:%'`)).map((r) => r.key)).toEqual(['retention:new']);
      expect((await t.query(`SELECT phone FROM reply_code_guess WHERE phone = ANY($1::text[])`, [[mobile(7398), mobile(7397)]])).map((r) => r.phone)).toEqual([
        mobile(7397),
      ]);
      expect((await lastEntry('privacy.retention.expired_sessions_and_counters')).subject_ids).toContain(adminId);
    });
  });
});

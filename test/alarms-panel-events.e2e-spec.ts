import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlarmFixtures, nowSeconds, sign, waitUntil, type Panel } from './support/alarm-fixtures.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Shared by the second instance of the rotation test, as instances of one deployment share it. */
const ENCRYPTION_KEY = randomBytes(32).toString('hex');

describe('panel events: POST /api/panels/:panelId/events', () => {
  let t: TestApp;
  let f: AlarmFixtures;
  let panel: Panel;
  let customerId: string;
  let eventNo = 0;
  const eventId = () => `p-${++eventNo}`;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ENCRYPTION_KEY });
    f = await AlarmFixtures.create(t);
    const household = await f.household(0);
    panel = household.panel;
    customerId = household.customer.id;
  });
  afterAll(async () => t?.close());

  describe('accepting', () => {
    it('accepts a signed burglary event with 202 once committed: class, restore and the alarm it opened', async () => {
      const id = eventId();
      const res = await f.post(panel, { eventId: id, code: 'BA', zone: '3', text: 'Hall PIR' });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ eventId: id, status: 'accepted', class: 'burglary', restore: false, alarmId: expect.stringMatching(UUID) });
      const [row] = await t.query(`SELECT code, class, zone, text, alarm_id FROM panel_event WHERE panel_id = $1 AND event_id = $2`, [panel.id, id]);
      expect(row).toEqual({ code: 'BA', class: 'burglary', zone: '3', text: 'Hall PIR', alarm_id: res.body.alarmId });
      const [alarm] = await t.query(`SELECT status, stage, class, customer_id FROM alarm WHERE id = $1`, [res.body.alarmId]);
      expect(alarm).toEqual({ status: 'open', stage: 'owner', class: 'burglary', customer_id: customerId });
    });

    it('answers a repeated eventId with 200 "duplicate" and the first answer, and stores it once', async () => {
      const id = eventId();
      const first = await f.post(panel, { eventId: id, code: 'FA', zone: '9' });
      expect(first.status).toBe(202);
      // A retry, even with another body, is the same event: nothing is done again.
      const again = await f.post(panel, { eventId: id, code: 'BA', zone: '1' });
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ ...first.body, status: 'duplicate' });
      const rows = await t.query(`SELECT count(*)::int AS n FROM panel_event WHERE panel_id = $1 AND event_id = $2`, [panel.id, id]);
      expect(rows[0].n).toBe(1);
      const sms = await t.query(`SELECT count(*)::int AS n FROM sms_message WHERE alarm_id = $1`, [first.body.alarmId]);
      expect(sms[0].n).toBe(1);
    });

    it('stores concurrent retries of one eventId once: one 202, the rest 200 with the same alarm', async () => {
      const id = eventId();
      const results = await Promise.all(Array.from({ length: 8 }, () => f.post(panel, { eventId: id, code: 'WA', zone: '77' })));
      expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 202]);
      expect(new Set(results.map((r) => r.body.alarmId)).size).toBe(1);
      const rows = await t.query(`SELECT count(*)::int AS n FROM panel_event WHERE panel_id = $1 AND event_id = $2`, [panel.id, id]);
      expect(rows[0].n).toBe(1);
    });

    it('accepts an unknown code as class "unknown", which opens an alarm (no signal is dropped)', async () => {
      const res = await f.post(panel, { eventId: eventId(), code: 'QQ' });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ class: 'unknown', restore: false, alarmId: expect.stringMatching(UUID) });
      // A longer code than either family uses (a vendor's own) is a code the system does not know, too.
      const vendor = await f.post(panel, { eventId: eventId(), code: 'VENDOR-ZONE-FAULT-EXT-0042', zone: 'long-code' });
      expect(vendor.status).toBe(202);
      expect(vendor.body).toMatchObject({ class: 'unknown', restore: false, alarmId: expect.stringMatching(UUID) });
    });

    it('classifies Contact ID codes, and a restore without an open alarm has no alarmId', async () => {
      const res = await f.post(panel, { eventId: eventId(), code: '3130', zone: '55' });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ eventId: expect.any(String), status: 'accepted', class: 'burglary', restore: true });
    });

    it('marks the panel as seen on every event, and a test signal opens nothing', async () => {
      const before = new Date();
      const res = await f.post(panel, { eventId: eventId(), code: 'RP' });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ eventId: expect.any(String), status: 'accepted', class: 'test', restore: false });
      const [row] = await t.query(`SELECT last_seen_at FROM panel WHERE id = $1`, [panel.id]);
      expect(row.last_seen_at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 5);
      const list = await t.request('GET', `/api/customers/${customerId}/panels`, { token: f.tokens.operator });
      expect(list.body.items[0]).toMatchObject({ supervision: 'ok', lastSeenAt: row.last_seen_at.toISOString() });
    });

    it('writes the processing log entry with the panel as actor under the contract basis', async () => {
      // Arming: an entry per signal (a heartbeat is counted in the panel's day instead, see processing-log-supervision).
      const res = await f.post(panel, { eventId: eventId(), code: 'CL' });
      expect(res.status).toBe(202);
      const rows = await t.query(
        `SELECT actor_type, actor_id, legal_basis, outcome, http_status FROM processing_log WHERE operation = 'panels.events.receive' ORDER BY seq DESC LIMIT 1`,
      );
      expect(rows[0]).toEqual({ actor_type: 'panel', actor_id: panel.id, legal_basis: 'contract', outcome: 'success', http_status: 202 });
    });

    it('stores a burst of concurrent heartbeats and arms from many panels (stored together): each once, each arm logged once, each heartbeat counted once', async () => {
      const panels = await Promise.all(Array.from({ length: 20 }, async () => f.panel((await f.customer()).id)));
      const sent = panels.flatMap((p, i) => Array.from({ length: 10 }, (_, k) => ({ p, eventId: `burst-${i}-${k}`, code: k % 3 === 0 ? 'CL' : 'RP' })));
      // Every 7th signal is sent twice at once: one of the pair is stored, the other is a duplicate.
      const posts = [...sent, ...sent.filter((_, i) => i % 7 === 0)].map((x) => f.post(x.p, { eventId: x.eventId, code: x.code }));
      const answers = await Promise.all(posts);
      expect(answers.filter((a) => a.status === 202)).toHaveLength(sent.length);
      expect(answers.filter((a) => a.status === 200).every((a) => a.body.status === 'duplicate')).toBe(true);
      expect(answers.filter((a) => a.status === 200)).toHaveLength(answers.length - sent.length);
      const [{ events }] = await t.query(`SELECT count(*)::int AS events FROM panel_event WHERE event_id LIKE 'burst-%'`);
      expect(events).toBe(sent.length);
      const ids = panels.map((p) => p.id);
      const logged = await t.query(
        `SELECT http_status, count(*)::int AS n FROM processing_log
          WHERE operation = 'panels.events.receive' AND actor_id = ANY($1::text[]) GROUP BY http_status ORDER BY http_status`,
        [ids],
      );
      const arms = sent.filter((x) => x.code === 'CL');
      const armRepeats = sent.filter((x, i) => i % 7 === 0 && x.code === 'CL');
      expect(logged).toEqual([
        { http_status: 200, n: armRepeats.length },
        { http_status: 202, n: arms.length },
      ]);
      // Heartbeats, repeats included, are counted in their panel's day: one entry per panel once it is closed.
      const [{ heartbeats }] = await t.query(`SELECT sum(signals)::int AS heartbeats FROM panel_supervision_day WHERE panel_id = ANY($1::uuid[])`, [ids]);
      expect(heartbeats).toBe(answers.length - arms.length - armRepeats.length);
      const seen = await t.query(`SELECT count(*)::int AS n FROM panel WHERE id = ANY($1::uuid[]) AND last_seen_at IS NOT NULL`, [ids]);
      expect(seen[0].n).toBe(panels.length);
      const arming = await t.query(`SELECT count(*)::int AS n FROM panel_event WHERE event_id LIKE 'burst-%' AND arming = 'arm'`);
      expect(arming[0].n).toBe(sent.filter((x) => x.code === 'CL').length);
    });
  });

  describe('refusing', () => {
    const body = () => JSON.stringify({ eventId: eventId(), code: 'BA', occurredAt: new Date().toISOString() });
    const headers = (secret: string, ts: number, raw: string) => ({
      'x-keyholder-timestamp': String(ts),
      'x-keyholder-signature': sign(secret, ts, raw),
    });

    it('refuses a missing signature or timestamp with 401', async () => {
      const raw = body();
      const none = await f.post(panel, { eventId: 'x', code: 'BA' }, { raw, headers: {} });
      expect(none.status).toBe(401);
      expect(none.body.message).toContain('X-Keyholder-Signature');
      const noTimestamp = await f.post(
        panel,
        { eventId: 'x', code: 'BA' },
        { raw, headers: { 'x-keyholder-signature': sign(panel.secret, nowSeconds(), raw) } },
      );
      expect(noTimestamp.status).toBe(401);
    });

    it("refuses a forged signature, and another panel's secret, with 401", async () => {
      const raw = body();
      const ts = nowSeconds();
      const forged = await f.post(panel, { eventId: 'x', code: 'BA' }, { raw, headers: { ...headers('not-the-secret', ts, raw) } });
      expect(forged.status).toBe(401);
      expect(forged.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', code: 'panel_signature_invalid' });
      const other = await f.panel(customerId);
      const crossed = await f.post(panel, { eventId: 'x', code: 'BA' }, { raw, headers: headers(other.secret, ts, raw) });
      expect(crossed.status).toBe(401);
      const malformed = await f.post(
        panel,
        { eventId: 'x', code: 'BA' },
        { raw, headers: { 'x-keyholder-timestamp': String(ts), 'x-keyholder-signature': 'abc' } },
      );
      expect(malformed.status).toBe(401);
    });

    it('refuses a timestamp more than 300 s away (a replay), even correctly signed', async () => {
      const raw = body();
      const stale = nowSeconds() - 301;
      const res = await f.post(panel, { eventId: 'x', code: 'BA' }, { raw, headers: headers(panel.secret, stale, raw) });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('panel_timestamp_out_of_range');
      // Well past the edge: the server reads its clock a moment after this line, and if that moment
      // falls in the next second a timestamp only 301 s ahead is 300 s away there, and rightly taken.
      const future = nowSeconds() + 310;
      expect((await f.post(panel, { eventId: 'x', code: 'BA' }, { raw, headers: headers(panel.secret, future, raw) })).status).toBe(401);
      const within = nowSeconds() - 250;
      expect((await f.post(panel, { eventId: 'x', code: 'BA' }, { raw, headers: headers(panel.secret, within, raw) })).status).toBe(202);
    });

    it('accepts a timestamp exactly 300 s away, either way: the window is in whole seconds, as the header is', async () => {
      for (const offset of [-300, 300]) {
        // The server must read the same second as the one signed. Its Date header (written after the
        // check) shows which second it answered in; an answer from a later second proves nothing
        // either way, so that try is made again (a loaded machine can take that long).
        let judged: { offset: number; status: number } | undefined;
        for (let attempt = 0; attempt < 5 && !judged; attempt++) {
          while (Date.now() % 1000 > 300) await new Promise((r) => setTimeout(r, 20));
          const signedAt = nowSeconds();
          const raw = body();
          const res = await f.post(panel, { eventId: 'x', code: 'BA' }, { raw, headers: headers(panel.secret, signedAt + offset, raw) });
          if (Math.floor(Date.parse(res.headers.get('date') ?? '') / 1000) === signedAt) judged = { offset, status: res.status };
        }
        expect(judged).toEqual({ offset, status: 202 });
      }
    });

    it('names a Content-Type other than JSON (the body is signed and read as JSON) with 400', async () => {
      const raw = body();
      const ts = nowSeconds();
      for (const type of ['text/plain', undefined]) {
        const h: Record<string, string> = { ...headers(panel.secret, ts, raw) };
        const res = await t.request('POST', `/api/panels/${panel.id}/events`, { raw, headers: type ? { ...h, 'content-type': type } : h });
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('panel_content_type');
        expect(res.body.message).toContain('Content-Type must be application/json');
      }
      // Without a signature it is still the signature that is named first.
      expect((await t.request('POST', `/api/panels/${panel.id}/events`, { raw, headers: { 'content-type': 'text/plain' } })).status).toBe(401);
    });

    it('refuses a NUL character in any field with 400 naming it, never a 500', async () => {
      const res = await f.post(panel, { eventId: 'nul\u0000id', code: 'B\u0000', zone: '1', text: 'Hall\u0000PIR' });
      expect(res.status).toBe(400);
      expect(res.body.message).toEqual([
        'eventId must not contain the NUL character (\\u0000)',
        'code must not contain the NUL character (\\u0000)',
        'text must not contain the NUL character (\\u0000)',
      ]);
    });

    it('refuses a replayed signature with a different body', async () => {
      const raw = body();
      const ts = nowSeconds();
      const h = headers(panel.secret, ts, raw);
      expect((await f.post(panel, { eventId: 'x', code: 'BA' }, { raw, headers: h })).status).toBe(202);
      const tampered = raw.replace('"BA"', '"OP"');
      const res = await f.post(panel, { eventId: 'x', code: 'BA' }, { raw: tampered, headers: h });
      expect(res.status).toBe(401);
      // Whitespace is part of the signed bytes too.
      expect((await f.post(panel, { eventId: 'x', code: 'BA' }, { raw: raw + ' ', headers: h })).status).toBe(401);
    });

    it('gives an unknown panel exactly the answer a wrong signature gets', async () => {
      const raw = body();
      const ts = nowSeconds();
      const unknown = await t.request('POST', `/api/panels/${UNKNOWN}/events`, {
        raw,
        headers: { 'content-type': 'application/json', ...headers('whatever', ts, raw) },
      });
      const wrong = await f.post(panel, { eventId: 'x', code: 'BA' }, { raw, headers: headers('whatever', ts, raw) });
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual(wrong.body);
      const notUuid = await t.request('POST', `/api/panels/not-a-panel/events`, {
        raw,
        headers: { 'content-type': 'application/json', ...headers('x', ts, raw) },
      });
      expect(notUuid.status).toBe(401);
      expect(notUuid.body).toEqual(wrong.body);
    });

    it('refuses a malformed or invalid body with 400 naming the fields', async () => {
      const malformed = await f.post(panel, { eventId: 'x', code: 'BA' }, { raw: '{"eventId": "x", ' });
      expect(malformed.status).toBe(400);
      const missing = await f.post(panel, { eventId: 'x', code: 'BA' }, { raw: JSON.stringify({ code: 'BA' }) });
      expect(missing.status).toBe(400);
      // One line per failing field (docs/api-contract.md#errors).
      expect(missing.body.message).toEqual([expect.stringContaining('eventId'), expect.stringContaining('occurredAt')]);
      const nothing = await f.post(panel, { eventId: 'x', code: 'BA' }, { raw: '{}' });
      expect(nothing.body.message).toEqual([expect.stringContaining('eventId'), expect.stringContaining('code'), expect.stringContaining('occurredAt')]);
      const long = await f.post(panel, { eventId: 'e'.repeat(129), code: 'B'.repeat(129), zone: 'z'.repeat(33) });
      expect(long.status).toBe(400);
      expect(long.body.message).toEqual(
        expect.arrayContaining(['eventId must be 1 to 128 characters', 'code must be 1 to 128 characters', 'zone must be at most 32 characters']),
      );
      const noOffset = await f.post(panel, { eventId: eventId(), code: 'BA', occurredAt: '2026-11-22T10:15:00' });
      expect(noOffset.status).toBe(400);
      expect(noOffset.body.message).toEqual(['occurredAt must be an ISO-8601 time with an offset, e.g. 2026-11-22T10:15:00+01:00']);
      const empty = await f.post(panel, { eventId: '', code: '' });
      expect(empty.status).toBe(400);
    });

    it('takes a signal carrying fields the contract does not name, and drops them (no signal is dropped: a firmware update must not cost alarms)', async () => {
      const id = eventId();
      const res = await f.post(panel, { eventId: id, code: 'BA', zone: '4', ...({ partition: 2, colour: 'red' } as object) });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ eventId: id, status: 'accepted', class: 'burglary', restore: false, alarmId: expect.stringMatching(UUID) });
      const [stored] = await t.query(`SELECT code, zone FROM panel_event WHERE panel_id = $1 AND event_id = $2`, [panel.id, id]);
      expect(stored).toEqual({ code: 'BA', zone: '4' });
      // The fields it does name are still checked (operators' bodies stay strict: customers.e2e-spec).
      expect((await f.post(panel, { eventId: eventId(), code: 'BA', ...({ zone: 4, partition: 2 } as object) })).body.message).toEqual([
        expect.stringMatching(/^zone must be a string/),
      ]);
    });

    it('refuses a body over the 100 kb limit with 413', async () => {
      const res = await f.post(panel, { eventId: eventId(), code: 'BA', text: 'x'.repeat(120_000) });
      expect(res.status).toBe(413);
    });
  });

  describe('secret rotation', () => {
    it('takes the new secret at once, and refuses the cached old one as soon as the rotation is committed', async () => {
      const own = await f.panel(customerId);
      expect((await f.post(own, { eventId: eventId(), code: 'RP' })).status).toBe(202); // the old secret is now cached
      const rotated = await t.request('POST', `/api/customers/${customerId}/panels/${own.id}/rotate-secret`, { token: f.tokens.supervisor });
      expect(rotated.status).toBe(200);
      const fresh = { id: own.id, secret: rotated.body.secret as string };
      expect((await f.post(fresh, { eventId: eventId(), code: 'RP' })).status).toBe(202);
      // The NOTIFY from the panel trigger arrives on commit, asynchronously: within moments, not the cache's 10 minutes.
      await waitUntil(async () => (await f.post(own, { eventId: eventId(), code: 'RP' })).status === 401, 3000, 'the old secret to be refused');
      expect((await f.post(fresh, { eventId: eventId(), code: 'RP' })).status).toBe(202);
    });

    it('drops a cached secret rotated on another instance, and every panel of a customer who ended', async () => {
      const other = await f.customer();
      const own = await f.panel(other.id);
      expect((await f.post(own, { eventId: eventId(), code: 'RP' })).status).toBe(202); // cached here
      const second = await createTestApp({ ENCRYPTION_KEY }, { databaseUrl: t.databaseUrl });
      try {
        const token = await second.tokenFor('admin');
        const rotated = await second.request('POST', `/api/customers/${other.id}/panels/${own.id}/rotate-secret`, { token });
        expect(rotated.status).toBe(200);
      } finally {
        await second.close();
      }
      // Only the database can tell this instance: the trigger's NOTIFY.
      await waitUntil(async () => (await f.post(own, { eventId: eventId(), code: 'RP' })).status === 401, 3000, 'the rotated secret to be refused');

      const leaving = await f.customer();
      const theirs = await f.panel(leaving.id);
      expect((await f.post(theirs, { eventId: eventId(), code: 'RP' })).status).toBe(202);
      await t.query(`UPDATE customer SET ended_at = now() WHERE id = $1`, [leaving.id]);
      await waitUntil(async () => (await f.post(theirs, { eventId: eventId(), code: 'RP' })).status === 401, 3000, "an ended customer's panel to be refused");
    });
  });

  describe('what each class does', () => {
    it('joins repeated signals from one zone into the open alarm (flood control), even when they race', async () => {
      const { panel: p } = await f.household(0);
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => f.post(p, { eventId: `flood-${i}`, code: 'BA', zone: '1' })));
      expect(results.every((r) => r.status === 202)).toBe(true);
      const ids = new Set(results.map((r) => r.body.alarmId));
      expect(ids.size).toBe(1);
      const [alarm] = await t.query(`SELECT event_count FROM alarm WHERE id = $1`, [[...ids][0]]);
      expect(alarm.event_count).toBe(6);
      const otherZone = await f.post(p, { eventId: 'flood-z2', code: 'BA', zone: '2' });
      expect(ids.has(otherZone.body.alarmId)).toBe(false);
      const otherClass = await f.post(p, { eventId: 'flood-fire', code: 'FA', zone: '1' });
      expect(ids.has(otherClass.body.alarmId)).toBe(false);
    });

    it('attaches a restore to the matching open alarm without closing it', async () => {
      const { panel: p } = await f.household(0);
      const opened = await f.post(p, { eventId: 'r-1', code: 'BA', zone: '4' });
      const restore = await f.post(p, { eventId: 'r-2', code: 'BH', zone: '4' });
      expect(restore.status).toBe(202);
      expect(restore.body).toMatchObject({ class: 'burglary', restore: true, alarmId: opened.body.alarmId });
      const alarm = await f.alarm(opened.body.alarmId);
      expect(alarm.status).toBe('open');
      expect(alarm.timeline.filter((e: any) => e.type === 'event').map((e: any) => e.code)).toEqual(['BA', 'BH']);
    });

    it('says on the alarm and its queue row that the condition was restored, until it comes back', async () => {
      const { panel: p, customer } = await f.household(0);
      const opened = await f.post(p, { eventId: 'rr-1', code: 'BA', zone: '6' });
      const row = async () => {
        const list = await t.request('GET', `/api/alarms?status=open&customerId=${customer.id}`, { token: f.tokens.operator });
        return list.body.items.find((a: any) => a.id === opened.body.alarmId);
      };
      expect(await row()).toMatchObject({ restored: false, restoredAt: null });
      await f.post(p, { eventId: 'rr-2', code: 'BR', zone: '6' });
      const restored = await f.alarm(opened.body.alarmId);
      const restoreAt = restored.timeline.find((e: any) => e.type === 'event' && e.code === 'BR').at;
      expect(restored).toMatchObject({ status: 'open', restored: true, restoredAt: restoreAt });
      expect(await row()).toMatchObject({ restored: true, restoredAt: restoreAt });
      // The intruder is back in the zone: not restored any more.
      await f.post(p, { eventId: 'rr-3', code: 'BA', zone: '6' });
      expect(await row()).toMatchObject({ restored: false, restoredAt: null });
    });

    it('keeps an arm/disarm history: when, arm or disarm, method and user (operator and up)', async () => {
      const { panel: p, customer } = await f.household(0);
      await f.post(p, { eventId: 'a-1', code: 'CL', user: '2', method: 'keypad', occurredAt: '2026-11-22T08:00:00+01:00' });
      await f.post(p, { eventId: 'a-2', code: '1401', user: '3', method: 'app', occurredAt: '2026-11-22T17:30:00+01:00' });
      const res = await t.request('GET', `/api/customers/${customer.id}/arming-history`, { token: f.tokens.operator });
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(2);
      expect(res.body.items.map((i: any) => [i.at, i.action, i.method, i.user])).toEqual([
        ['2026-11-22T16:30:00.000Z', 'disarm', 'app', '3'],
        ['2026-11-22T07:00:00.000Z', 'arm', 'keypad', '2'],
      ]);
      const dpo = await t.tokenFor('dpo');
      expect((await t.request('GET', `/api/customers/${customer.id}/arming-history`, { token: dpo })).status).toBe(403);
      expect((await t.request('GET', `/api/customers/${UNKNOWN}/arming-history`, { token: f.tokens.operator })).status).toBe(404);
    });
  });
});

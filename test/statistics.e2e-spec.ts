import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlarmFixtures, waitUntil } from './support/alarm-fixtures.js';
import { parseCsv } from './support/csv.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** percentile_cont: linear interpolation between the closest ranks, as PostgreSQL computes it. */
function percentile(sorted: number[], p: number): number {
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function expectedTimes(values: Array<number | null>) {
  const v = values.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (!v.length) return null;
  return { p50: percentile(v, 0.5), p90: percentile(v, 0.9), p99: percentile(v, 0.99) };
}

/** The API rounds to whole milliseconds; the test computes from the same stored microseconds. */
function expectTimes(actual: any, expected: ReturnType<typeof expectedTimes>) {
  if (expected === null) return expect(actual).toBeNull();
  for (const k of ['p50', 'p90', 'p99'] as const) expect(Math.abs(actual[k] - expected[k])).toBeLessThanOrEqual(1);
}

describe('GET /api/statistics', () => {
  let t: TestApp;
  let f: AlarmFixtures;
  let supervisor: string;
  let from: string;
  let to: string;
  let formulaOperatorId: string;
  let csvSiteId: string;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
    f = await AlarmFixtures.create(t, 7100);
    supervisor = f.tokens.supervisor;
    const admin = await t.login();
    // An operator whose name a spreadsheet would run as a formula.
    const created = await t.request('POST', '/api/operators', {
      token: admin,
      body: { email: 'formula@test.local', name: '=HYPERLINK("http://evil.example","x")', role: 'operator', password: 'formula-password-123' },
    });
    expect(created.status).toBe(201);
    formulaOperatorId = created.body.id;
    const formulaToken = await t.login('formula@test.local', 'formula-password-123');

    from = new Date(Date.now() - 3600_000).toISOString();
    const open = async (code: string, zone: string, contacts = 0, extra: object = {}) => {
      const h = await f.household(contacts, extra);
      const res = await f.post(h.panel, { eventId: `${code}-${zone}`, code, zone });
      expect(res.status).toBe(202);
      return { ...h, alarmId: res.body.alarmId as string };
    };
    const firstSmsSent = (alarmId: string) =>
      waitUntil(
        async () => (await t.query(`SELECT 1 FROM sms_message WHERE alarm_id = $1 AND sent_at IS NOT NULL`, [alarmId])).length > 0,
        30_000,
        'first alarm SMS sent',
      );

    // Burglaries: one false alarm at a site that has two, one resolved, one left open and unhandled.
    const b1 = await open('BA', '1', 1);
    await firstSmsSent(b1.alarmId);
    expect((await f.act(b1.alarmId, { action: 'owner_reached' })).status).toBe(201);
    expect((await f.act(b1.alarmId, { action: 'false_alarm' })).status).toBe(201);
    const b2 = await f.post(b1.panel, { eventId: 'BA-2', code: 'BA', zone: '2' });
    expect(b2.status).toBe(202);
    csvSiteId = b1.customer.id;
    const b3 = await open('BA', '3');
    await open('BA', '4');
    // Waiting for an operator: one handled after 45 s, one after 90 s (their opening moved back).
    await t.query(`UPDATE alarm SET opened_at = opened_at - interval '45 seconds' WHERE id = $1`, [b2.body.alarmId]);
    await t.query(`UPDATE alarm SET opened_at = opened_at - interval '90 seconds' WHERE id = $1`, [b3.alarmId]);
    expect((await t.request('POST', `/api/alarms/${b2.body.alarmId}/actions`, { token: supervisor, body: { action: 'false_alarm' } })).status).toBe(201);
    expect((await t.request('POST', `/api/alarms/${b3.alarmId}/actions`, { token: formulaToken, body: { action: 'resolved', note: 'wind' } })).status).toBe(
      201,
    );
    // A fire, acknowledged by the operator and still open; a duress texts nobody.
    const fire = await open('FA', '1', 1);
    expect((await f.act(fire.alarmId, { action: 'owner_reached' })).status).toBe(201);
    const duress = await open('HA', '1');
    expect((await f.act(duress.alarmId, { action: 'resolved', note: 'police on site, all fine' })).status).toBe(201);
    to = new Date(Date.now() + 60_000).toISOString();
    // Every SMS handed over before the figures are read, so the API and the test read the same rows.
    await waitUntil(async () => (await t.query(`SELECT 1 FROM sms_message WHERE status IN ('queued', 'sending')`)).length === 0, 30_000, 'outbox drained');
  }, 180_000);
  afterAll(async () => t?.close());

  it('gives per class and per operator the counts, false alarms, shares and p50/p90/p99 the stored timestamps give', async () => {
    const res = await t.request('GET', `/api/statistics?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { token: supervisor });
    expect(res.status).toBe(200);
    expect(res.body.from).toBe(new Date(from).toISOString());
    expect(res.body.to).toBe(new Date(to).toISOString());

    // The expected figures, from the rows as stored.
    const rows = await t.query(
      `SELECT a.id, a.class, a.customer_id, a.closed_by->>'action' AS closed_as,
              EXTRACT(EPOCH FROM a.opened_at) * 1000 AS opened, EXTRACT(EPOCH FROM a.closed_at) * 1000 AS closed,
              (SELECT EXTRACT(EPOCH FROM min(m.sent_at)) * 1000 FROM sms_message m WHERE m.alarm_id = a.id AND m.purpose IN ('alarm_owner', 'alarm_contact')) AS sms,
              (SELECT EXTRACT(EPOCH FROM l.at) * 1000 FROM alarm_log l WHERE l.alarm_id = a.id AND l.operator_id IS NOT NULL ORDER BY l.at, l.id LIMIT 1) AS handled,
              (SELECT l.operator_id FROM alarm_log l WHERE l.alarm_id = a.id AND l.operator_id IS NOT NULL ORDER BY l.at, l.id LIMIT 1) AS handled_by
         FROM alarm a WHERE a.opened_at >= $1 AND a.opened_at < $2`,
      [from, to],
    );
    expect(rows.length).toBe(6);
    const ms = (a: any, b: any) => (a === null || b === null ? null : Number(b) - Number(a));
    const classes = [...new Set(rows.map((r) => r.class))];
    expect(classes.sort()).toEqual(['burglary', 'duress', 'fire']);
    for (const cls of classes) {
      const of = rows.filter((r) => r.class === cls);
      const got = res.body.byClass[cls];
      expect(got.alarms).toBe(of.length);
      expect(got.falseAlarms).toBe(of.filter((r) => r.closed_as === 'false_alarm').length);
      expectTimes(got.firstSmsMs, expectedTimes(of.map((r) => ms(r.opened, r.sms))));
      expectTimes(got.firstAckMs, expectedTimes(of.map((r) => ms(r.opened, r.handled))));
      expectTimes(got.closeMs, expectedTimes(of.map((r) => ms(r.opened, r.closed))));
      const handledWithin = (s: number) => of.filter((r) => r.handled !== null && ms(r.opened, r.handled)! <= s * 1000).length / of.length;
      expect(got.ackWithin30s).toBeCloseTo(handledWithin(30), 10);
      expect(got.ackWithin60s).toBeCloseTo(handledWithin(60), 10);
    }
    // The burglaries as the test made them: 4, two false alarms, one left unhandled, one handled after 90 s.
    expect(res.body.byClass.burglary).toMatchObject({ alarms: 4, falseAlarms: 2, ackWithin30s: 0.25, ackWithin60s: 0.5 });
    expect(res.body.byClass.duress.firstSmsMs).toBeNull();
    expect(res.body.byClass.fire.closeMs).toBeNull();
    expect(res.body.byClass.water).toEqual({
      alarms: 0,
      falseAlarms: 0,
      firstSmsMs: null,
      firstAckMs: null,
      closeMs: null,
      ackWithin30s: null,
      ackWithin60s: null,
    });

    const operators = [...new Set(rows.map((r) => r.handled_by).filter(Boolean))];
    expect(Object.keys(res.body.byOperator).sort()).toEqual(operators.sort());
    for (const id of operators) {
      const of = rows.filter((r) => r.handled_by === id);
      const got = res.body.byOperator[id];
      const [{ name }] = await t.query(`SELECT name FROM operator WHERE id = $1`, [id]);
      expect(got).toMatchObject({ name, alarms: of.length });
      expectTimes(got.firstAckMs, expectedTimes(of.map((r) => ms(r.opened, r.handled))));
      expectTimes(got.closeMs, expectedTimes(of.map((r) => ms(r.opened, r.closed))));
    }
    expect(res.body.byOperator[formulaOperatorId]).toMatchObject({ alarms: 1 });

    // The site with two false alarms comes first.
    expect(res.body.bySite[0]).toEqual({ customerId: csvSiteId, name: expect.stringContaining('Anna Lind'), alarms: 2, falseAlarms: 2, rate: 1 });
    expect(res.body.bySite).toHaveLength(5);
    // Every alarm was opened in the hour(s) the timeline covers.
    expect(res.body.timeline.bucket).toBe('hour');
    expect(res.body.timeline.points.reduce((n: number, p: any) => n + p.opened, 0)).toBe(6);
    expect(res.body.timeline.points.reduce((n: number, p: any) => n + p.closed, 0)).toBe(4);
    // Still open at the end: the unhandled burglary and the acknowledged fire; never fewer than none on the way.
    expect(res.body.timeline.points.at(-1).open).toBe(2);
    expect(res.body.timeline.points.every((p: any) => p.open >= 0)).toBe(true);
    // A range that begins after the last opening starts with the alarms still open then.
    const [{ last }] = await t.query(`SELECT max(opened_at) + interval '1 millisecond' AS last FROM alarm`);
    const later = await t.request('GET', `/api/statistics?from=${encodeURIComponent(last.toISOString())}&to=${encodeURIComponent(to)}`, { token: supervisor });
    expect(later.body.byClass.burglary.alarms).toBe(0);
    expect(later.body.timeline.points.at(-1).open).toBe(2);
  });

  it('says who was read in the processing log', async () => {
    const res = await t.request('GET', `/api/statistics?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { token: supervisor });
    expect(res.status).toBe(200);
    const [entry] = await waitUntil(async () => {
      const r = await t.query(`SELECT legal_basis, subject_ids FROM processing_log WHERE operation = 'statistics.read' ORDER BY seq DESC LIMIT 1`);
      return r.length ? r : undefined;
    });
    expect(entry.legal_basis).toBe('legitimate_interests');
    expect(entry.subject_ids).toEqual(expect.arrayContaining([formulaOperatorId, csvSiteId]));
  });

  it('answers zeros and nulls for a range without alarms', async () => {
    const res = await t.request('GET', '/api/statistics?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00%2B01:00', { token: supervisor });
    expect(res.status).toBe(200);
    expect(res.body.from).toBe('2020-01-01T00:00:00.000Z');
    expect(res.body.to).toBe('2020-01-01T23:00:00.000Z');
    expect(Object.keys(res.body.byClass)).toEqual(expect.arrayContaining(['burglary', 'fire', 'panic', 'duress', 'technical', 'unknown']));
    for (const c of Object.values(res.body.byClass) as any[]) {
      expect(c).toEqual({ alarms: 0, falseAlarms: 0, firstSmsMs: null, firstAckMs: null, closeMs: null, ackWithin30s: null, ackWithin60s: null });
    }
    expect(res.body.byOperator).toEqual({});
    expect(res.body.bySite).toEqual([]);
    expect(res.body.timeline.points).toHaveLength(23);
    expect(res.body.timeline.points.every((p: any) => p.opened === 0 && p.closed === 0 && p.open === 0)).toBe(true);
  });

  it('defaults to the last 7 days', async () => {
    const res = await t.request('GET', '/api/statistics', { token: supervisor });
    expect(res.status).toBe(200);
    expect(new Date(res.body.to).getTime() - new Date(res.body.from).getTime()).toBe(7 * 24 * 3600 * 1000);
    expect(res.body.byClass.burglary.alarms).toBe(4);
  });

  it('is for supervisors and admins only', async () => {
    expect((await t.request('GET', '/api/statistics', { token: await t.login() })).status).toBe(200);
    expect((await t.request('GET', '/api/statistics', { token: f.tokens.operator })).status).toBe(403);
    expect((await t.request('GET', '/api/statistics', { token: await t.tokenFor('dpo') })).status).toBe(403);
    expect((await t.request('GET', '/api/statistics')).status).toBe(401);
  });

  it('refuses a bad range, naming the parameter', async () => {
    const bad = async (query: string, message: string) => {
      const res = await t.request('GET', `/api/statistics?${query}`, { token: supervisor });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.message)).toContain(message);
    };
    await bad('from=2026-12-01', 'from must be an ISO-8601 date-time with offset');
    await bad('to=2026-12-01T10:00:00', 'to must be an ISO-8601 date-time with offset');
    await bad('from=yesterday', 'from must be');
    await bad('from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'from must be before to');
    await bad('from=2026-12-01T00:00:00Z&to=2026-12-01T00:00:00Z', 'from must be before to');
    await bad('from=2024-01-01T00:00:00Z&to=2025-01-02T00:00:00Z', 'to must be at most 366 days after from');
    await bad('format=xlsx', 'format must be json or csv');
    await bad('site=1', 'property site should not exist');
  });

  it('exports CSV: a header, one row per class, operator and site, and names that cannot run as formulas', async () => {
    const res = await t.request('GET', `/api/statistics?format=csv&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { token: supervisor });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const compact = (iso: string) =>
      new Date(iso)
        .toISOString()
        .replace(/\.\d+Z$/, 'Z')
        .replace(/[-:]/g, '');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="keyholder-statistics-${compact(from)}-${compact(to)}.csv"`);
    const rows = parseCsv(res.text);
    const [header, ...body] = rows;
    expect(header.slice(0, 6)).toEqual(['group', 'key', 'name', 'alarms', 'falseAlarms', 'falseAlarmRate']);
    expect(header).toEqual(expect.arrayContaining(['firstSmsMsP50', 'firstAckMsP90', 'closeMsP99', 'ackWithin30s', 'ackWithin60s']));
    for (const row of body) expect(row).toHaveLength(header.length);
    const col = (name: string) => header.indexOf(name);
    const json = (await t.request('GET', `/api/statistics?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { token: supervisor })).body;
    expect(body.filter((r) => r[0] === 'class').map((r) => r[1])).toEqual(Object.keys(json.byClass));
    expect(
      body
        .filter((r) => r[0] === 'operator')
        .map((r) => r[1])
        .sort(),
    ).toEqual(Object.keys(json.byOperator).sort());
    expect(body.filter((r) => r[0] === 'site').map((r) => r[1])).toEqual(json.bySite.map((s: any) => s.customerId));
    const burglary = body.find((r) => r[0] === 'class' && r[1] === 'burglary')!;
    expect(burglary[col('alarms')]).toBe('4');
    expect(burglary[col('falseAlarms')]).toBe('2');
    expect(burglary[col('falseAlarmRate')]).toBe('0.5');
    expect(burglary[col('closeMsP50')]).toBe(String(json.byClass.burglary.closeMs.p50));
    expect(burglary[col('ackWithin60s')]).toBe('0.5');
    const formula = body.find((r) => r[1] === formulaOperatorId)!;
    expect(formula[col('name')]).toBe(`'=HYPERLINK("http://evil.example","x")`);
    // No cell starts a formula.
    for (const row of body) for (const cell of row) expect(cell).not.toMatch(/^[=+@]/);
  });
});

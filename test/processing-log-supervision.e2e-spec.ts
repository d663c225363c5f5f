// The processing log records what a data subject or the DPO asks about, each as its own entry; a
// panel's machine supervision (heartbeats, link tests, test signals) is one entry per panel and day,
// written when the day is closed, from counts kept in the database (so a restart loses none).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { PanelSupervisionDays } from '../src/alarms/panel-supervision-day.js';
import { AlarmFixtures, type Panel } from './support/alarm-fixtures.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const ENCRYPTION_KEY = randomBytes(32).toString('hex');

describe('processing log: supervision as one entry per panel and day', () => {
  let t: TestApp;
  let f: AlarmFixtures;
  let n = 0;
  const eventId = () => `sup-${++n}-${randomBytes(3).toString('hex')}`;
  const entriesOf = async (panel: Panel, operation: string) =>
    (await t.query(`SELECT count(*)::int AS n FROM processing_log WHERE operation = $1 AND actor_id = $2`, [operation, panel.id]))[0].n as number;

  beforeAll(async () => {
    t = await createTestApp({ ENCRYPTION_KEY });
    f = await AlarmFixtures.create(t);
  });
  afterAll(async () => t?.close());

  it("counts a day of heartbeats, test signals and repeats in the panel's day, with no entry per signal", async () => {
    const { panel } = await f.household(0);
    const codes = ['RP', 'RP', 'RX', '1602', 'RP', 'BX', 'RP', 'FX', 'RP', 'RP'];
    const first = new Date();
    const answers = [];
    for (const code of codes) answers.push(await f.post(panel, { eventId: eventId(), code }));
    // A retransmission is a signal received too.
    const repeated = await f.post(panel, { eventId: `sup-${n}-again`, code: 'RP' });
    const again = await f.post(panel, { eventId: `sup-${n}-again`, code: 'RP' });
    expect([...answers, repeated].map((a) => a.status)).toEqual(Array(codes.length + 1).fill(202));
    expect(again.status).toBe(200);

    expect(await entriesOf(panel, 'panels.events.receive')).toBe(0);
    const [day] = await t.query(`SELECT day::text, signals, first_at, last_at FROM panel_supervision_day WHERE panel_id = $1`, [panel.id]);
    expect(day).toMatchObject({ day: DateTime.fromJSDate(first, { zone: 'utc' }).toISODate(), signals: codes.length + 2 });
    expect(day.first_at.getTime()).toBeLessThanOrEqual(day.last_at.getTime());
    expect(day.first_at.getTime()).toBeGreaterThanOrEqual(first.getTime() - 5);
    // Every signal still says the panel is alive, and is stored as before.
    const [{ events }] = await t.query(`SELECT count(*)::int AS events FROM panel_event WHERE panel_id = $1`, [panel.id]);
    expect(events).toBe(codes.length + 1);
  });

  it('still writes one entry per signal that raises or joins an alarm, and per arming', async () => {
    const { panel } = await f.household(0);
    const burglary = await f.post(panel, { eventId: eventId(), code: 'BA', zone: '1' });
    const joined = await f.post(panel, { eventId: eventId(), code: 'BA', zone: '1' });
    const fire = await f.post(panel, { eventId: eventId(), code: 'FA', zone: '2' });
    const arm = await f.post(panel, { eventId: eventId(), code: 'CL' });
    await f.post(panel, { eventId: eventId(), code: 'RP' });
    expect([burglary, joined, fire, arm].map((a) => a.status)).toEqual([202, 202, 202, 202]);
    expect(joined.body.alarmId).toBe(burglary.body.alarmId);
    expect(await entriesOf(panel, 'panels.events.receive')).toBe(4);
    const alarmsNamed = await t.query(
      `SELECT count(*)::int AS n FROM processing_log WHERE operation = 'panels.events.receive' AND actor_id = $1 AND subject_ids && ARRAY[$2::uuid, $3::uuid]`,
      [panel.id, burglary.body.alarmId, fire.body.alarmId],
    );
    expect(alarmsNamed[0].n).toBe(3);
    expect((await t.query(`SELECT signals FROM panel_supervision_day WHERE panel_id = $1`, [panel.id]))[0].signals).toBe(1);
  });

  it('closes a day into one sealed entry with its counts, once, also after a restart', async () => {
    const { panel } = await f.household(0);
    for (const code of ['RP', 'RP', 'RP']) await f.post(panel, { eventId: eventId(), code });
    const [counted] = await t.query(`SELECT day::text, signals, first_at, last_at FROM panel_supervision_day WHERE panel_id = $1`, [panel.id]);
    expect(counted.signals).toBe(3);

    // Not before the day is over.
    await t.app.get(PanelSupervisionDays).closeDays(new Date());
    expect(await entriesOf(panel, 'panels.supervision.day')).toBe(0);

    // Another instance, on the same database, after this one stopped: nothing was kept in memory.
    await t.app.close();
    const restarted = await createTestApp({ ENCRYPTION_KEY }, { databaseUrl: t.databaseUrl });
    try {
      const nextMorning = DateTime.fromISO(counted.day, { zone: 'utc' }).plus({ days: 1, hours: 1 }).toJSDate();
      expect(await restarted.app.get(PanelSupervisionDays).closeDays(nextMorning)).toBeGreaterThanOrEqual(1);
      expect(await restarted.app.get(PanelSupervisionDays).closeDays(nextMorning)).toBe(0);
      const entries = await restarted.query(
        `SELECT actor_type, actor_id, legal_basis, subject_ids::text[] AS subject_ids, outcome, detail FROM processing_log WHERE operation = 'panels.supervision.day' AND actor_id = $1`,
        [panel.id],
      );
      expect(entries).toEqual([
        {
          actor_type: 'panel',
          actor_id: panel.id,
          legal_basis: 'contract',
          subject_ids: [panel.id],
          outcome: 'success',
          detail: { day: counted.day, signals: 3, firstAt: counted.first_at.toISOString(), lastAt: counted.last_at.toISOString() },
        },
      ]);
      expect(await restarted.query(`SELECT 1 FROM panel_supervision_day WHERE panel_id = $1`, [panel.id])).toEqual([]);

      // The DPO finds it by the panel, with its counts, and the chain (which hashes the detail) checks out.
      const dpo = await restarted.tokenFor('dpo');
      const found = await restarted.request('GET', `/api/privacy/processing-log?subjectId=${panel.id}`, { token: dpo });
      expect(found.body.items.filter((i: { operation: string }) => i.operation !== 'panels.create')).toEqual([
        expect.objectContaining({ operation: 'panels.supervision.day', detail: entries[0].detail }),
      ]);
      const verify = await restarted.request('GET', '/api/privacy/processing-log/verify', { token: dpo });
      expect(verify.body).toMatchObject({ ok: true });
      await restarted.query(`ALTER TABLE processing_log DISABLE TRIGGER USER`);
      try {
        await restarted.query(
          `UPDATE processing_log SET detail = jsonb_set(detail, '{signals}', '2') WHERE operation = 'panels.supervision.day' AND actor_id = $1`,
          [panel.id],
        );
      } finally {
        await restarted.query(`ALTER TABLE processing_log ENABLE TRIGGER USER`);
      }
      expect((await restarted.request('GET', '/api/privacy/processing-log/verify', { token: dpo })).body).toMatchObject({ ok: false, reason: 'entry_altered' });
    } finally {
      await restarted.close();
    }
  });
});

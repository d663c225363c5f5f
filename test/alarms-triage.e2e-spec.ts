import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlarmFixtures, waitUntil } from './support/alarm-fixtures.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { createTestAppOnTwilio } from './support/test-app.js';

const PUBLIC = 'https://alarm.example.test';

/**
 * When the central is behind (a storm), life-safety goes first: contact steps that fall due together
 * run the most urgent class first, and alarm SMS waiting together leave the most urgent first. Each
 * case puts one fire behind a dozen burglaries that were there before it; without the urgency order
 * the fire would come last.
 */
describe('storm triage: a fire goes before the burglaries that came first', () => {
  let fake: FakeTwilio;

  beforeAll(async () => {
    fake = await new FakeTwilio().start();
  });
  afterAll(async () => {
    await fake?.stop();
  });

  /** An app on its own database, `burglaries` burglary households and one fire household (one contact each). */
  async function scene(env: Record<string, string>, base: number, burglaries: number) {
    const t = await createTestAppOnTwilio(fake, PUBLIC, { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...env });
    const f = await AlarmFixtures.create(t, base);
    const households = [];
    for (let i = 0; i < burglaries + 1; i++) households.push(await f.household(1));
    return { t, f, burglary: households.slice(0, burglaries), fire: households[burglaries] };
  }

  it('runs due contact steps for the most urgent class first, before older burglaries', async () => {
    const { t, f, burglary, fire } = await scene({ SMS_RATE_PER_SECOND: '1000' }, 7000, 12);
    try {
      // Long owner waits: nothing moves on by itself while the scene is set.
      await f.setWaits('burglary', 3600, 3600);
      await f.setWaits('fire', 3600, 3600);
      const alarmIds: string[] = [];
      for (const [i, h] of burglary.entries()) alarmIds.push((await f.post(h.panel, { eventId: `b-${i}`, code: 'BA' })).body.alarmId);
      const fireAlarm = (await f.post(fire.panel, { eventId: 'f-1', code: 'FA' })).body.alarmId as string;
      const owners = [...burglary, fire].map((h) => h.customer.phone);
      await fake.waitFor(() => owners.every((p) => fake.messages.some((m) => m.to === p)) || undefined, 10_000);
      await waitUntil(
        async () => (await t.query(`SELECT count(*)::int AS n FROM sms_message WHERE purpose = 'alarm_owner' AND sent_at IS NULL`))[0].n === 0,
        5000,
        'owner SMS handed over',
      );

      // All thirteen owner waits run out at once (one statement), the burglaries' well before the fire's.
      await t.query(
        `UPDATE alarm SET owner_wait_seconds = 0,
                next_step_at = now() - CASE WHEN class = 'fire' THEN interval '1 second' ELSE interval '60 seconds' END
          WHERE id = ANY($1::uuid[])`,
        [[...alarmIds, fireAlarm]],
      );
      await waitUntil(
        async () => (await t.query(`SELECT count(*)::int AS n FROM sms_message WHERE purpose = 'alarm_contact'`))[0].n === 13,
        10_000,
        'every first contact texted',
      );
      const order = await t.query<{ alarm_id: string }>(`SELECT alarm_id FROM sms_message WHERE purpose = 'alarm_contact' ORDER BY created_at, id`);
      const position = order.findIndex((r) => r.alarm_id === fireAlarm);
      // The engine runs up to 4 steps at once, so the fire is among the first 4 (it would be 13th by due time alone).
      expect(position).toBeGreaterThanOrEqual(0);
      expect(position).toBeLessThan(4);
      // Nobody is lost for it: every burglary moved on to its contact too, each once.
      expect(new Set(order.map((r) => r.alarm_id))).toEqual(new Set([...alarmIds, fireAlarm]));
    } finally {
      await t.close();
    }
  });

  it("sends the fire owner's SMS before the burglary owners' SMS already waiting for the rate limit", async () => {
    // One SMS a second: the burglaries' owner SMS queue up behind the limit.
    const { t, f, burglary, fire } = await scene({ SMS_RATE_PER_SECOND: '1' }, 7100, 10);
    try {
      for (const [i, h] of burglary.entries()) expect((await f.post(h.panel, { eventId: `b-${i}`, code: 'BA' })).status).toBe(202);
      expect((await f.post(fire.panel, { eventId: 'f-1', code: 'FA' })).status).toBe(202);
      const fireSent = await waitUntil(
        async () =>
          (await t.query(`SELECT sent_at FROM sms_message WHERE purpose = 'alarm_owner' AND to_phone = $1 AND sent_at IS NOT NULL`, [fire.customer.phone]))[0],
        15_000,
        'the fire owner texted',
      );
      expect(fireSent).toBeDefined();
      // Burglary owner SMS enqueued before the fire's and handed over after it: the fire passed them.
      // First come, first served would make this 0; the few handed over while the scene was posted stay ahead.
      const passed = await t.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM sms_message b, sms_message fm
          WHERE b.purpose = 'alarm_owner' AND fm.purpose = 'alarm_owner' AND fm.to_phone = $1
            AND b.to_phone <> $1 AND b.created_at < fm.created_at AND (b.sent_at IS NULL OR b.sent_at > fm.sent_at)`,
        [fire.customer.phone],
      );
      expect(passed[0].n).toBeGreaterThanOrEqual(3);
      // And they are not lost: every burglary owner is texted in the end.
      await waitUntil(
        async () => (await t.query(`SELECT count(*)::int AS n FROM sms_message WHERE purpose = 'alarm_owner' AND sent_at IS NOT NULL`))[0].n === 11,
        20_000,
        'every owner texted',
      );
    } finally {
      await t.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ProcessorDeletions } from '../src/privacy/processor-deletion.js';
import { RetentionJobs } from '../src/privacy/retention.js';
import { SmsOutbox } from '../src/sms/sms-outbox.js';
import { AlarmFixtures } from './support/alarm-fixtures.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { createTestApp, createTestAppOnTwilio, type TestApp } from './support/test-app.js';

const PUBLIC = 'https://keyholder.example';

/**
 * Art. 17 reaches the processor: an erasure queues the deletion of every message of the person at
 * the SMS provider in its own transaction, and the worker deletes them through Twilio's API (the real
 * SDK against the fake Twilio), retrying what Twilio cannot delete yet, until the queue is empty.
 */
describe('erased messages are deleted at the SMS provider', () => {
  let fake: FakeTwilio;
  let t: TestApp;
  let f: AlarmFixtures;
  let dpo: string;

  beforeAll(async () => {
    fake = await new FakeTwilio().start();
    t = await createTestAppOnTwilio(fake, PUBLIC, { SMS_RATE_PER_SECOND: '1000', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
    f = await AlarmFixtures.create(t, 9100);
    dpo = await t.tokenFor('dpo');
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  const worker = () => t.app.get(ProcessorDeletions);
  const pending = async () =>
    (await t.query(`SELECT message_sid, attempts, last_error, next_attempt_at > now() AS later FROM processor_deletion ORDER BY message_sid`)) as any[];
  const metric = async () => {
    const res = await fetch(`${t.baseUrl}/metrics`);
    return Number(/^keyholder_processor_deletions_pending (\d+)$/m.exec(await res.text())?.[1]);
  };

  /** A household whose owner had an alarm SMS through Twilio and texted back; the alarm closed, nothing in flight. Returns the Twilio ids of all their messages. */
  async function householdWithTexts() {
    const h = await f.household(1);
    const opened = await f.post(h.panel, { eventId: `ba-${h.customer.n}`, code: 'BA', zone: '1' });
    expect(opened.status).toBe(202);
    await fake.waitFor(() => fake.messages.find((m) => m.to === h.customer.phone), 8000);
    expect((await fake.sendInbound({ from: h.customer.phone, body: `hello from ${h.customer.n}` })).status).toBe(200);
    expect((await f.act(opened.body.alarmId, { action: 'false_alarm' })).status).toBeLessThan(300);
    await t.app.get(SmsOutbox).idle();
    const rows = await t.query(
      `SELECT DISTINCT provider_id FROM sms_message
        WHERE provider_id IS NOT NULL AND (customer_id = $1 OR contact_id = $2 OR alarm_id = $3 OR to_phone = ANY($4::text[]) OR from_phone = ANY($4::text[]))`,
      [h.customer.id, h.contacts[0].id, opened.body.alarmId, [h.customer.phone, h.contacts[0].phone]],
    );
    const sids = rows.map((r: any) => r.provider_id as string).sort();
    expect(sids.length).toBeGreaterThanOrEqual(2);
    for (const sid of sids) expect(sid).toMatch(/^SM[0-9a-f]{32}$/);
    return { ...h, sids, alarmId: opened.body.alarmId as string };
  }

  it("deletes each of an erased customer's messages at Twilio, empties the queue, and the answer says so", async () => {
    const h = await householdWithTexts();
    // A message Twilio no longer has (deleted by hand, say): a 404 counts as gone.
    await t.query(
      `INSERT INTO sms_message (direction, to_phone, from_phone, body, purpose, legal_basis, status, provider_id)
       VALUES ('inbound', '+46700000001', $1, 'old text', 'reply', 'legitimate_interests', 'received', $2)`,
      [h.customer.phone, `SM${'f'.repeat(24)}${String(h.customer.n).padStart(8, '0')}`],
    );
    const gone = `SM${'f'.repeat(24)}${String(h.customer.n).padStart(8, '0')}`;

    const res = await t.request('POST', `/api/customers/${h.customer.id}/erasure`, { token: dpo });
    expect(res.status).toBe(200);
    const n = h.sids.length + 1;
    expect(res.body.retained).toEqual(
      expect.arrayContaining([
        {
          what: expect.stringMatching(new RegExp(`^the copies of ${n} SMS at the processor Twilio`)),
          reason: expect.stringMatching(/being deleted through Twilio's API/),
        },
      ]),
    );

    await worker().idle();
    expect(fake.deletedSids).toEqual(expect.arrayContaining(h.sids));
    expect(fake.deleteRequests.filter((d) => d.sid === gone).map((d) => d.outcome)).toEqual([404]);
    expect(fake.deleteRequests.every((d) => d.authorized)).toBe(true);
    expect(await pending()).toEqual([]);
    // Twilio holds none of their messages any more.
    expect(fake.messages.filter((m) => h.sids.includes(m.sid!))).toEqual([]);
    // The job's executions are in the processing log, under its declared operation.
    const [log] = await t.query(
      `SELECT count(*)::int AS n FROM processing_log WHERE operation = 'privacy.processor.sms_deletion' AND legal_basis = 'legal_obligation' AND outcome = 'success'`,
    );
    expect(log.n).toBeGreaterThan(0);
    await worker().sweep();
    expect(await metric()).toBe(0);
  });

  it('retries a deletion Twilio answered with a 500 or "not complete yet" (20009) later, and then deletes it', async () => {
    const h = await householdWithTexts();
    fake.failNextDelete(1, 500);
    fake.failNextDelete(1, 'in-progress');

    const res = await t.request('POST', `/api/customers/${h.customer.id}/erasure`, { token: dpo });
    expect(res.status).toBe(200);
    await worker().idle();
    const failures = fake.deleteRequests.filter((d) => h.sids.includes(d.sid) && d.outcome !== 204);
    expect(failures.map((d) => d.outcome).sort()).toEqual([409, 500]);
    // Still queued, each with why and a later attempt: the metric shows them.
    const waiting = await pending();
    expect(waiting.map((p: any) => p.message_sid).sort()).toEqual(failures.map((d) => d.sid).sort());
    for (const p of waiting) expect(p).toMatchObject({ attempts: 1, last_error: expect.stringMatching(/^(20009|20500):/), later: true });
    await worker().sweep();
    expect(await metric()).toBe(2);
    // Nothing is retried before its time.
    const asked = fake.deleteRequests.length;
    await worker().sweep();
    expect(fake.deleteRequests.length).toBe(asked);

    // Their time comes.
    await t.query(`UPDATE processor_deletion SET next_attempt_at = now()`);
    await worker().sweep();
    expect(await pending()).toEqual([]);
    expect(fake.deletedSids).toEqual(expect.arrayContaining(h.sids));
    expect(await metric()).toBe(0);
  });

  it("anonymising alarm history after 10 years deletes the alarm's SMS at Twilio, and only those", async () => {
    const h = await householdWithTexts();
    const alarmSids = (await t.query(`SELECT provider_id FROM sms_message WHERE alarm_id = $1 AND provider_id IS NOT NULL`, [h.alarmId])).map(
      (r: any) => r.provider_id as string,
    );
    expect(alarmSids.length).toBeGreaterThan(0);
    await t.query(`UPDATE alarm SET closed_at = now() - interval '10 years 1 day' WHERE id = $1`, [h.alarmId]);

    expect((await t.app.get(RetentionJobs).anonymiseAlarmHistory()).alarms).toBeGreaterThanOrEqual(1);
    await worker().idle();
    expect(fake.deletedSids).toEqual(expect.arrayContaining(alarmSids));
    // The customer is current: their other messages (the text they sent) stay at Twilio.
    const rest = h.sids.filter((sid) => !alarmSids.includes(sid));
    expect(rest.length).toBeGreaterThan(0);
    for (const sid of rest) expect(fake.deletedSids).not.toContain(sid);
    expect(await pending()).toEqual([]);
  });

  it('deletes at Twilio an alarm SMS that Twilio took only after the erasure had moved its row', async () => {
    const h = await f.household(1);
    await fake.waitFor(() => fake.messages.find((m) => m.to === h.contacts[0].phone), 8000);
    await t.app.get(SmsOutbox).idle();
    fake.failNext(1, 'hold');
    const opened = await f.post(h.panel, { eventId: `ba-${h.customer.n}`, code: 'BA', zone: '1' });
    expect(opened.status).toBe(202);
    const inFlight = await fake.waitFor(() => fake.requests.find((r) => r.to === h.customer.phone && r.sid), 8000);
    expect((await f.act(opened.body.alarmId, { action: 'false_alarm' })).status).toBeLessThan(300);
    expect((await t.request('POST', `/api/customers/${h.customer.id}/erasure`, { token: dpo })).status).toBe(200);

    expect(fake.releaseHeld()).toBe(1);
    await t.app.get(SmsOutbox).idle();
    await worker().sweep();
    expect(fake.deletedSids).toContain(inFlight.sid);
    expect(await pending()).toEqual([]);
    const [kept] = await t.query(`SELECT count(*)::int AS n FROM sms_message WHERE provider_id = $1`, [inFlight.sid]);
    expect(kept.n).toBe(0);
  });

  it('deletes at Twilio a text to an erased contact that was being handed over during the erasure', async () => {
    const h = await f.household(0);
    fake.failNext(1, 'hold');
    const contact = await f.contact(h.customer.id); // its onboarding notice goes out, and Twilio holds the answer
    const inFlight = await fake.waitFor(() => fake.requests.find((r) => r.to === contact.phone && r.sid), 8000);
    expect((await t.request('POST', `/api/customers/${h.customer.id}/contacts/${contact.id}/erasure`, { token: dpo })).status).toBe(200);

    expect(fake.releaseHeld()).toBe(1);
    await t.app.get(SmsOutbox).idle();
    await worker().sweep();
    expect(fake.deletedSids).toContain(inFlight.sid);
    expect(await pending()).toEqual([]);
    const [kept] = await t.query(`SELECT count(*)::int AS n FROM sms_message WHERE provider_id = $1`, [inFlight.sid]);
    expect(kept.n).toBe(0);
  });

  it('erasing one contact deletes their messages at Twilio, and not the customer’s', async () => {
    const h = await f.household(2);
    // Their onboarding notices.
    for (const c of h.contacts) await fake.waitFor(() => fake.messages.find((m) => m.to === c.phone), 8000);
    expect((await fake.sendInbound({ from: h.contacts[0].phone, body: 'who is this?' })).status).toBe(200);
    await t.app.get(SmsOutbox).idle();
    const theirs = (
      await t.query(`SELECT provider_id FROM sms_message WHERE provider_id IS NOT NULL AND (contact_id = $1 OR from_phone = $2 OR to_phone = $2)`, [
        h.contacts[0].id,
        h.contacts[0].phone,
      ])
    ).map((r: any) => r.provider_id as string);
    const others = (
      await t.query(`SELECT provider_id FROM sms_message WHERE provider_id IS NOT NULL AND (contact_id = $1 OR customer_id = $2)`, [
        h.contacts[1].id,
        h.customer.id,
      ])
    )
      .map((r: any) => r.provider_id as string)
      .filter((sid: string) => !theirs.includes(sid));
    expect(theirs.length).toBeGreaterThanOrEqual(2);
    expect(others.length).toBeGreaterThanOrEqual(1);

    const res = await t.request('POST', `/api/customers/${h.customer.id}/contacts/${h.contacts[0].id}/erasure`, { token: dpo });
    expect(res.status).toBe(200);
    expect(res.body.retained).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ what: expect.stringMatching(new RegExp(`^the copies of ${theirs.length} SMS at the processor Twilio`)) }),
      ]),
    );
    await worker().idle();
    expect(fake.deletedSids).toEqual(expect.arrayContaining(theirs));
    for (const sid of others) expect(fake.deletedSids).not.toContain(sid);
    expect(await pending()).toEqual([]);
  });
});

describe('erasure without an SMS provider (the outbox adapter)', () => {
  let t: TestApp;
  let f: AlarmFixtures;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
    f = await AlarmFixtures.create(t, 9200);
  });
  afterAll(async () => t?.close());

  it('queues nothing, and the answer claims no copy at a processor', async () => {
    const h = await f.household(1);
    const opened = await f.post(h.panel, { eventId: `ba-${h.customer.n}`, code: 'BA', zone: '1' });
    expect(opened.status).toBe(202);
    expect((await f.act(opened.body.alarmId, { action: 'false_alarm' })).status).toBeLessThan(300);
    await t.app.get(SmsOutbox).idle();
    const [sent] = await t.query(`SELECT count(*)::int AS n FROM sms_message WHERE provider_id LIKE 'outbox-%' AND (customer_id = $1 OR alarm_id = $2)`, [
      h.customer.id,
      opened.body.alarmId,
    ]);
    expect(sent.n).toBeGreaterThan(0);

    const res = await t.request('POST', `/api/customers/${h.customer.id}/erasure`, { token: await t.tokenFor('dpo') });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body.retained)).not.toMatch(/processor|Twilio/);
    const [queued] = await t.query(`SELECT count(*)::int AS n FROM processor_deletion`);
    expect(queued.n).toBe(0);
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlarmFixtures, customerBody, mobile } from './support/alarm-fixtures.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { createTestApp, createTestAppOnTwilio, type TestApp } from './support/test-app.js';

const PUBLIC = 'https://alarm.example.test';
/** Two instances share one database, and so its encryption key. */
const ENCRYPTION_KEY = randomBytes(32).toString('hex');
/** Norwegian mobile numbers, distinct per n. */
const norwegian = (n: number) => `+4741${String(n).padStart(6, '0')}`;

/** keyholder_sms_refused_total for this reason, as /metrics shows it (0 when absent). */
async function refusedMetric(t: TestApp, reason: string): Promise<number> {
  const res = await t.request('GET', '/metrics');
  const line = res.text.split('\n').find((l) => l.startsWith(`keyholder_sms_refused_total{reason="${reason}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Seconds from now to the next midnight UTC, when the daily caps start again. */
const secondsToUtcMidnight = () => {
  const now = new Date();
  return (Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - now.getTime()) / 1000;
};

describe('SMS destinations: only the allowed countries are texted', () => {
  let t: TestApp;
  let f: AlarmFixtures;

  beforeAll(async () => {
    t = await createTestApp({ ENCRYPTION_KEY }); // the default list: SE, NO, DK, FI, IS
    f = await AlarmFixtures.create(t, 6100);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses contacts with a satellite, Nigerian or Lithuanian number (422 naming the field and the countries) and stores no SMS', async () => {
    const customer = await f.customer();
    for (const [phone, where] of [
      ['+881 6 1234 5678', 'a number of no country'],
      ['+234 803 123 4567', 'a number in NG'],
      ['+370 612 34567', 'a number in LT'],
    ]) {
      const res = await t.request('POST', `/api/customers/${customer.id}/contacts`, { token: f.tokens.operator, body: { name: 'Far away', phone } });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'phone_country_not_allowed' });
      expect(res.body.message).toMatch(
        new RegExp(`^phone \\+\\d+ is ${where}.*; SMS are sent only to numbers in SE, NO, DK, FI, IS \\(SMS_ALLOWED_COUNTRIES\\)$`),
      );
    }
    expect(await t.query(`SELECT id FROM contact WHERE customer_id = $1`, [customer.id])).toHaveLength(0);
    expect(await t.query(`SELECT id FROM sms_message WHERE to_phone IN ('+881612345678', '+2348031234567', '+37061234567')`)).toHaveLength(0);
  });

  it('accepts Nordic numbers, and sends their notice', async () => {
    const customer = await f.customer();
    for (const phone of ['+358 40 123 4567', norwegian(1), '+45 20 12 34 56']) {
      const res = await t.request('POST', `/api/customers/${customer.id}/contacts`, { token: f.tokens.operator, body: { name: 'Near', phone } });
      expect(res.status).toBe(201);
    }
    const notices = await t.query(`SELECT status FROM sms_message WHERE customer_id = $1 AND purpose = 'contact_notice'`, [customer.id]);
    expect(notices).toHaveLength(3);
    expect(notices.every((n) => n.status !== 'refused')).toBe(true);
  });

  it("refuses a customer's phone outside the list, new or changed", async () => {
    const created = await t.request('POST', '/api/customers', { token: f.tokens.operator, body: customerBody(6190, { phone: '+234 803 123 4567' }) });
    expect(created.status).toBe(422);
    expect(created.body.message).toMatch(/^phone \+2348031234567 is a number in NG/);
    const customer = await f.customer();
    const changed = await t.request('PATCH', `/api/customers/${customer.id}`, { token: f.tokens.operator, body: { phone: '+370 612 34567' } });
    expect(changed.status).toBe(422);
    expect((await t.query(`SELECT phone FROM customer WHERE id = $1`, [customer.id]))[0].phone).toBe(customer.phone);
  });

  describe('after the list is narrowed (a second instance on the same database, SMS_ALLOWED_COUNTRIES=SE)', () => {
    let narrow: TestApp;
    let g: AlarmFixtures;

    beforeAll(async () => {
      narrow = await createTestApp({ SMS_ALLOWED_COUNTRIES: 'SE', ENCRYPTION_KEY }, { databaseUrl: t.databaseUrl });
      // The operators exist already (the first instance made them): the same accounts, this instance's tokens.
      const [operator, supervisor] = await Promise.all([
        narrow.login('operator@test.local', 'operator-password-123'),
        narrow.login('supervisor@test.local', 'supervisor-password-123'),
      ]);
      g = new AlarmFixtures(narrow, { operator, supervisor }, 6200);
    });
    afterAll(async () => {
      await narrow?.close();
    });

    it('refuses a Norwegian number when it is entered', async () => {
      const customer = await g.customer();
      const res = await narrow.request('POST', `/api/customers/${customer.id}/contacts`, {
        token: g.tokens.operator,
        body: { name: 'Kari', phone: norwegian(2) },
      });
      expect(res.status).toBe(422);
      expect(res.body.message).toMatch(/is a number in NO; SMS are sent only to numbers in SE \(SMS_ALLOWED_COUNTRIES\)$/);
      const owner = await narrow.request('POST', '/api/customers', { token: g.tokens.operator, body: customerBody(6290, { phone: norwegian(3) }) });
      expect(owner.status).toBe(422);
    });

    it('refuses alarm SMS to numbers entered before at the gate, and the escalation moves on to the next person at once', async () => {
      // Entered while Norway was allowed: a Norwegian owner, a Norwegian first contact, a Swedish second one.
      const wide = f;
      await wide.setWaits('burglary', 60, 60); // long waits: only a refusal moves the alarm on within the test
      const customer = await wide.customer({ phone: norwegian(4) });
      const kari = await t.request('POST', `/api/customers/${customer.id}/contacts`, {
        token: wide.tokens.operator,
        body: { name: 'Kari', phone: norwegian(5) },
      });
      expect(kari.status).toBe(201);
      const erik = await wide.contact(customer.id, 'Erik');
      const panel = await wide.panel(customer.id);
      const before = await refusedMetric(narrow, 'country_not_allowed');

      const res = await g.post(panel, { eventId: 'narrowed-1', code: 'BA' }); // to the narrow instance
      expect(res.status).toBe(202);
      const alarmId = res.body.alarmId;
      // The owner's refusal, the first contact's, and the second contact's SMS: all in the event's transaction, committed with the 202.
      const texted = await narrow.query(`SELECT to_phone, purpose, status, refusal_reason FROM sms_message WHERE alarm_id = $1`, [alarmId]);
      expect(texted).toHaveLength(3);
      const byPhone = Object.fromEntries(texted.map((m) => [m.to_phone, m]));
      expect(byPhone[customer.phone]).toMatchObject({ purpose: 'alarm_owner', status: 'refused', refusal_reason: 'country_not_allowed' });
      expect(byPhone[kari.body.phone]).toMatchObject({ purpose: 'alarm_contact', status: 'refused', refusal_reason: 'country_not_allowed' });
      expect(byPhone[erik.phone]).toMatchObject({ purpose: 'alarm_contact', refusal_reason: null });
      expect(byPhone[erik.phone].status).not.toBe('refused');

      const alarm = await g.alarm(alarmId);
      expect(alarm.stage).toBe('contacts');
      const skipped = alarm.timeline.filter((e: any) => e.type === 'step_skipped');
      expect(skipped).toEqual([
        expect.objectContaining({ step: 0, reason: 'sms_refused', refusal: 'country_not_allowed' }),
        expect.objectContaining({ contactId: kari.body.id, reason: 'sms_refused', refusal: 'country_not_allowed' }),
      ]);
      expect(await refusedMetric(narrow, 'country_not_allowed')).toBe(before + 2);
      await g.act(alarmId, { action: 'false_alarm' });
    });
  });
});

describe('SMS daily caps (per operator and for the central, on SMS other than alarm SMS)', () => {
  let t: TestApp;
  let fake: FakeTwilio;
  let f: AlarmFixtures;
  /** A customer with a panel whose contact is among the operator's first two (the alarm test below). */
  let household: { id: string; phone: string; panel: { id: string; secret: string }; contactPhone: string; contactId: string };

  beforeAll(async () => {
    fake = await new FakeTwilio().start();
    t = await createTestAppOnTwilio(fake, PUBLIC, { SMS_RATE_PER_SECOND: '1000', SMS_DAILY_CAP_PER_OPERATOR: '2', SMS_DAILY_CAP: '3' });
    f = await AlarmFixtures.create(t, 6300);
    await f.setWaits('burglary', 1, 60);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  const addContact = (token: string, customerId: string, phone: string) =>
    t.request('POST', `/api/customers/${customerId}/contacts`, { token, body: { name: 'Bo Berg', phone } });

  it('lets exactly the cap through when many requests arrive at once', async () => {
    // One customer each, so the customer's own row lock does not line the requests up.
    const customers = await Promise.all(Array.from({ length: 6 }, () => f.customer()));
    const answers = await Promise.all(customers.map((c, i) => addContact(f.tokens.operator, c.id, mobile(6350 + i))));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 429, 429, 429, 429]);
    expect(await t.query(`SELECT id FROM contact`)).toHaveLength(2);
    expect(await t.query(`SELECT id FROM sms_message WHERE purpose = 'contact_notice'`)).toHaveLength(2);
    const i = answers.findIndex((a) => a.status === 201);
    household = { ...customers[i], panel: await f.panel(customers[i].id), contactPhone: answers[i].body.phone, contactId: answers[i].body.id };
  });

  it('refuses the operator past their cap with 429 and Retry-After, saving nothing; another operator goes on until the central cap', async () => {
    const operator = f.tokens.operator;
    const customer = await f.customer();
    const refused = await addContact(operator, customer.id, mobile(6361));
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ statusCode: 429, code: 'sms_operator_cap_reached' });
    expect(refused.body.message).toMatch(/SMS_DAILY_CAP_PER_OPERATOR: 2 a day/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(Math.abs(retryAfter - secondsToUtcMidnight())).toBeLessThan(60);
    expect(await t.query(`SELECT id FROM contact WHERE phone = $1`, [mobile(6361)])).toHaveLength(0);
    expect(await t.query(`SELECT id FROM sms_message WHERE to_phone = $1`, [mobile(6361)])).toHaveLength(0);

    // A new phone number sends a notice too: refused, the number unchanged.
    const path = `/api/customers/${household.id}/contacts/${household.contactId}`;
    const moved = await t.request('PATCH', path, { token: operator, body: { phone: mobile(6362) } });
    expect(moved.status).toBe(429);
    expect((await t.query(`SELECT phone FROM contact WHERE id = $1`, [household.contactId]))[0].phone).toBe(household.contactPhone);
    // A change that sends nothing is not held back.
    expect((await t.request('PATCH', path, { token: operator, body: { name: 'Bo B' } })).status).toBe(200);

    // Another operator is still allowed, until the central's cap (3).
    const other = f.tokens.supervisor;
    expect((await addContact(other, customer.id, mobile(6363))).status).toBe(201);
    const central = await addContact(other, customer.id, mobile(6364));
    expect(central.status).toBe(429);
    expect(central.body).toMatchObject({ code: 'sms_central_cap_reached' });
    expect(central.body.message).toMatch(/SMS_DAILY_CAP: 3 a day/);
    expect(central.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await t.query(`SELECT id FROM sms_message WHERE purpose = 'contact_notice'`)).toHaveLength(3);

    // A stranger's text gets no help reply: that counts toward the central cap.
    const stranger = await fake.sendInbound({ from: mobile(6365), body: 'hello?' });
    expect(stranger.status).toBe(200);
    expect(stranger.text).not.toContain('<Message>');
    expect((await t.query(`SELECT status, refusal_reason FROM sms_message WHERE to_phone = $1 AND purpose = 'reply'`, [mobile(6365)]))[0]).toEqual({
      status: 'refused',
      refusal_reason: 'central_cap',
    });
  });

  it('never holds back alarm SMS or the confirmation of a reply code, and counts the refusals on /metrics', async () => {
    // The owner, then (the owner silent for 1 s) the contact.
    const alarm = await f.post(household.panel, { eventId: 'capped-1', code: 'BA' });
    expect(alarm.status).toBe(202);
    const ownerSms = await fake.waitFor(() => fake.messages.find((m) => m.to === household.phone));
    await fake.waitFor(() => fake.messages.find((m) => m.to === household.contactPhone && m.body.includes('ALARM')), 6000);
    const code = /Reply (\d+)/.exec(ownerSms.body)![1];
    const confirmed = await fake.sendInbound({ from: household.phone, body: code });
    expect(confirmed.text).toContain('<Message>Thanks, alarm at');

    expect(await refusedMetric(t, 'operator_cap')).toBe(6); // four at once, the third contact, the new phone
    expect(await refusedMetric(t, 'central_cap')).toBe(2); // the other operator's second contact, the help reply
    await f.act(alarm.body.alarmId, { action: 'false_alarm' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlarmFixtures } from './support/alarm-fixtures.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { createTestAppOnTwilio, type TestApp } from './support/test-app.js';

const PUBLIC = 'https://alarm.example.test';
const NUL = '\u0000';
const said = (field: string) => `${field} must not contain the NUL character (\\u0000)`;

/**
 * PostgreSQL cannot store U+0000 in text: such a string, if it passed validation, would fail at the
 * INSERT, a 500 on every route that stores text. So a 400 names each field (docs/api-contract.md#errors:
 * never 500 for input), whichever caller sent it.
 */
describe('a NUL character in input is refused with 400 naming the field, on every kind of route', () => {
  let t: TestApp;
  let fake: FakeTwilio;
  let f: AlarmFixtures;

  beforeAll(async () => {
    fake = await new FakeTwilio().start();
    t = await createTestAppOnTwilio(fake, PUBLIC);
    f = await AlarmFixtures.create(t, 8700);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  it("an operator's JSON body, nested fields too", async () => {
    const h = await f.household(1);
    const opened = await f.post(h.panel, { eventId: 'nul-ba', code: 'BA' });
    const note = await f.act(opened.body.alarmId, { action: 'note', note: `a${NUL}b` });
    expect(note.status).toBe(400);
    expect(note.body.message).toEqual([said('note')]);

    const customer = await t.request('PATCH', `/api/customers/${h.customer.id}`, {
      token: f.tokens.operator,
      body: { name: `Anna${NUL}`, alarmAddress: { street: `Storgatan${NUL} 1`, postalCode: '11122', city: 'Stockholm', country: 'SE' } },
    });
    expect(customer.status).toBe(400);
    expect(customer.body.message).toEqual([said('name'), said('alarmAddress.street')]);
    // Nothing was stored.
    const [row] = await t.query(`SELECT name FROM customer WHERE id = $1`, [h.customer.id]);
    expect(row.name).not.toContain(NUL);
  });

  it('a query string', async () => {
    const res = await t.request('GET', `/api/customers?search=${encodeURIComponent(`An${NUL}na`)}`, { token: f.tokens.operator });
    expect(res.status).toBe(400);
    expect(res.body.message).toEqual([said('search')]);
  });

  it("Twilio's webhooks, signed: an inbound SMS and a delivery report; the error is JSON, not TwiML", async () => {
    const inbound = await fake.sendInbound({ from: '+46701234567', body: `1${NUL}` });
    expect(inbound.status).toBe(400);
    expect(inbound.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(inbound.text).message).toEqual([said('Body')]);

    const report = await fake.post(`${PUBLIC}/webhooks/twilio/status`, { MessageSid: `SM${NUL}1`, MessageStatus: 'delivered' });
    expect(report.status).toBe(400);
    expect(JSON.parse(report.text).message).toEqual([said('MessageSid')]);
  });
});

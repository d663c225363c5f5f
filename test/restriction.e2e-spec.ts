import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlarmFixtures } from './support/alarm-fixtures.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { createTestAppOnTwilio, type TestApp } from './support/test-app.js';

const PUBLIC = 'https://keyholder.example';

/**
 * Art. 18 as the policy states it: restricted data is only stored, except alarm texts (Art. 18(2),
 * the ground recorded on the restriction); the contacts who had alarm texts about the customer are
 * told (Art. 19); the person is told before the restriction is lifted (Art. 18(3)).
 */
describe('restriction (Art. 18, 19)', () => {
  let fake: FakeTwilio;
  let t: TestApp;
  let f: AlarmFixtures;
  let dpo: string;

  beforeAll(async () => {
    fake = await new FakeTwilio().start();
    t = await createTestAppOnTwilio(fake, PUBLIC, { SMS_RATE_PER_SECOND: '1000', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
    f = await AlarmFixtures.create(t, 8800);
    dpo = await t.tokenFor('dpo');
    await f.setWaits('burglary', 1, 1);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  const textsTo = (phone: string) => fake.messages.filter((r) => r.to === phone);

  /** A household whose first contact has had an alarm text about the customer; the second has not. */
  async function householdWithAlarmText() {
    const h = await f.household(2, { language: 'sv' });
    const opened = await f.post(h.panel, { eventId: `ba-${h.customer.n}`, code: 'BA', zone: '1' });
    expect(opened.status).toBe(202);
    await fake.waitFor(() => textsTo(h.contacts[0].phone).find((r) => !/STOP\.?$/.test(r.body)), 8000);
    expect((await f.act(opened.body.alarmId, { action: 'false_alarm' })).status).toBeLessThan(300);
    // The second contact is only reached after the first's wait; the alarm closed before that.
    const [second] = await t.query(`SELECT count(*)::int AS n FROM sms_message WHERE contact_id = $1 AND purpose = 'alarm_contact'`, [h.contacts[1].id]);
    expect(second.n).toBe(0);
    return h;
  }

  it('records the ground and the Art. 18(2) exception, and tells the contacts who had alarm texts about the customer (Art. 19)', async () => {
    const h = await householdWithAlarmText();
    const c = `/api/customers/${h.customer.id}`;
    const bad = await t.request('POST', `${c}/restriction`, { token: dpo, body: { ground: 'because' } });
    expect(bad.status).toBe(400);
    expect(String(bad.body.message)).toMatch(/ground must be one of accuracy_contested/);

    const res = await t.request('POST', `${c}/restriction`, { token: dpo, body: { ground: 'accuracy_contested' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: h.customer.id, restricted: true, ground: 'accuracy_contested', restrictedAt: expect.any(String) });
    expect(res.body.continued).toMatch(/alarm SMS .* Art\. 18\(2\)/);
    expect(res.body.recipientsInformed).toEqual([{ contactId: h.contacts[0].id, messageId: expect.any(String), status: expect.any(String) }]);

    // The notice reaches the contact, in the customer's language, with the policy link; nothing goes to the other contact.
    const notice = await fake.waitFor(() => textsTo(h.contacts[0].phone).find((r) => /art\. 18/.test(r.body)));
    expect(notice.body).toContain('har begränsat hur vi får använda sina uppgifter');
    expect(notice.body).toContain('Du får fortfarande larm-sms');
    expect(notice.body).toContain(`${PUBLIC}/privacy?lang=sv`);
    expect(textsTo(h.contacts[1].phone).filter((r) => /art\. 18/.test(r.body))).toEqual([]);
    const [row] = await t.query(`SELECT ground, continued FROM restriction WHERE subject_id = $1 AND lifted_at IS NULL`, [h.customer.id]);
    expect(row).toEqual({ ground: 'accuracy_contested', continued: res.body.continued });

    // The request's processing-log entry names the contact who was told.
    const [entry] = await t.query(
      `SELECT subject_ids::text[] AS s FROM processing_log WHERE operation = 'privacy.subject.restriction' AND subject_ids @> ARRAY[$1::uuid] ORDER BY seq DESC LIMIT 1`,
      [h.customer.id],
    );
    expect(entry.s).toEqual(expect.arrayContaining([h.customer.id, h.contacts[0].id]));
    expect(entry.s).not.toContain(h.contacts[1].id);

    // Asked again: the restriction in force, no second notice.
    const again = await t.request('POST', `${c}/restriction`, { token: dpo });
    expect(again.body).toMatchObject({ restricted: true, ground: 'accuracy_contested', restrictedAt: res.body.restrictedAt });
    expect(again.body.recipientsInformed).toEqual([
      { contactId: h.contacts[0].id, messageId: res.body.recipientsInformed[0].messageId, status: expect.stringMatching(/^(queued|sending|sent|delivered)$/) },
    ]);
    const [notices] = await t.query(`SELECT count(*)::int AS n FROM restriction_recipient WHERE contact_id = $1`, [h.contacts[0].id]);
    expect(notices.n).toBe(1);
  });

  it('keeps sending alarm texts to a restricted customer, as the policy says', async () => {
    const h = await f.household(0);
    expect((await t.request('POST', `/api/customers/${h.customer.id}/restriction`, { token: dpo })).status).toBe(200);
    const opened = await f.post(h.panel, { eventId: `ba-r-${h.customer.n}`, code: 'BA', zone: '2' });
    expect(opened.status).toBe(202);
    await fake.waitFor(() => textsTo(h.customer.phone)[0]);
    const [sms] = await t.query(`SELECT status FROM sms_message WHERE alarm_id = $1 AND purpose = 'alarm_owner'`, [opened.body.alarmId]);
    expect(sms.status).not.toBe('refused');
    await f.act(opened.body.alarmId, { action: 'false_alarm' });
    for (const lang of ['sv', 'nb', 'en']) {
      const page = await t.request('GET', `/privacy?lang=${lang}`);
      expect(page.text).toMatch(
        { sv: /larm-sms fortfarande skickas.*art\. 18\.2/, nb: /alarm-SMS fortsatt sendes.*art\. 18 nr\. 2/, en: /alarm texts still go out.*Art\. 18\(2\)/ }[
          lang
        ]!,
      );
    }
  });

  it('lifts a restriction only once the person has been told (Art. 18(3))', async () => {
    const h = await f.household(1);
    const c = `/api/customers/${h.customer.id}`;
    const k = `${c}/contacts/${h.contacts[0].id}`;
    const restricted = await t.request('POST', `${c}/restriction`, { token: dpo });
    expect((await t.request('POST', `${k}/restriction`, { token: dpo, body: { ground: 'objection_pending' } })).body).toMatchObject({
      id: h.contacts[0].id,
      customerId: h.customer.id,
      restricted: true,
      ground: 'objection_pending',
      // Nobody outside the controller and its processor has the contact's data.
      recipientsInformed: [],
    });

    for (const path of [c, k]) {
      const refused = await t.request('DELETE', `${path}/restriction`, { token: dpo });
      expect(refused.status).toBe(409);
      expect(refused.body.message).toMatch(/must be told before the restriction is lifted \(Art\. 18\(3\)\).*notifiedAt/);
      const future = await t.request('DELETE', `${path}/restriction`, { token: dpo, body: { notifiedAt: new Date(Date.now() + 3600_000).toISOString() } });
      expect(future.status).toBe(400);
      expect(String(future.body.message)).toMatch(/notifiedAt must not be in the future/);
      const early = await t.request('DELETE', `${path}/restriction`, { token: dpo, body: { notifiedAt: '2020-01-01T00:00:00Z' } });
      expect(early.status).toBe(400);
      expect(String(early.body.message)).toMatch(/notifiedAt must not be before the restriction began/);
      expect((await t.request('DELETE', `${path}/restriction`, { token: dpo, body: { notifiedAt: 'yesterday' } })).status).toBe(400);
    }
    const [still] = await t.query(`SELECT c.restricted AS a, k.restricted AS b FROM customer c JOIN contact k ON k.customer_id = c.id WHERE c.id = $1`, [
      h.customer.id,
    ]);
    expect(still).toEqual({ a: true, b: true });

    const told = new Date(Date.parse(restricted.body.restrictedAt) + 1000).toISOString();
    const lifted = await t.request('DELETE', `${c}/restriction`, { token: dpo, body: { notifiedAt: told } });
    expect(lifted.status).toBe(200);
    expect(lifted.body).toMatchObject({ id: h.customer.id, restricted: false, liftNotifiedAt: told });
    expect((await t.request('DELETE', `${k}/restriction`, { token: dpo, body: { notifiedAt: new Date().toISOString() } })).body).toMatchObject({
      restricted: false,
    });
    const rows = await t.query(
      `SELECT subject_type, lift_notified_at IS NOT NULL AND lifted_at IS NOT NULL AS done FROM restriction WHERE customer_id = $1 ORDER BY subject_type`,
      [h.customer.id],
    );
    expect(rows).toEqual([
      { subject_type: 'contact', done: true },
      { subject_type: 'customer', done: true },
    ]);
    // The export shows both restrictions, with the ground and when the person was told (Art. 15).
    const exported = await t.request('GET', `${k}/export`, { token: dpo });
    expect(exported.body.restrictions).toEqual([
      expect.objectContaining({
        ground: 'objection_pending',
        continued: expect.stringMatching(/Art\. 18\(2\)/),
        liftNotifiedAt: expect.any(String),
        liftedAt: expect.any(String),
      }),
    ]);
    expect((await t.request('GET', `${c}/export`, { token: dpo })).body.restrictions).toEqual([
      expect.objectContaining({ ground: null, restrictedAt: restricted.body.restrictedAt, liftNotifiedAt: told, recipientsInformed: [] }),
    ]);
    // Nothing restricted: lifting again needs no notice and changes nothing.
    expect((await t.request('DELETE', `${c}/restriction`, { token: dpo })).body).toMatchObject({ restricted: false });
  });
});

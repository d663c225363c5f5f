import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlarmFixtures, customerBody, mobile, replyCodeIn } from './support/alarm-fixtures.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { createTestAppOnTwilio, type TestApp } from './support/test-app.js';

const PUBLIC = 'https://alarm.example.test';
const WEB = 'Anna (pay fee at https://evil.example/p)';
/** What a phone would make a link of: a scheme, or a host name (dotted labels ending in letters). */
const LINK = /:\/\/|[\p{L}\p{N}-][.\u3002\uFF0E\uFF61][\p{L}]{2,}/u;
const INVISIBLE = /[\p{C}\p{Zl}\p{Zp}]/u;

/**
 * Text other people receive as if from us: the names and addresses operators type, and the zones
 * panels send, never bring a second line, a bidi override or a link into an SMS.
 */
describe('text placed in SMS to other people', () => {
  let t: TestApp;
  let fake: FakeTwilio;
  let f: AlarmFixtures;

  beforeAll(async () => {
    fake = await new FakeTwilio().start();
    t = await createTestAppOnTwilio(fake, PUBLIC, { SMS_RATE_PER_SECOND: '1000', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
    f = await AlarmFixtures.create(t, 7000);
    await f.setWaits('burglary', 1, 1);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  const smsTo = (phone: string) => fake.messages.filter((r) => r.to === phone);

  describe('operator input is refused with 400 naming the field', () => {
    const create = (body: object) => t.request('POST', '/api/customers', { token: f.tokens.operator, body });

    it('a customer name with a web address', async () => {
      const res = await create(customerBody(1, { name: WEB }));
      expect(res.status).toBe(400);
      expect(res.body.message).toEqual(['name must not contain a web address']);
    });

    it('a customer name with a line separator (U+2028) or a right-to-left override (U+202E)', async () => {
      for (const name of ['Anna\u2028Lind', 'Anna \u202EdniL']) {
        const res = await create(customerBody(2, { name }));
        expect(res.status).toBe(400);
        expect(res.body.message).toEqual([expect.stringMatching(/^name must be a single line/)]);
      }
    });

    it('an alarm address with a bidi override, named by its path', async () => {
      const res = await create(customerBody(3, { alarmAddress: { street: 'Storgatan 1\u202E', postalCode: '114 55', city: 'Stockholm', country: 'SE' } }));
      expect(res.status).toBe(400);
      expect(res.body.message).toEqual([expect.stringMatching(/^alarmAddress\.street must be a single line/)]);
    });

    it('a web address in a name given later, or in a contact name', async () => {
      const { id } = await f.customer();
      const patch = await t.request('PATCH', `/api/customers/${id}`, { token: f.tokens.operator, body: { name: WEB } });
      expect(patch.status).toBe(400);
      expect(patch.body.message).toEqual(['name must not contain a web address']);
      const contact = await t.request('POST', `/api/customers/${id}/contacts`, {
        token: f.tokens.operator,
        body: { name: 'Erik www.evil.example', phone: mobile(7900) },
      });
      expect(contact.status).toBe(400);
      expect(contact.body.message).toEqual(['name must not contain a web address']);
    });

    it('still takes Nordic names, hyphens, apostrophes and initials', async () => {
      for (const name of ['Åsa-Märta Øyvindsdotter', "Ærø O'Brien", 'J.R.R. Lind']) {
        const res = await create(customerBody(4, { name }));
        expect([name, res.status]).toEqual([name, 201]);
      }
    });
  });

  it("a panel's zone with a line break and a web address is taken (202) and reaches the owner as one line without a link", async () => {
    const { customer, panel } = await f.household(0);
    const res = await f.post(panel, { eventId: 'zone-injection-1', code: 'BA', zone: '3\nhttps://evil.example' });
    expect(res.status).toBe(202);
    const owner = await fake.waitFor(() => smsTo(customer.phone)[0], 5000);
    expect(owner.body).toBe(
      `Keyholder: ALARM - burglary at Storgatan ${customer.n}, Stockholm (zone 3 https[:]//evil[.]example). Reply ${replyCodeIn(owner.body)} if you are handling it.`,
    );
    expect(owner.body).not.toMatch(INVISIBLE);
    expect(owner.body).not.toMatch(LINK);
    // Stored as one line too, for every other place the zone is shown.
    expect((await f.alarm(res.body.alarmId)).zone).toBe('3 https://evil.example');
    await f.act(res.body.alarmId, { action: 'false_alarm' });
  });

  it('a name stored before these checks still gives texts, with the web address and separators defused', async () => {
    const { customer, panel } = await f.household(0);
    await t.query(`UPDATE customer SET name = $1 WHERE id = $2`, [`${WEB}\u2028\u202E`, customer.id]);
    const contact = await f.contact(customer.id);

    const notice = await fake.waitFor(() => smsTo(contact.phone)[0], 5000);
    expect(notice.body).toContain('Anna (pay fee at https[:]//evil[.]example/p) has named you');
    expect(notice.body).not.toContain('evil.example');
    expect(notice.body.split('\n')).toHaveLength(2); // the STOP line is the only other line
    expect(notice.body).not.toMatch(/[\u2028\u2029\u202A-\u202E\u2066-\u2069]/);

    const res = await f.post(panel, { eventId: 'name-injection-1', code: 'BA', zone: '1' });
    expect(res.status).toBe(202);
    const alarm = await fake.waitFor(() => smsTo(contact.phone).find((m) => m.body.includes('ALARM')), 8000);
    expect(alarm.body).toContain("burglary at Anna (pay fee at https[:]//evil[.]example/p)'s");
    expect(alarm.body).not.toMatch(INVISIBLE);
    // The privacy link (the notice may not be delivered yet) is the only link it may carry.
    expect(alarm.body.replace(/ (?:Privacy|Om dina uppgifter|Personvern): \S+$/, '')).not.toMatch(LINK);
    await f.act(res.body.alarmId, { action: 'false_alarm' });
  });
});

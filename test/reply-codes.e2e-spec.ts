import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DataSource } from 'typeorm';
import { Clock } from '../src/common/clock.js';
import { allocateReplyCode, INSERT_REPLY_CODE, replyCodeValues } from '../src/escalation/reply-codes.js';
import { AlarmFixtures, mobile, replyCodeIn } from './support/alarm-fixtures.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { createTestAppOnTwilio, type TestApp } from './support/test-app.js';

const PUBLIC = 'https://alarm.example.test';

/**
 * Reply codes that cannot be guessed in a few tries: three random digits, different for every open
 * alarm texting one phone, and a sender number that texts five wrong codes has every code refused,
 * unchecked, for 15 minutes (the window is moved past with the app's Clock, not waited for).
 */
describe('reply codes', () => {
  let t: TestApp;
  let fake: FakeTwilio;
  let f: AlarmFixtures;

  beforeAll(async () => {
    fake = await new FakeTwilio().start();
    t = await createTestAppOnTwilio(fake, PUBLIC, { SMS_RATE_PER_SECOND: '1000' });
    f = await AlarmFixtures.create(t, 3000);
    // Long waits: the alarm stays with the owner while the test texts codes...
    await f.setWaits('burglary', 60, 60);
    // ...except where the test shows the escalation carrying on past a refused code.
    await f.setWaits('water', 2, 60);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  // Contacts also get their onboarding notice (which ends with the STOP line); alarm texts only.
  const alarmSmsTo = (phone: string) => fake.messages.filter((r) => r.to === phone && /ALARM/.test(r.body));
  const ownerCode = async (phone: string) => replyCodeIn((await fake.waitFor(() => alarmSmsTo(phone)[0], 5000)).body);
  const stageOf = async (alarmId: string) => (await f.alarm(alarmId)).stage as string;
  /** `n` three-digit codes that are not `right`. */
  const wrongCodes = (right: string, n: number) =>
    Array.from({ length: 900 }, (_, i) => String(100 + i))
      .filter((c) => c !== right)
      .slice(0, n);
  const refusedTotal = async () => Number(/^keyholder_reply_code_refused_total (\d+)$/m.exec((await t.request('GET', '/metrics')).text)?.[1] ?? 0);
  const WAIT_TEXT = 'Too many wrong codes from this number. Wait 15 min, then reply with the code from your latest alarm SMS.';

  describe('allocation', () => {
    let alarmId: string;
    let customerId: string;
    const ds = () => t.app.get(DataSource);
    const allocateAndKeep = (phone: string) =>
      ds().transaction(async (m) => {
        const code = await allocateReplyCode(phone, m);
        await m.query(INSERT_REPLY_CODE, replyCodeValues({ phone, code, alarmId, customerId, contactId: null, messageId: randomUUID() }));
        return code;
      });
    const hold = (phone: string, codes: number[], active: boolean) =>
      t.query(
        `INSERT INTO reply_code (phone, code, alarm_id, customer_id, message_id, active) SELECT $1, c, $2, $3, gen_random_uuid(), $4 FROM unnest($5::int[]) AS c`,
        [phone, alarmId, customerId, active, codes],
      );
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

    beforeAll(async () => {
      const { customer, panel } = await f.household(0);
      customerId = customer.id;
      alarmId = (await f.post(panel, { eventId: 'alloc-1', code: 'BA' })).body.alarmId;
    });

    it('gives 40 SMS texting one phone at once 40 different three-digit codes', async () => {
      const phone = mobile(3901);
      const codes = await Promise.all(Array.from({ length: 40 }, () => allocateAndKeep(phone)));
      expect(new Set(codes).size).toBe(40);
      for (const code of codes) expect(String(code)).toMatch(/^[1-9]\d\d$/);
    });

    it("gives five SMS at once the last five free codes of a phone, one each: allocation waits for the phone's lock", async () => {
      const phone = mobile(3906);
      const free = [123, 321, 456, 654, 789];
      await hold(
        phone,
        range(100, 999).filter((c) => !free.includes(c)),
        true,
      );
      const codes = await Promise.all(free.map(() => allocateAndKeep(phone)));
      expect(codes.sort()).toEqual(free);
    });

    it('avoids the codes the phone was sent in the last day while others are free', async () => {
      const phone = mobile(3902);
      await hold(phone, range(100, 998), false);
      expect(await allocateAndKeep(phone)).toBe(999);
    });

    it('takes the one free code when all others are held, and one above 999 when none is free', async () => {
      const phone = mobile(3903);
      await hold(
        phone,
        range(100, 999).filter((c) => c !== 555),
        true,
      );
      expect(await allocateAndKeep(phone)).toBe(555);
      expect(await allocateAndKeep(phone)).toBe(1000);
    });
  });

  it('does not acknowledge with the right code from another phone', async () => {
    const { customer, contacts, panel } = await f.household(1);
    const { alarmId } = (await f.post(panel, { eventId: 'other-phone-1', code: 'BA' })).body;
    const code = await ownerCode(customer.phone);
    for (const from of [contacts[0].phone, mobile(3904)]) {
      const reply = await fake.sendInbound({ from, body: code });
      // The contact's language is the customer's; the stranger's, their number's country's.
      expect(reply.text).toMatch(new RegExp(`<Message>Keyholder: (?:The code ${code} does not match|Koden ${code} hör inte till) `));
    }
    expect(await stageOf(alarmId)).toBe('owner');
    expect((await fake.sendInbound({ from: customer.phone, body: code })).text).toContain('is marked as handled by you.');
    await f.act(alarmId, { action: 'false_alarm' });
  });

  it('acknowledges with the right code after four wrong ones (the limit is five)', async () => {
    const { customer, panel } = await f.household(0);
    const { alarmId } = (await f.post(panel, { eventId: 'four-wrong-1', code: 'BA' })).body;
    const code = await ownerCode(customer.phone);
    for (const wrong of wrongCodes(code, 4)) await fake.sendInbound({ from: customer.phone, body: wrong });
    expect((await fake.sendInbound({ from: customer.phone, body: ` ${code}. ` })).text).toContain('is marked as handled by you.');
    expect(await stageOf(alarmId)).toBe('acknowledged');
    await f.act(alarmId, { action: 'false_alarm' });
  });

  it('refuses even the right code after five wrong ones, tells the number once to wait, and the escalation carries on; after the window the code works', async () => {
    const { customer, contacts, panel } = await f.household(1);
    const { alarmId } = (await f.post(panel, { eventId: 'five-wrong-1', code: 'WA' })).body;
    const code = await ownerCode(customer.phone);
    const refusedBefore = await refusedTotal();
    for (const wrong of wrongCodes(code, 5)) expect((await fake.sendInbound({ from: customer.phone, body: wrong })).status).toBe(200);

    const refused = await fake.sendInbound({ from: customer.phone, body: code });
    expect(refused.text).toContain(`<Message>Keyholder: ${WAIT_TEXT}</Message>`);
    const again = await fake.sendInbound({ from: customer.phone, body: code });
    expect(again.text).not.toContain('<Message>');
    expect(await stageOf(alarmId)).not.toBe('acknowledged');
    expect((await refusedTotal()) - refusedBefore).toBe(2);

    // Not acknowledged: the contact is texted when the owner's wait is over.
    await fake.waitFor(() => alarmSmsTo(contacts[0].phone)[0], 8000);
    expect(await stageOf(alarmId)).toBe('contacts');
    // Every text was stored as received; one reply said to wait.
    const inbound = await t.query(`SELECT status FROM sms_message WHERE from_phone = $1 AND direction = 'inbound'`, [customer.phone]);
    expect(inbound).toHaveLength(7);
    expect(inbound.every((r) => r.status === 'received')).toBe(true);
    const waits = await t.query(`SELECT body FROM sms_message WHERE to_phone = $1 AND reply_kind = 'code_wait'`, [customer.phone]);
    expect(waits).toEqual([{ body: `Keyholder: ${WAIT_TEXT}` }]);

    const clock = t.app.get(Clock);
    const later = jest.spyOn(clock, 'now').mockImplementation(() => new Date(Date.now() + 15 * 60_000 + 1000));
    try {
      expect((await fake.sendInbound({ from: customer.phone, body: code })).text).toContain('is marked as handled by you.');
    } finally {
      later.mockRestore();
    }
    expect(await f.alarm(alarmId)).toMatchObject({ stage: 'acknowledged', acknowledgedBy: { type: 'owner', via: 'reply_code' } });
    await f.act(alarmId, { action: 'false_alarm' });
  });

  it('counts parallel wrong codes from one number one after another: five are checked, the rest refused', async () => {
    const phone = mobile(3905);
    const refusedBefore = await refusedTotal();
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => fake.sendInbound({ from: phone, body: String(200 + i) })));
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
    expect(await t.query(`SELECT wrong_codes FROM reply_code_guess WHERE phone = $1`, [phone])).toEqual([{ wrong_codes: 5 }]);
    expect((await refusedTotal()) - refusedBefore).toBe(7);
    expect(answers.filter((a) => a.text.includes('Vänta 15 min'))).toHaveLength(1);
  });
});

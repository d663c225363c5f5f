import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ContactNoticeRetries } from '../src/contacts/contact-notice-retries.js';
import { Clock } from '../src/common/clock.js';
import { SmsOutbox } from '../src/sms/sms-outbox.js';
import { waitUntil } from './support/alarm-fixtures.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { createTestApp, createTestAppOnTwilio, type TestApp } from './support/test-app.js';

const PUBLIC = 'https://alarm.example.test';
const mobile = (n: number) => `+4670310${String(n).padStart(4, '0')}`;
const MINUTE = 60_000;

/**
 * A contact's onboarding notice whose SMS failed is sent again with backoff until delivered or
 * given up, and the operator sees which contacts were never informed. Time is moved with the app's
 * Clock (the backoff is minutes to days); delivery reports are Twilio status callbacks signed with
 * the SDK's own algorithm.
 */
describe('onboarding notice retries', () => {
  let t: TestApp;
  let fake: FakeTwilio;
  let operator: string;
  let dpo: string;
  let n = 0;
  let env: Record<string, string>;

  beforeAll(async () => {
    fake = await new FakeTwilio().start();
    env = fake.env(PUBLIC, { SMS_RATE_PER_SECOND: '1000', ENCRYPTION_KEY: randomBytes(32).toString('hex') });
    t = await createTestApp(env);
    fake.connect({ baseUrl: t.baseUrl, publicBaseUrl: PUBLIC });
    [operator, dpo] = await Promise.all([t.tokenFor('operator'), t.tokenFor('dpo')]);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  const customer = async () => {
    const res = await t.request('POST', '/api/customers', {
      token: operator,
      body: {
        name: 'Karin Holm',
        phone: mobile(++n),
        language: 'sv',
        alarmAddress: { street: 'Storgatan 1', postalCode: '114 55', city: 'Stockholm', country: 'SE' },
      },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const addContact = async (customerId: string) => {
    const res = await t.request('POST', `/api/customers/${customerId}/contacts`, { token: operator, body: { name: 'Bo Berg', phone: mobile(++n) } });
    expect(res.status).toBe(201);
    return res.body as { id: string; phone: string };
  };
  /** Each instance signs its own tokens. */
  const tokens = new Map<TestApp, string>();
  const noticeOf = async (customerId: string, contactId: string, app = t) => {
    const res = await app.request('GET', `/api/customers/${customerId}/contacts`, { token: tokens.get(app) ?? operator });
    expect(res.status).toBe(200);
    return res.body.items.find((c: { id: string }) => c.id === contactId).notice;
  };
  const smsTo = (phone: string) => fake.messages.filter((r) => r.to === phone);
  const nthSmsTo = (phone: string, count: number) => fake.waitFor(() => smsTo(phone).length >= count && smsTo(phone)[count - 1]);
  /** The notice as it stands once the failure reported by a callback has been scheduled or given up. */
  const settledNotice = (customerId: string, contactId: string, status: string, app = t) =>
    waitUntil(
      async () => {
        const notice = await noticeOf(customerId, contactId, app);
        return notice.status === status && (status !== 'retrying' || notice.nextAttemptAt) && notice;
      },
      8000,
      `notice ${status}`,
    );
  /** Runs the retry check as if the app's clock read `ms` later than now. */
  const checkLater = async (ms: number, app = t) => {
    const clock = app.app.get(Clock);
    const at = Date.now() + ms;
    const later = jest.spyOn(clock, 'now').mockImplementation(() => new Date(at));
    try {
      return await app.app.get(ContactNoticeRetries).check();
    } finally {
      later.mockRestore();
    }
  };
  const settle = () => t.app.get(SmsOutbox).idle();
  const noticeLog = async (contactId: string) => {
    const log = await t.request('GET', `/api/privacy/processing-log?subjectId=${contactId}`, { token: dpo });
    return log.body.items.filter((e: { operation: string }) => e.operation === 'sms.send.contact_notice');
  };

  it('retries an undelivered notice after the backoff, not before, and stops once one is delivered', async () => {
    const customerId = await customer();
    const contact = await addContact(customerId);
    const first = await nthSmsTo(contact.phone, 1);
    await settle();
    const before = Date.now();
    expect((await fake.sendStatus(first, 'undelivered', { ErrorCode: '30003' })).status).toBe(204);

    const retrying = await settledNotice(customerId, contact.id, 'retrying');
    expect(retrying).toMatchObject({ attempts: 1, lastError: '30003', failedReason: null });
    const due = Date.parse(retrying.nextAttemptAt);
    expect(due).toBeGreaterThanOrEqual(before + 5 * MINUTE);
    expect(due).toBeLessThan(Date.now() + 5 * MINUTE + 1000);

    // Four minutes on: not yet.
    expect(await checkLater(4 * MINUTE)).toBe(0);
    await settle();
    expect(smsTo(contact.phone)).toHaveLength(1);

    // Past the five minutes: a second notice, in the processing log as the first is.
    expect(await checkLater(5 * MINUTE + 2000)).toBe(1);
    const second = await nthSmsTo(contact.phone, 2);
    expect(second.body).toBe(first.body);
    await settle();
    expect(await noticeOf(customerId, contact.id)).toMatchObject({ status: 'sent', attempts: 2, nextAttemptAt: null });
    expect(await noticeLog(contact.id)).toHaveLength(2);

    // Delivered: never sent again, however much later.
    expect((await fake.sendStatus(second, 'delivered')).status).toBe(204);
    await settledNotice(customerId, contact.id, 'delivered');
    expect(await checkLater(40 * 24 * 60 * MINUTE)).toBe(0);
    await settle();
    expect(smsTo(contact.phone)).toHaveLength(2);
    expect(await noticeOf(customerId, contact.id)).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('backs off longer after each failure', async () => {
    const customerId = await customer();
    const contact = await addContact(customerId);
    const first = await nthSmsTo(contact.phone, 1);
    await settle();
    await fake.sendStatus(first, 'failed', { ErrorCode: '30008' });
    expect(await settledNotice(customerId, contact.id, 'retrying')).toMatchObject({ attempts: 1, lastError: '30008' });

    expect(await checkLater(5 * MINUTE + 2000)).toBe(1);
    const second = await nthSmsTo(contact.phone, 2);
    await settle();
    await fake.sendStatus(second, 'undelivered', { ErrorCode: '30003' });
    const again = await settledNotice(customerId, contact.id, 'retrying');
    expect(again).toMatchObject({ attempts: 2, lastError: '30003' });
    // The second wait is 30 minutes.
    expect(Date.parse(again.nextAttemptAt) - Date.now()).toBeGreaterThan(29 * MINUTE);
    expect(await checkLater(20 * MINUTE)).toBe(0);
    expect(await checkLater(31 * MINUTE)).toBe(1);
    await nthSmsTo(contact.phone, 3);
    await settle();
    expect(await noticeLog(contact.id)).toHaveLength(3);
  });

  it('gives up at once when the provider refuses the number', async () => {
    const customerId = await customer();
    fake.failNext(1, 'permanent');
    const contact = await addContact(customerId);
    expect(await settledNotice(customerId, contact.id, 'failed')).toMatchObject({ attempts: 1, lastError: '21211', failedReason: 'number_cannot_receive' });
    expect(await checkLater(24 * 60 * MINUTE)).toBe(0);
    await settle();
    expect(smsTo(contact.phone)).toHaveLength(0);
  });

  it('gives up on a number that cannot receive SMS and shows the contact as never informed; a corrected number gets a new notice', async () => {
    const customerId = await customer();
    const contact = await addContact(customerId);
    const first = await nthSmsTo(contact.phone, 1);
    await settle();
    await fake.sendStatus(first, 'undelivered', { ErrorCode: '30005' });
    const failed = await settledNotice(customerId, contact.id, 'failed');
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, lastError: '30005', failedReason: 'number_cannot_receive', nextAttemptAt: null });
    expect(await checkLater(2 * 24 * 60 * MINUTE)).toBe(0);
    await settle();
    expect(smsTo(contact.phone)).toHaveLength(1);

    // The operator corrects the number: a new notice to it.
    const corrected = mobile(++n);
    const moved = await t.request('PATCH', `/api/customers/${customerId}/contacts/${contact.id}`, { token: operator, body: { phone: corrected } });
    expect(moved.status).toBe(200);
    expect(moved.body.notice).toMatchObject({ attempts: 1, lastError: null, failedReason: null });
    await nthSmsTo(corrected, 1);

    // Back to the first number (it was right after all: the handset is fixed): its notice starts again.
    const back = await t.request('PATCH', `/api/customers/${customerId}/contacts/${contact.id}`, { token: operator, body: { phone: contact.phone } });
    expect(back.status).toBe(200);
    expect(back.body.notice).toMatchObject({ attempts: 1, failedReason: null });
    await nthSmsTo(contact.phone, 2);
    await settle();
    expect(await noticeLog(contact.id)).toHaveLength(3);
  });

  it('lets an operator send a given-up notice again to the same number, and only one given up', async () => {
    const customerId = await customer();
    const contact = await addContact(customerId);
    const path = `/api/customers/${customerId}/contacts/${contact.id}/notice`;
    const first = await nthSmsTo(contact.phone, 1);
    await settle();
    // On its way: nothing to send again.
    expect((await t.request('POST', path, { token: operator })).body).toMatchObject({ statusCode: 409, code: 'notice_not_given_up' });

    for (let attempt = 1; ; attempt++) {
      // A phone off for a long time: every attempt undelivered, until the budget is spent.
      const sms = attempt === 1 ? first : await nthSmsTo(contact.phone, attempt);
      await settle();
      await fake.sendStatus(sms, 'undelivered', { ErrorCode: '30003' });
      const notice = await waitUntil(
        async () => {
          const n = await noticeOf(customerId, contact.id);
          return n.attempts === attempt && (n.nextAttemptAt || n.failedReason) && n;
        },
        8000,
        `attempt ${attempt} settled`,
      );
      if (notice.failedReason) {
        expect(notice).toMatchObject({ status: 'failed', failedReason: 'attempts_exhausted', attempts: 10, lastError: '30003' });
        break;
      }
      expect(await checkLater(Date.parse(notice.nextAttemptAt) - Date.now() + 1000)).toBeGreaterThanOrEqual(1);
    }
    expect(smsTo(contact.phone)).toHaveLength(10);
    expect((await t.request('POST', path, { token: dpo })).status).toBe(403);

    const resent = await t.request('POST', path, { token: operator });
    expect(resent.status).toBe(200);
    expect(resent.body.notice).toMatchObject({ attempts: 1, failedReason: null, lastError: null });
    await nthSmsTo(contact.phone, 11);
    await settle();
    expect(await noticeLog(contact.id)).toHaveLength(11);
    expect((await t.request('POST', path, { token: operator })).status).toBe(409);
  });

  it('gives up when the contact said STOP before the retry, without texting them', async () => {
    const customerId = await customer();
    const contact = await addContact(customerId);
    const first = await nthSmsTo(contact.phone, 1);
    await settle();
    await fake.sendStatus(first, 'undelivered', { ErrorCode: '30003' });
    await settledNotice(customerId, contact.id, 'retrying');
    expect((await fake.sendInbound({ from: contact.phone, body: 'STOP' })).status).toBe(200);

    await checkLater(6 * MINUTE);
    await settle();
    // The contact is now opted out, and the list shows the notice given up and why.
    const list = await t.request('GET', `/api/customers/${customerId}/contacts`, { token: operator });
    const shown = list.body.items.find((c: { id: string }) => c.id === contact.id);
    expect(shown.status).toBe('opted_out');
    expect(shown.notice).toMatchObject({ status: 'failed', failedReason: 'opted_out', attempts: 2 });
    expect(smsTo(contact.phone)).toHaveLength(1);
  });

  it('lists the contacts never informed for the operators: given up first, then those being retried; not the delivered or those who said STOP', async () => {
    const customerId = await customer();
    const [dead, flaky, fine, objector] = [
      await addContact(customerId),
      await addContact(customerId),
      await addContact(customerId),
      await addContact(customerId),
    ];
    const sms = await Promise.all([dead, flaky, fine, objector].map((c) => nthSmsTo(c.phone, 1)));
    await settle();
    await fake.sendStatus(sms[0], 'undelivered', { ErrorCode: '30006' });
    await fake.sendStatus(sms[1], 'undelivered', { ErrorCode: '30003' });
    await fake.sendStatus(sms[2], 'delivered');
    await fake.sendStatus(sms[3], 'undelivered', { ErrorCode: '21610' });
    await settledNotice(customerId, dead.id, 'failed');
    await settledNotice(customerId, flaky.id, 'retrying');
    await settledNotice(customerId, objector.id, 'failed');

    const res = await t.request('GET', '/api/contacts/uninformed', { token: operator });
    expect(res.status).toBe(200);
    const mine = res.body.items.filter((c: { customerId: string }) => c.customerId === customerId);
    expect(mine).toEqual([
      {
        id: dead.id,
        customerId,
        customerName: 'Karin Holm',
        name: 'Bo Berg',
        phone: dead.phone,
        notice: expect.objectContaining({ status: 'failed', failedReason: 'number_cannot_receive', lastError: '30006' }),
      },
      {
        id: flaky.id,
        customerId,
        customerName: 'Karin Holm',
        name: 'Bo Berg',
        phone: flaky.phone,
        notice: expect.objectContaining({ status: 'retrying', lastError: '30003' }),
      },
    ]);
    expect(res.body.total).toBeGreaterThanOrEqual(2);
    // Given up ones come before any being retried.
    const statuses = res.body.items.map((c: { notice: { status: string } }) => c.notice.status);
    expect(statuses.indexOf('retrying') === -1 || statuses.lastIndexOf('failed') < statuses.indexOf('retrying')).toBe(true);
    expect((await t.request('GET', '/api/contacts/uninformed?limit=0', { token: operator })).status).toBe(400);
    // Who said no to the provider is not sent it again, not even on an operator's request.
    const again = await t.request('POST', `/api/customers/${customerId}/contacts/${objector.id}/notice`, { token: operator });
    expect(again.body).toMatchObject({ statusCode: 409, code: 'contact_opted_out' });
  });

  it('still retries after a restart mid-backoff (the schedule is in the database)', async () => {
    // A second instance on the same database adds the contact and hears of the failure, then stops.
    const other = await createTestApp(env, { databaseUrl: t.databaseUrl });
    fake.connect({ baseUrl: other.baseUrl, publicBaseUrl: PUBLIC });
    const otherOperator = await other.login('operator@test.local', 'operator-password-123');
    tokens.set(other, otherOperator);
    let contact: { id: string; phone: string };
    let customerId: string;
    try {
      const res = await other.request('POST', '/api/customers', {
        token: otherOperator,
        body: {
          name: 'Lars Ek',
          phone: mobile(++n),
          language: 'sv',
          alarmAddress: { street: 'Storgatan 2', postalCode: '114 55', city: 'Stockholm', country: 'SE' },
        },
      });
      expect(res.status).toBe(201);
      customerId = res.body.id;
      const added = await other.request('POST', `/api/customers/${customerId}/contacts`, {
        token: otherOperator,
        body: { name: 'Eva Ek', phone: mobile(++n) },
      });
      expect(added.status).toBe(201);
      contact = added.body;
      const first = await nthSmsTo(contact.phone, 1);
      await other.app.get(SmsOutbox).idle();
      await fake.sendStatus(first, 'undelivered', { ErrorCode: '30003' });
      await settledNotice(customerId, contact.id, 'retrying', other);
    } finally {
      await other.close();
      fake.connect({ baseUrl: t.baseUrl, publicBaseUrl: PUBLIC });
    }

    // This instance was not told of the failure; the database tells it when the retry is due (other
    // tests' notices being retried may be due too).
    expect(await checkLater(6 * MINUTE)).toBeGreaterThanOrEqual(1);
    const second = await nthSmsTo(contact.phone, 2);
    expect(second.to).toBe(contact.phone);
    await settle();
    expect(await noticeOf(customerId, contact.id)).toMatchObject({ attempts: 2 });
  });
});

describe('onboarding notice retries and the daily SMS cap', () => {
  let t: TestApp;
  let fake: FakeTwilio;

  beforeAll(async () => {
    fake = await new FakeTwilio().start();
    // Room for one notice a day in the whole central: the first one.
    t = await createTestAppOnTwilio(fake, PUBLIC, { SMS_RATE_PER_SECOND: '1000', SMS_DAILY_CAP: '1' });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  it('holds a due retry back while the central cap is reached: nothing is sent, and it stays due', async () => {
    const operator = await t.tokenFor('operator');
    const customer = await t.request('POST', '/api/customers', {
      token: operator,
      body: {
        name: 'Maja Ek',
        phone: '+46703200001',
        language: 'sv',
        alarmAddress: { street: 'Storgatan 3', postalCode: '114 55', city: 'Stockholm', country: 'SE' },
      },
    });
    const added = await t.request('POST', `/api/customers/${customer.body.id}/contacts`, { token: operator, body: { name: 'Olle Ek', phone: '+46703200002' } });
    expect(added.status).toBe(201);
    const first = await fake.waitFor(() => fake.messages.find((r) => r.to === '+46703200002'));
    await t.app.get(SmsOutbox).idle();
    await fake.sendStatus(first, 'undelivered', { ErrorCode: '30003' });
    const notice = async () => (await t.request('GET', `/api/customers/${customer.body.id}/contacts/${added.body.id}`, { token: operator })).body.notice;
    await waitUntil(async () => (await notice()).nextAttemptAt, 8000, 'retry scheduled');

    const clock = t.app.get(Clock);
    const later = jest.spyOn(clock, 'now').mockImplementation(() => new Date(Date.now() + 6 * MINUTE));
    try {
      expect(await t.app.get(ContactNoticeRetries).check()).toBe(0);
    } finally {
      later.mockRestore();
    }
    await t.app.get(SmsOutbox).idle();
    expect(fake.messages.filter((r) => r.to === '+46703200002')).toHaveLength(1);
    expect(await notice()).toMatchObject({ status: 'retrying', attempts: 1, nextAttemptAt: expect.any(String) });
    expect(await t.query(`SELECT count(*)::int AS n FROM sms_message WHERE contact_id = $1`, [added.body.id])).toEqual([{ n: 1 }]);
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SmsStatusChange } from '../src/sms/sms-delivery-status.js';
import { SmsOutbox } from '../src/sms/sms-outbox.js';
import { SmsSweeper } from '../src/sms/sms-sweeper.js';
import { waitUntil } from './support/alarm-fixtures.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { createTestAppOnTwilio, type TestApp } from './support/test-app.js';

const PUBLIC = 'https://alarm.example.test';
let phoneSeq = Math.floor(Math.random() * 1_000_000);
const newPhone = () => `+4671${String(phoneSeq++ % 10_000_000).padStart(7, '0')}`;
const ADDRESS = JSON.stringify({ street: 'Storgatan 1', postalCode: '11122', city: 'Stockholm', country: 'SE' });
/** The app's Twilio calls give up after 10 s; then the first retry waits about half a second. */
const AFTER_A_TIMEOUT_MS = 15_000;

/**
 * A send that got no answer may have reached the provider anyway (some process a timed-out request
 * late). Before sending such a message again the outbox asks Twilio for it: one text, never three.
 */
describe('SMS after a send without an answer (a local fake Twilio, the real SDK)', () => {
  let t: TestApp;
  let fake: FakeTwilio;
  let outbox: SmsOutbox;
  const changes: SmsStatusChange[] = [];

  beforeAll(async () => {
    fake = await new FakeTwilio().start();
    t = await createTestAppOnTwilio(fake, PUBLIC, { SMS_RATE_PER_SECOND: '1000' });
    outbox = t.app.get(SmsOutbox);
    outbox.statusChanges$.subscribe((c) => changes.push(c));
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  const ownerSms = async () => {
    const phone = newPhone();
    const [customer] = await t.query(`INSERT INTO customer (name, phone, language, alarm_address) VALUES ('Anna Andersson', $1, 'sv', $2) RETURNING id`, [
      phone,
      ADDRESS,
    ]);
    return { purpose: 'alarm_owner' as const, to: phone, body: `Larm ${randomUUID()}`, customerId: customer.id as string, alarmId: randomUUID() };
  };
  const row = async (id: string) => (await t.query(`SELECT * FROM sms_message WHERE id = $1`, [id]))[0];
  const settled = (id: string, timeoutMs = 5000) =>
    waitUntil(async () => {
      const r = await row(id);
      return r.status !== 'queued' && r.status !== 'sending' && r;
    }, timeoutMs);
  const listsTo = (phone: string) => fake.listRequests.filter((l) => l.to === phone);
  /** A row as a crashed instance leaves it: claimed, its deadline passed, no answer recorded. */
  const leftBySenderThatDied = async (sms: Awaited<ReturnType<typeof ownerSms>>) => {
    const [r] = await t.query(
      `INSERT INTO sms_message (direction, to_phone, from_phone, body, purpose, legal_basis, alarm_id, customer_id, status, priority, attempts, claimed_until)
       VALUES ('outbound', $1, '+46700000001', $2, 'alarm_owner', 'contract', $3, $4, 'sending', 100, 1, now() - interval '1 second') RETURNING id`,
      [sms.to, sms.body, sms.alarmId, sms.customerId],
    );
    return r.id as string;
  };

  it('records a message the provider took without answering as sent, with its SID, and sends it only once', async () => {
    fake.failNext(1, 'accept-then-hang');
    const sms = await ownerSms();
    const { id } = await outbox.enqueue(sms);
    const done = await settled(id, AFTER_A_TIMEOUT_MS);

    const [stored] = fake.messages.filter((m) => m.body === sms.body);
    expect(fake.messages.filter((m) => m.body === sms.body)).toHaveLength(1);
    expect(stored.outcome).toBe('accepted-unanswered');
    expect(done).toMatchObject({ status: 'sent', provider_id: stored.sid, attempts: 2, error_code: 'ETIMEDOUT' });
    expect(done.sent_at).toBeInstanceOf(Date);
    expect(listsTo(sms.to)).toHaveLength(1);
    // The check asked for what was sent since the message was queued, a minute earlier for clock skew.
    const since = Date.parse(listsTo(sms.to)[0].dateSentAfter!);
    expect(new Date(done.created_at).getTime() - since).toBeGreaterThanOrEqual(60_000);
    expect(new Date(done.created_at).getTime() - since).toBeLessThan(61_000);
    await new Promise((r) => setTimeout(r, 700)); // longer than a retry would wait
    expect(fake.requestsFor(sms.body)).toHaveLength(1);
    // The hand-over is the ordinary one, so escalation starts the owner's wait from it.
    expect(changes.filter((c) => c.messageId === id).map((c) => `${c.previous}->${c.status}`)).toEqual([
      'queued->sending',
      'sending->queued',
      'queued->sending',
      'sending->sent',
    ]);
    expect(changes.find((c) => c.messageId === id && c.status === 'sent')).toMatchObject({ providerId: stored.sid });
  });

  it('sends once after a timeout the provider did not act on: the retry checks, finds nothing, sends', async () => {
    fake.failNext(1, 'timeout');
    const sms = await ownerSms();
    const { id } = await outbox.enqueue(sms);
    const done = await settled(id, AFTER_A_TIMEOUT_MS);

    expect(fake.requestsFor(sms.body).map((r) => r.outcome)).toEqual(['timeout', 201]);
    const [, sent] = fake.requestsFor(sms.body);
    expect(done).toMatchObject({ status: 'sent', provider_id: sent.sid, attempts: 2 });
    expect(listsTo(sms.to)).toHaveLength(1);
    expect(listsTo(sms.to)[0].at).toBeLessThan(sent.at); // asked before sending again
  });

  it('does not send while the provider cannot say whether it has the message; asks again on the next attempt', async () => {
    fake.failNext(1, 'reset'); // a dropped connection: the request may have got through
    fake.failNextList(1, 500);
    const sms = await ownerSms();
    const { id } = await outbox.enqueue(sms);
    const done = await settled(id, 10_000);

    expect(fake.requestsFor(sms.body).map((r) => r.outcome)).toEqual(['reset', 201]);
    expect(listsTo(sms.to).map((l) => l.outcome)).toEqual([500, 200]);
    expect(done).toMatchObject({ status: 'sent', provider_id: fake.requestsFor(sms.body)[1].sid, attempts: 3 });
    const requeued = changes.filter((c) => c.messageId === id && c.status === 'queued');
    // The failed check keeps the reason to check: the send's own code, not the check's.
    expect(requeued.map((c) => c.errorCode)).toEqual(['ECONNRESET', 'ECONNRESET']);
  });

  it('records a message whose sender died mid-send as sent, without sending it again, when the provider has it', async () => {
    const sms = await ownerSms();
    // The crashed instance's request did reach Twilio: the fake holds it, unanswered.
    fake.failNext(1, 'accept-then-hang');
    await fetch(`${fake.url}/2010-04-01/Accounts/${fake.accountSid}/Messages.json`, {
      method: 'POST',
      headers: {
        authorization: 'Basic ' + Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64'),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ To: sms.to, From: '+46700000001', Body: sms.body }).toString(),
      signal: AbortSignal.timeout(200),
    }).catch(() => undefined);
    const [stored] = await fake.waitFor(
      () => fake.messages.filter((m) => m.body === sms.body).length === 1 && fake.messages.filter((m) => m.body === sms.body),
    );
    const id = await leftBySenderThatDied(sms);

    await t.app.get(SmsSweeper).sweep();
    const done = await settled(id);
    expect(done).toMatchObject({ status: 'sent', provider_id: stored.sid, error_code: 'outcome_unknown', attempts: 2 });
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.requestsFor(sms.body)).toHaveLength(1);
  });

  it('does not take another message’s SID for its own, though the text and number are the same', async () => {
    const sms = await ownerSms();
    // An earlier message with the very same text to the same number, sent and recorded normally.
    const first = await outbox.enqueue(sms);
    const firstRow = await settled(first.id);
    expect(firstRow.status).toBe('sent');
    const id = await leftBySenderThatDied(sms);
    await t.app.get(SmsSweeper).sweep();
    const done = await settled(id);

    const sent = fake.requestsFor(sms.body);
    expect(sent).toHaveLength(2);
    expect(done).toMatchObject({ status: 'sent', provider_id: sent[1].sid });
    expect(sent[1].sid).not.toBe(firstRow.provider_id);
  });
});

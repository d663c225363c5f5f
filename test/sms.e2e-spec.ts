import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory.js';
import type { SmsStatusChange } from '../src/sms/sms-delivery-status.js';
import { SmsDispatcher } from '../src/sms/sms-dispatcher.js';
import { SmsOutbox } from '../src/sms/sms-outbox.js';
import { SmsSweeper } from '../src/sms/sms-sweeper.js';
import { SmsSender } from '../src/sms/sms-sender.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { createTestApp, createTestAppOnTwilio, type TestApp } from './support/test-app.js';

const PUBLIC = 'https://alarm.example.test';
let phoneSeq = Math.floor(Math.random() * 1_000_000);
const newPhone = () => `+4670${String(phoneSeq++ % 10_000_000).padStart(7, '0')}`;
const ADDRESS = JSON.stringify({ street: 'Storgatan 1', postalCode: '11122', city: 'Stockholm', country: 'SE' });

async function addCustomer(t: TestApp, phone: string, o: { restricted?: boolean; ended?: boolean; language?: string } = {}): Promise<string> {
  const [row] = await t.query(
    `INSERT INTO customer (name, phone, language, alarm_address, restricted, ended_at)
     VALUES ('Anna Andersson', $1, $2, $3, $4, CASE WHEN $5 THEN now() END) RETURNING id`,
    [phone, o.language ?? 'sv', ADDRESS, o.restricted ?? false, o.ended ?? false],
  );
  return row.id;
}

async function addContact(t: TestApp, customerId: string, phone: string, o: { restricted?: boolean; ended?: boolean } = {}): Promise<string> {
  const [row] = await t.query(
    `INSERT INTO contact (customer_id, name, phone, priority, restricted, ended_at)
     VALUES ($1, 'Bo Berg', $2, 1, $3, CASE WHEN $4 THEN now() END) RETURNING id`,
    [customerId, phone, o.restricted ?? false, o.ended ?? false],
  );
  return row.id;
}

async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const messageRow = async (t: TestApp, id: string) => (await t.query(`SELECT * FROM sms_message WHERE id = $1`, [id]))[0];

describe('SMS with Twilio (a local fake Twilio, the real SDK)', () => {
  let t: TestApp;
  let fake: FakeTwilio;
  let outbox: SmsOutbox;
  const changes: SmsStatusChange[] = [];

  beforeAll(async () => {
    fake = await new FakeTwilio().start();
    t = await createTestAppOnTwilio(fake, PUBLIC, { SMS_RATE_PER_SECOND: '1000', COMPANY_NAME: 'Larm & Co <AB>' });
    outbox = t.app.get(SmsOutbox);
    outbox.statusChanges$.subscribe((c) => changes.push(c));
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  const ownerAlarm = async (body = `Larm ${randomUUID()}`) => {
    const phone = newPhone();
    const customerId = await addCustomer(t, phone);
    const alarmId = randomUUID();
    return { phone, customerId, alarmId, body, sms: { purpose: 'alarm_owner' as const, to: phone, body, customerId, alarmId } };
  };

  describe('sending', () => {
    it('sends an enqueued alarm SMS through the Twilio SDK at once, and records what Twilio answered', async () => {
      const { sms, phone, body } = await ownerAlarm();
      const enqueued = await outbox.enqueue(sms);
      expect(enqueued).toMatchObject({ status: 'queued', legalBasis: 'contract' });

      const [request] = await fake.waitFor(() => fake.requestsFor(body).length > 0 && fake.requestsFor(body), 2000);
      expect(request).toMatchObject({
        authorized: true,
        to: phone,
        from: '+46700000001',
        body,
        statusCallback: `${PUBLIC}/webhooks/twilio/status?messageId=${enqueued.id}`,
        outcome: 201,
      });
      const row = await waitFor(async () => {
        const r = await messageRow(t, enqueued.id);
        return r.status === 'sent' && r;
      });
      expect(row).toMatchObject({
        direction: 'outbound',
        provider_id: request.sid,
        attempts: 1,
        from_phone: '+46700000001',
        purpose: 'alarm_owner',
        priority: 100,
      });
      expect(row.sent_at).toBeInstanceOf(Date);
      expect(changes.filter((c) => c.messageId === enqueued.id).map((c) => `${c.previous}->${c.status}`)).toEqual(['queued->sending', 'sending->sent']);
    });

    it('joins the caller’s transaction: nothing is sent before it commits, nothing at all if it rolls back', async () => {
      const ds = t.app.get(DataSource);
      const committed = await ownerAlarm();
      let id = '';
      await ds.transaction(async (m) => {
        id = (await outbox.enqueue(committed.sms, m)).id;
        await new Promise((r) => setTimeout(r, 150));
        expect(fake.requestsFor(committed.body)).toHaveLength(0);
        expect(await t.query(`SELECT 1 FROM sms_message WHERE id = $1`, [id])).toHaveLength(0); // not visible outside yet
      });
      await fake.waitFor(() => fake.requestsFor(committed.body).length === 1, 2000);

      const rolledBack = await ownerAlarm();
      await expect(
        ds.transaction(async (m) => {
          await outbox.enqueue(rolledBack.sms, m);
          throw new Error('the alarm could not be stored');
        }),
      ).rejects.toThrow('the alarm could not be stored');
      await new Promise((r) => setTimeout(r, 300));
      expect(fake.requestsFor(rolledBack.body)).toHaveLength(0);
      expect(await t.query(`SELECT 1 FROM sms_message WHERE body = $1`, [rolledBack.body])).toHaveLength(0);
    });

    it("waits as long as a 429's Retry-After asks before trying again", async () => {
      fake.retryAfterSeconds = 2;
      fake.failNext(1, 429);
      try {
        const { sms, body } = await ownerAlarm();
        const { id } = await outbox.enqueue(sms);
        await waitFor(async () => (await messageRow(t, id)).status === 'sent', 10_000);
        const [refused, sent] = fake.requestsFor(body);
        expect([refused.outcome, sent.outcome]).toEqual([429, 201]);
        // Without it the first retry comes after 0.4-0.5 s.
        expect(sent.at - refused.at).toBeGreaterThanOrEqual(1900);
      } finally {
        fake.retryAfterSeconds = undefined;
      }
    });

    it('retries temporary failures (429, 500, a dropped connection) with backoff, then sends once', async () => {
      fake.failNext(1, 429);
      fake.failNext(1, 500);
      fake.failNext(1, 'reset');
      const { sms, body } = await ownerAlarm();
      const { id } = await outbox.enqueue(sms);
      const row = await waitFor(async () => {
        const r = await messageRow(t, id);
        return r.status === 'sent' && r;
      }, 10_000);
      expect(fake.requestsFor(body).map((r) => r.outcome)).toEqual([429, 500, 'reset', 201]);
      expect(fake.messages.filter((m) => m.body === body)).toHaveLength(1);
      expect(row.attempts).toBe(4);
      const seen = changes.filter((c) => c.messageId === id).map((c) => c.status);
      expect(seen).toEqual(['sending', 'queued', 'sending', 'queued', 'sending', 'queued', 'sending', 'sent']);
    });

    it('fails a permanent error (21211) at once, without retrying, and says so on statusChanges$', async () => {
      fake.failNext(1, 'permanent');
      const { sms, body } = await ownerAlarm();
      const { id } = await outbox.enqueue(sms);
      const row = await waitFor(async () => {
        const r = await messageRow(t, id);
        return r.status === 'failed' && r;
      });
      expect(row).toMatchObject({ error_code: '21211', attempts: 1, provider_id: null });
      await new Promise((r) => setTimeout(r, 1500)); // longer than the first retry would wait
      expect(fake.requestsFor(body)).toHaveLength(1);
      expect(changes.find((c) => c.messageId === id && c.status === 'failed')).toMatchObject({
        previous: 'sending',
        errorCode: '21211',
        purpose: 'alarm_owner',
      });
    });

    it('gives up after the last allowed attempt', async () => {
      // A message after 7 temporary failures: the 8th attempt is its last.
      const again = await ownerAlarm();
      const ds = t.app.get(DataSource);
      fake.failNext(1, 500);
      let queuedId = '';
      await ds.transaction(async (m) => {
        queuedId = (await outbox.enqueue(again.sms, m)).id;
        await m.query(`UPDATE sms_message SET attempts = 7 WHERE id = $1`, [queuedId]);
      });
      const row = await waitFor(async () => {
        const r = await messageRow(t, queuedId);
        return r.status === 'failed' && r;
      });
      expect(row).toMatchObject({ attempts: 8, error_code: '20500' });
      expect(fake.requestsFor(again.body)).toHaveLength(1);
    });

    it('checks with the provider, then sends once, a message whose sender died mid-send: past its deadline it goes back to the queue as outcome unknown', async () => {
      // Failing such a message unsent (the rule before the provider could be asked) left the owner
      // untexted; sending it blindly could text them twice. Now the provider is asked first: here it
      // never got the message, so it is sent, once.
      const { sms, body } = await ownerAlarm();
      // What a crashed instance leaves behind: claimed, deadline passed, no answer recorded.
      const [row] = await t.query(
        `INSERT INTO sms_message (direction, to_phone, from_phone, body, purpose, legal_basis, alarm_id, customer_id, status, priority, attempts, claimed_until)
         VALUES ('outbound', $1, '+46700000001', $2, 'alarm_owner', 'contract', $3, $4, 'sending', 100, 1, now() - interval '1 second') RETURNING id`,
        [sms.to, body, sms.alarmId, sms.customerId],
      );
      const listsBefore = fake.listRequests.length;
      await t.app.get(SmsSweeper).sweep();
      expect(changes.find((c) => c.messageId === row.id)).toMatchObject({ previous: 'sending', status: 'queued', errorCode: 'outcome_unknown' });
      const sent = await waitFor(async () => {
        const r = await messageRow(t, row.id);
        return r.status === 'sent' && r;
      });
      const [request] = fake.requestsFor(body);
      expect(sent).toMatchObject({ provider_id: request.sid, attempts: 2, claimed_until: null });
      expect(fake.listRequests.slice(listsBefore).filter((l) => l.to === sms.to)).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(fake.requestsFor(body)).toHaveLength(1);
      expect(changes.filter((c) => c.messageId === row.id).map((c) => c.status)).toEqual(['queued', 'sending', 'sent']);
    });
  });

  describe('two instances on one database', () => {
    let second: INestApplication;
    beforeAll(async () => {
      second = await createApp({ ...t.config });
    });
    afterAll(async () => second?.close());

    it('never send the same message twice (claims skip rows another instance holds)', async () => {
      const tag = randomUUID();
      const { phone, customerId } = await ownerAlarm();
      // Rows committed behind both instances' backs (no kick), then both dispatch at once.
      await t.query(
        `INSERT INTO sms_message (direction, to_phone, from_phone, body, purpose, legal_basis, alarm_id, customer_id, status, priority)
         SELECT 'outbound', $1, '+46700000001', $2 || ' #' || n, 'alarm_owner', 'contract', gen_random_uuid(), $3, 'queued', 100
           FROM generate_series(1, 300) n`,
        [phone, tag, customerId],
      );
      const a = t.app.get(SmsOutbox);
      const b = second.get(SmsOutbox);
      const claimedBy = { a: 0, b: 0 };
      const subA = a.statusChanges$.subscribe((c) => c.status === 'sending' && claimedBy.a++);
      const subB = b.statusChanges$.subscribe((c) => c.status === 'sending' && claimedBy.b++);
      t.app.get(SmsDispatcher).kick();
      second.get(SmsDispatcher).kick();
      await waitFor(async () => {
        const [r] = await t.query(`SELECT count(*)::int AS n FROM sms_message WHERE body LIKE $1 AND status = 'sent'`, [`${tag}%`]);
        return r.n === 300;
      }, 15_000);
      await Promise.all([a.idle(), b.idle()]);
      subA.unsubscribe();
      subB.unsubscribe();

      const sent = fake.requestsFor(new RegExp(`^${tag}`));
      expect(sent).toHaveLength(300);
      expect(new Set(sent.map((r) => r.body)).size).toBe(300);
      expect(claimedBy.a + claimedBy.b).toBe(300);
      const [attempts] = await t.query(`SELECT max(attempts) AS max FROM sms_message WHERE body LIKE $1`, [`${tag}%`]);
      expect(attempts.max).toBe(1);
    });
  });

  describe('status callbacks', () => {
    const sentMessage = async () => {
      const { sms, body } = await ownerAlarm();
      const { id } = await outbox.enqueue(sms);
      const request = await fake.waitFor(() => fake.messages.find((m) => m.body === body));
      await waitFor(async () => (await messageRow(t, id)).status === 'sent');
      return { id, request };
    };

    it('moves the status forward only, whatever order the callbacks arrive in', async () => {
      const { id, request } = await sentMessage();
      expect((await fake.sendStatus(request, 'delivered')).status).toBe(204);
      expect((await messageRow(t, id)).status).toBe('delivered');
      for (const late of ['sent', 'sending', 'queued', 'undelivered', 'failed']) {
        expect((await fake.sendStatus(request, late)).status).toBe(204);
        expect((await messageRow(t, id)).status).toBe('delivered');
      }
      expect(changes.filter((c) => c.messageId === id).map((c) => c.status)).toEqual(['sending', 'sent', 'delivered']);
    });

    it('records a permanent delivery failure with its error code', async () => {
      const { id, request } = await sentMessage();
      await fake.sendStatus(request, 'undelivered', { ErrorCode: '30003' });
      expect(await messageRow(t, id)).toMatchObject({ status: 'undelivered', error_code: '30003' });
      expect(changes.find((c) => c.messageId === id && c.status === 'undelivered')).toMatchObject({ previous: 'sent', errorCode: '30003' });
      await fake.sendStatus(request, 'delivered');
      expect((await messageRow(t, id)).status).toBe('undelivered');
    });

    it('finds the message by our id when the callback overtakes Twilio’s answer', async () => {
      const { sms, body } = await ownerAlarm();
      const [row] = await t.query(
        `INSERT INTO sms_message (direction, to_phone, from_phone, body, purpose, legal_basis, alarm_id, customer_id, status, priority, attempts, claimed_until)
         VALUES ('outbound', $1, '+46700000001', $2, 'alarm_owner', 'contract', $3, $4, 'sending', 100, 1, now() + interval '1 minute') RETURNING id`,
        [sms.to, body, sms.alarmId, sms.customerId],
      );
      const sid = 'SM' + 'a'.repeat(32);
      const res = await fake.sendStatus(
        {
          to: sms.to,
          from: '+46700000001',
          body,
          statusCallback: `${PUBLIC}/webhooks/twilio/status?messageId=${row.id}`,
          accountSid: fake.accountSid,
          authorized: true,
          at: 0,
          outcome: 201,
        },
        'sent',
        { MessageSid: sid, SmsSid: sid },
      );
      expect(res.status).toBe(204);
      expect(await messageRow(t, row.id)).toMatchObject({ status: 'sent', provider_id: sid });
    });

    it('ignores callbacks for messages it does not know', async () => {
      const res = await fake.post(`${PUBLIC}/webhooks/twilio/status`, { MessageSid: 'SM' + 'b'.repeat(32), MessageStatus: 'delivered' });
      expect(res.status).toBe(204);
    });
  });

  describe('webhook signatures', () => {
    const params = { MessageSid: 'SM' + 'c'.repeat(32), From: '+46709999999', To: '+46700000001', Body: 'STOP' };

    it('answers 403 to a missing, forged or wrong-URL signature, and changes nothing', async () => {
      const url = `${PUBLIC}/webhooks/twilio/sms`;
      const missing = await fake.post(url, params, { signature: null });
      const forged = await fake.post(url, params, { authToken: 'not-the-auth-token' });
      const garbage = await fake.post(url, params, { signature: 'AAAA' });
      const { default: twilio } = await import('twilio');
      // Signed for the address the request really went to (the Host), not PUBLIC_BASE_URL.
      const hostSigned = await fake.post(url, params, {
        signature: twilio.getExpectedTwilioSignature(fake.authToken, `${t.baseUrl}/webhooks/twilio/sms`, params),
      });
      for (const res of [missing, forged, garbage, hostSigned]) {
        expect(res.status).toBe(403);
        expect(JSON.parse(res.text)).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      }
      const status = await fake.post(`${PUBLIC}/webhooks/twilio/status`, { MessageSid: 'SMx', MessageStatus: 'failed' }, { signature: null });
      expect(status.status).toBe(403);
      expect(await t.query(`SELECT 1 FROM sms_opt_out WHERE phone = $1`, [params.From])).toHaveLength(0);
      expect(await t.query(`SELECT 1 FROM sms_message WHERE provider_id = $1`, [params.MessageSid])).toHaveLength(0);
    });

    it('answers 403 when a parameter was changed after signing', async () => {
      const { default: twilio } = await import('twilio');
      const url = `${PUBLIC}/webhooks/twilio/sms`;
      const signature = twilio.getExpectedTwilioSignature(fake.authToken, url, { ...params, Body: 'hello' });
      expect((await fake.post(url, params, { signature })).status).toBe(403);
    });
  });

  describe('inbound SMS', () => {
    it('opts a number out on STOP: contacts deactivated, queued messages refused, later ones refused', async () => {
      const phone = newPhone();
      const customerId = await addCustomer(t, newPhone());
      const contactId = await addContact(t, customerId, phone);
      const otherCustomer = await addCustomer(t, newPhone());
      const sameNumberElsewhere = await addContact(t, otherCustomer, phone);
      // A notice waiting for its turn when the STOP arrives.
      const ds = t.app.get(DataSource);
      let waitingId = '';
      await ds.transaction(async (m) => {
        waitingId = (await outbox.enqueue({ purpose: 'contact_notice', to: phone, body: 'Hej Bo, du är larmkontakt.', contactId, customerId }, m)).id;
        await m.query(`UPDATE sms_message SET next_attempt_at = now() + interval '1 hour' WHERE id = $1`, [waitingId]);
      });

      const res = await fake.sendInbound({ from: phone, body: ' Stop. ' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
      expect(res.text).not.toContain('<Message>');

      expect(await t.query(`SELECT source FROM sms_opt_out WHERE phone = $1`, [phone])).toEqual([{ source: 'sms:STOP' }]);
      const contacts = await t.query(`SELECT id, status, opted_out_at FROM contact WHERE phone = $1 ORDER BY id`, [phone]);
      expect(contacts.map((c) => c.status)).toEqual(['opted_out', 'opted_out']);
      expect(contacts.every((c) => c.opted_out_at instanceof Date)).toBe(true);
      expect(await messageRow(t, waitingId)).toMatchObject({ status: 'refused', refusal_reason: 'opted_out' });
      expect(changes.find((c) => c.messageId === waitingId)).toMatchObject({ previous: 'queued', status: 'refused' });
      const [inbound] = await t.query(`SELECT * FROM sms_message WHERE direction = 'inbound' AND from_phone = $1`, [phone]);
      expect(inbound).toMatchObject({ status: 'received', body: 'Stop.', purpose: 'reply', contact_id: null });

      const later = await outbox.enqueue({ purpose: 'contact_notice', to: phone, body: 'Hej igen', contactId: sameNumberElsewhere, customerId: otherCustomer });
      expect(later).toMatchObject({ status: 'refused', refusalReason: 'opted_out' });
      await new Promise((r) => setTimeout(r, 200));
      expect(fake.requests.filter((r) => r.to === phone)).toHaveLength(0);
    });

    it('never sends a message that slipped in while a STOP was committing: the dispatcher skips it, the sweeper refuses it', async () => {
      const { sms, body } = await ownerAlarm();
      // The race's outcome, set up directly: a queued message the STOP's own refusal did not see.
      await t.query(`INSERT INTO sms_opt_out (phone, source) VALUES ($1, 'sms:STOP')`, [sms.to]);
      const [row] = await t.query(
        `INSERT INTO sms_message (direction, to_phone, from_phone, body, purpose, legal_basis, alarm_id, customer_id, status, priority)
         VALUES ('outbound', $1, '+46700000001', $2, 'alarm_owner', 'contract', $3, $4, 'queued', 100) RETURNING id`,
        [sms.to, body, sms.alarmId, sms.customerId],
      );
      t.app.get(SmsDispatcher).kick();
      await outbox.idle();
      await t.app.get(SmsSweeper).sweep();
      expect(await messageRow(t, row.id)).toMatchObject({ status: 'refused', refusal_reason: 'opted_out', attempts: 0 });
      expect(fake.requestsFor(body)).toHaveLength(0);
    });

    it('stops alarm SMS to an owner who replied STOPALL, and lets them back in with START (contacts stay out)', async () => {
      const phone = newPhone();
      const customerId = await addCustomer(t, phone);
      const contactPhone = newPhone();
      const contactId = await addContact(t, customerId, contactPhone);
      await fake.sendInbound({ from: phone, body: 'stopall' });
      await fake.sendInbound({ from: contactPhone, body: 'STOP' });
      const refused = await outbox.enqueue({ purpose: 'alarm_owner', to: phone, body: 'Larm!', customerId, alarmId: randomUUID() });
      expect(refused).toMatchObject({ status: 'refused', refusalReason: 'opted_out' });

      expect((await fake.sendInbound({ from: phone, body: 'START' })).text).not.toContain('<Message>');
      expect((await fake.sendInbound({ from: contactPhone, body: 'Unstop' })).status).toBe(200);
      expect(await t.query(`SELECT 1 FROM sms_opt_out WHERE phone = ANY($1)`, [[phone, contactPhone]])).toHaveLength(0);
      const allowed = await outbox.enqueue({ purpose: 'alarm_owner', to: phone, body: `Larm ${randomUUID()}`, customerId, alarmId: randomUUID() });
      expect(allowed.status).toBe('queued');
      // The contact's objection stands until the customer re-adds them.
      expect((await t.query(`SELECT status FROM contact WHERE id = $1`, [contactId]))[0].status).toBe('opted_out');
      const notice = await outbox.enqueue({ purpose: 'contact_notice', to: contactPhone, body: 'Hej', contactId, customerId });
      expect(notice).toMatchObject({ status: 'refused', refusalReason: 'contact_opted_out' });
    });

    it('answers other text with a help reply in TwiML, at most three times a day per number', async () => {
      const phone = newPhone();
      await addCustomer(t, phone, { language: 'en' });
      const answers: string[] = [];
      for (let i = 0; i < 4; i++) answers.push((await fake.sendInbound({ from: phone, body: `hello ${i}` })).text);
      for (const xml of answers.slice(0, 3)) {
        expect(xml).toBe(
          '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Larm &amp; Co &lt;AB&gt;: This number only takes replies to alarm SMS. ' +
            'Reply with the code from your alarm SMS, or STOP to get no more texts.</Message></Response>',
        );
      }
      expect(answers[3]).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
      const replies = await t.query(
        `SELECT status, reply_kind, in_reply_to, from_phone, legal_basis FROM sms_message WHERE to_phone = $1 AND direction = 'outbound'`,
        [phone],
      );
      expect(replies).toHaveLength(3);
      expect(replies.every((r) => r.status === 'sent' && r.reply_kind === 'help' && r.in_reply_to && r.from_phone === '+46700000001')).toBe(true);
      // Another number is not affected by this one's limit.
      expect((await fake.sendInbound({ from: newPhone(), body: 'hej' })).text).toContain('<Message>');
    });

    it('hands a reply code to the ReplyCodeHandler (by default: unknown code, in the sender’s language)', async () => {
      const phone = newPhone();
      await addCustomer(t, phone, { language: 'sv' });
      const res = await fake.sendInbound({ from: phone, body: "'472'" });
      expect(res.text).toContain('<Message>Larm &amp; Co &lt;AB&gt;: Koden 472 hör inte till något öppet larm för detta nummer.');
      const [reply] = await t.query(`SELECT reply_kind, purpose FROM sms_message WHERE to_phone = $1 AND direction = 'outbound'`, [phone]);
      expect(reply).toEqual({ reply_kind: 'unknown_code', purpose: 'reply' });
    });

    it('does nothing twice for a MessageSid it has already handled', async () => {
      const phone = newPhone();
      const messageSid = 'SM' + randomUUID().replace(/-/g, '');
      const first = await fake.sendInbound({ from: phone, body: 'hello', messageSid });
      const again = await fake.sendInbound({ from: phone, body: 'hello', messageSid });
      expect(first.text).toContain('<Message>');
      expect(again.text).not.toContain('<Message>');
      expect(await t.query(`SELECT 1 FROM sms_message WHERE from_phone = $1 OR to_phone = $1`, [phone])).toHaveLength(2);
    });

    it('answers 400 to an inbound request without From or MessageSid', async () => {
      const res = await fake.post(`${PUBLIC}/webhooks/twilio/sms`, { Body: 'hi', To: '+46700000001' });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text)).toMatchObject({ code: 'twilio_inbound_incomplete', message: 'an inbound SMS needs From, To and MessageSid' });
    });

    it('names an oversized From, To or MessageSid with 400, even correctly signed, and stores nothing', async () => {
      // Kilobytes in an indexed column fail in the database itself; before this check that was a 500.
      const long = 'SM' + 'a'.repeat(3000);
      const sid = () => 'SM' + randomUUID().replace(/-/g, '');
      const phone = newPhone();
      const cases = [
        { params: { From: phone, To: '+46700000001', Body: 'hi', MessageSid: long }, message: 'MessageSid must be at most 64 characters' },
        { params: { From: '+46' + '7'.repeat(3000), To: '+46700000001', Body: 'hi', MessageSid: sid() }, message: 'From must be at most 100 characters' },
        { params: { From: phone, To: '+46' + '7'.repeat(3000), Body: 'hi', MessageSid: sid() }, message: 'To must be at most 100 characters' },
      ];
      for (const { params, message } of cases) {
        const res = await fake.post(`${PUBLIC}/webhooks/twilio/sms`, params);
        expect({ status: res.status, body: JSON.parse(res.text) }).toMatchObject({ status: 400, body: { code: 'twilio_inbound_invalid', message } });
      }
      expect(
        await t.query(`SELECT 1 FROM sms_message WHERE from_phone = $1 OR length(provider_id) > 64 OR length(from_phone) > 100 OR length(to_phone) > 100`, [
          phone,
        ]),
      ).toHaveLength(0);
    });
  });

  describe('send policy', () => {
    it('refuses any contact message other than the notice or an alarm SMS the gate allows, and never sends it', async () => {
      const customerPhone = newPhone();
      const customerId = await addCustomer(t, customerPhone);
      const phone = newPhone();
      const contactId = await addContact(t, customerId, phone);
      const alarmId = randomUUID();
      const cases = [
        [{ purpose: 'alarm_owner', to: phone, body: 'status report', customerId, contactId, alarmId }, 'contact_purpose_not_allowed: alarm_owner'],
        [
          { purpose: 'alarm_contact', to: phone, body: 'Larm hos Anna', customerId, contactId, alarmId, legalBasis: 'vital_interests' },
          /^alarm_contact_not_allowed: /,
        ],
        [
          { purpose: 'contact_notice', to: phone, body: 'Hej', customerId, contactId, legalBasis: 'consent' },
          'legal_basis_not_allowed: contact_notice under consent',
        ],
        [{ purpose: 'contact_notice', to: newPhone(), body: 'Hej', customerId, contactId }, 'phone_mismatch'],
        [{ purpose: 'contact_notice', to: phone, body: 'Hej', customerId: randomUUID(), contactId }, 'recipient_mismatch'],
        [{ purpose: 'contact_notice', to: phone, body: 'Hej', contactId: randomUUID() }, 'recipient_unknown: contact'],
        [{ purpose: 'reply', to: phone, body: 'Thanks!' }, 'reply_without_inbound'],
        [{ purpose: 'alarm_owner', to: customerPhone, body: 'Larm', customerId }, 'alarm_required'],
        [{ purpose: 'alarm_owner', to: newPhone(), body: 'Larm', customerId, alarmId }, 'phone_mismatch'],
      ] as const;
      for (const [sms, reason] of cases) {
        const result = await outbox.enqueue(sms as Parameters<SmsOutbox['enqueue']>[0]);
        expect({ sms, status: result.status }).toEqual({ sms, status: 'refused' });
        expect(result.refusalReason).toEqual(typeof reason === 'string' ? reason : expect.stringMatching(reason));
        expect(await messageRow(t, result.id)).toMatchObject({ status: 'refused', refusal_reason: result.refusalReason });
      }
      const ok = await outbox.enqueue({ purpose: 'contact_notice', to: phone, body: `Hej Bo ${randomUUID()}`, customerId, contactId });
      expect(ok.status).toBe('queued');
      await fake.waitFor(() => fake.requests.some((r) => r.to === phone));
      await outbox.idle();
      expect(fake.requests.filter((r) => r.to === phone).map((r) => r.body)).toEqual([(await messageRow(t, ok.id)).body]);
    });

    it('gives restricted people (Art. 18) alarm messages only, and nobody who has left anything', async () => {
      const restrictedOwner = newPhone();
      const customerId = await addCustomer(t, restrictedOwner, { restricted: true });
      const alarm = await outbox.enqueue({ purpose: 'alarm_owner', to: restrictedOwner, body: `Larm ${randomUUID()}`, customerId, alarmId: randomUUID() });
      expect(alarm.status).toBe('queued');
      const restrictedContactPhone = newPhone();
      const restrictedContact = await addContact(t, customerId, restrictedContactPhone, { restricted: true });
      expect(
        await outbox.enqueue({ purpose: 'contact_notice', to: restrictedContactPhone, body: 'Hej', customerId, contactId: restrictedContact }),
      ).toMatchObject({
        status: 'refused',
        refusalReason: 'restricted',
      });
      // Help replies are not alarm messages either.
      const help = await fake.sendInbound({ from: restrictedOwner, body: 'what is this?' });
      expect(help.text).not.toContain('<Message>');
      const [refusedReply] = await t.query(`SELECT status, refusal_reason FROM sms_message WHERE to_phone = $1 AND purpose = 'reply'`, [restrictedOwner]);
      expect(refusedReply).toEqual({ status: 'refused', refusal_reason: 'restricted' });

      const endedPhone = newPhone();
      const ended = await addCustomer(t, endedPhone, { ended: true });
      expect(await outbox.enqueue({ purpose: 'alarm_owner', to: endedPhone, body: 'Larm', customerId: ended, alarmId: randomUUID() })).toMatchObject({
        status: 'refused',
        refusalReason: 'recipient_ended: customer',
      });
      const endedContactPhone = newPhone();
      const endedContact = await addContact(t, customerId, endedContactPhone, { ended: true });
      expect(await outbox.enqueue({ purpose: 'contact_notice', to: endedContactPhone, body: 'Hej', customerId, contactId: endedContact })).toMatchObject({
        status: 'refused',
        refusalReason: 'recipient_ended: contact',
      });
    });

    it('throws on malformed input instead of storing it', async () => {
      const customerId = await addCustomer(t, newPhone());
      const base = { purpose: 'alarm_owner' as const, body: 'Larm', customerId, alarmId: randomUUID() };
      await expect(outbox.enqueue({ ...base, to: '0701234567' })).rejects.toMatchObject({ kind: 'invalid', code: 'sms_to_invalid' });
      await expect(outbox.enqueue({ ...base, to: newPhone(), body: '  ' })).rejects.toMatchObject({ code: 'sms_body_empty' });
      await expect(outbox.enqueue({ ...base, to: newPhone(), alarmId: 'alarm-1' })).rejects.toMatchObject({ code: 'sms_id_invalid' });
      await expect(
        outbox.enqueue({ purpose: 'alarm_contact', to: newPhone(), body: 'x', contactId: randomUUID(), alarmId: randomUUID() }),
      ).rejects.toMatchObject({
        code: 'sms_legal_basis_required',
      });
    });
  });

  describe('GET /api/messages', () => {
    it('lists messages newest first in exactly the shape the contract names, with filters and paging', async () => {
      const customerPhone = newPhone();
      const customerId = await addCustomer(t, customerPhone);
      const contactPhone = newPhone();
      const contactId = await addContact(t, customerId, contactPhone);
      const alarmId = randomUUID();
      const first = await outbox.enqueue({ purpose: 'contact_notice', to: contactPhone, body: 'Hej Bo, du är larmkontakt för Anna.', customerId, contactId });
      const second = await outbox.enqueue({ purpose: 'alarm_owner', to: customerPhone, body: 'Larm hos dig. Svara 1.', customerId, alarmId });
      await waitFor(async () => (await t.query(`SELECT 1 FROM sms_message WHERE id = ANY($1) AND status = 'sent'`, [[first.id, second.id]])).length === 2);

      const token = await t.tokenFor('operator');
      const res = await t.request('GET', `/api/messages?customerId=${customerId}`, { token });
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(2);
      expect(res.body.items.map((m: { id: string }) => m.id)).toEqual([second.id, first.id]);
      const [owner, notice] = res.body.items;
      expect(Object.keys(owner).sort()).toEqual(
        ['alarmId', 'body', 'createdAt', 'customerId', 'direction', 'from', 'id', 'legalBasis', 'providerId', 'purpose', 'status', 'to'].sort(),
      );
      expect(owner).toEqual({
        id: second.id,
        direction: 'outbound',
        to: customerPhone,
        from: '+46700000001',
        body: 'Larm hos dig. Svara 1.',
        purpose: 'alarm_owner',
        legalBasis: 'contract',
        alarmId,
        customerId,
        status: 'sent',
        providerId: expect.stringMatching(/^SM[0-9a-f]{32}$/),
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      expect(notice).toMatchObject({ purpose: 'contact_notice', legalBasis: 'legal_obligation', contactId, customerId });
      expect(notice.alarmId).toBeUndefined();

      const byContact = await t.request('GET', `/api/messages?contactId=${contactId}`, { token });
      expect(byContact.body.items.map((m: { id: string }) => m.id)).toEqual([first.id]);
      const byAlarm = await t.request('GET', `/api/messages?alarmId=${alarmId}`, { token });
      expect(byAlarm.body.items.map((m: { id: string }) => m.id)).toEqual([second.id]);
      const byTo = await t.request('GET', `/api/messages?to=${encodeURIComponent(contactPhone)}`, { token });
      expect(byTo.body).toMatchObject({ total: 1, items: [{ id: first.id }] });
      const unencodedPlus = await t.request('GET', `/api/messages?to=${contactPhone}`, { token });
      expect(unencodedPlus.body.total).toBe(1);
      const page2 = await t.request('GET', `/api/messages?customerId=${customerId}&limit=1&page=2`, { token });
      expect(page2.body).toMatchObject({ total: 2, items: [{ id: first.id }] });
    });

    it('shows inbound messages too, and refused ones with their reason', async () => {
      const phone = newPhone();
      await fake.sendInbound({ from: phone, body: 'STOP' });
      const token = await t.tokenFor('supervisor');
      const inbound = await t.request('GET', `/api/messages?to=${encodeURIComponent('+46700000001')}&limit=200`, { token });
      expect(inbound.status).toBe(200);
      const stop = inbound.body.items.find((m: { from: string }) => m.from === phone);
      expect(stop).toMatchObject({
        direction: 'inbound',
        to: '+46700000001',
        body: 'STOP',
        status: 'received',
        purpose: 'reply',
        providerId: expect.stringMatching(/^SM/),
      });
    });

    it('needs a token (401), is closed to the DPO (403), open to operators, supervisors and admins', async () => {
      expect((await t.request('GET', '/api/messages')).status).toBe(401);
      expect((await t.request('GET', '/api/messages', { token: await t.tokenFor('dpo') })).status).toBe(403);
      for (const role of ['operator', 'supervisor', 'admin'] as const) {
        expect((await t.request('GET', '/api/messages', { token: await t.tokenFor(role) })).status).toBe(200);
      }
    });

    it('names a malformed filter', async () => {
      const res = await t.request('GET', '/api/messages?customerId=42&to=0701&limit=1000', { token: await t.tokenFor('operator') });
      expect(res.status).toBe(400);
      expect(res.body.message).toEqual(
        expect.arrayContaining(['customerId must be a UUID', 'to must be an E.164 phone number such as +46701234567', 'limit must be at most 200']),
      );
    });
  });
});

describe('SMS priority under a rate limit', () => {
  let t: TestApp;
  let fake: FakeTwilio;
  beforeAll(async () => {
    fake = await new FakeTwilio().start();
    t = await createTestAppOnTwilio(fake, PUBLIC, { SMS_RATE_PER_SECOND: '2', TWILIO_MESSAGING_SERVICE_SID: 'MG' + 'd'.repeat(32) });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  it('sends alarm SMS ahead of notices that were queued first, and no faster than SMS_RATE_PER_SECOND', async () => {
    const customerPhone = newPhone();
    const customerId = await addCustomer(t, customerPhone);
    const ds = t.app.get(DataSource);
    const outbox = t.app.get(SmsOutbox);
    await outbox.idle();
    await new Promise((r) => setTimeout(r, 1100)); // let the token bucket fill to its burst (2)
    await ds.transaction(async (m) => {
      for (let i = 0; i < 4; i++) {
        const phone = newPhone();
        const contactId = await addContactWith(m, customerId, phone);
        await outbox.enqueue({ purpose: 'contact_notice', to: phone, body: `notice ${i}`, customerId, contactId }, m);
      }
      await outbox.enqueue({ purpose: 'alarm_owner', to: customerPhone, body: 'ALARM', customerId, alarmId: randomUUID() }, m);
    });
    await fake.waitFor(() => fake.messages.length === 5, 5000);
    const order = fake.messages.map((r) => r.body);
    // The first claim takes the burst (2): the alarm is in it although it was queued last.
    expect(order.slice(0, 2)).toContain('ALARM');
    expect(order.filter((b) => b !== 'ALARM').sort()).toEqual(['notice 0', 'notice 1', 'notice 2', 'notice 3']);
    // Burst of 2, then 2 a second: the fifth leaves no sooner than 1.5 s after the first.
    expect(fake.messages[4].at - fake.messages[0].at).toBeGreaterThanOrEqual(1400);
    // With a messaging service, Twilio picks the sender: no From is sent.
    expect(fake.messages[0]).toMatchObject({ messagingServiceSid: 'MG' + 'd'.repeat(32), from: undefined });
  });

  async function addContactWith(m: import('typeorm').EntityManager, customerId: string, phone: string): Promise<string> {
    const [row] = await m.query(`INSERT INTO contact (customer_id, name, phone, priority) VALUES ($1, 'C', $2, 1) RETURNING id`, [customerId, phone]);
    return row.id;
  }
});

describe('SMS_RATE_PER_SECOND is shared by the instances on one database', () => {
  let a: TestApp;
  let b: TestApp;
  let fake: FakeTwilio;
  beforeAll(async () => {
    fake = await new FakeTwilio().start();
    // Instances on one database share its encryption key (each test app has its own DATA_DIR).
    const env = fake.env(PUBLIC, { SMS_RATE_PER_SECOND: '4', ENCRYPTION_KEY: 'ef'.repeat(32) });
    a = await createTestApp(env);
    b = await createTestApp(env, { databaseUrl: a.databaseUrl });
    fake.connect({ baseUrl: a.baseUrl, publicBaseUrl: PUBLIC });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await fake?.stop();
  });

  it('two instances together send no faster than the rate (each with its own bucket, they sent twice as fast)', async () => {
    const customerPhone = newPhone();
    const customerId = await addCustomer(a, customerPhone);
    await Promise.all([a, b].map((t) => t.app.get(SmsOutbox).idle()));
    await new Promise((r) => setTimeout(r, 1100)); // the shared bucket is full (its burst: 4)
    const sent = fake.messages.length;
    // Twelve messages through each instance, at the same time.
    await Promise.all(
      [a, b].map((t, k) =>
        t.app.get(DataSource).transaction(async (m) => {
          for (let i = 0; i < 12; i++) {
            await t.app.get(SmsOutbox).enqueue({ purpose: 'alarm_owner', to: customerPhone, body: `via ${k} #${i}`, customerId, alarmId: randomUUID() }, m);
          }
        }),
      ),
    );
    await fake.waitFor(() => fake.messages.length - sent === 24 || undefined, 15_000);
    const ours = fake.messages.slice(sent);
    // Both instances sent some, and each message once.
    expect(new Set(ours.map((r) => r.body)).size).toBe(24);
    // Burst of 4, then 4 a second: the 24th leaves no sooner than 5 s after the first (20 / 4).
    // Two buckets of 4 a second would have sent them all within about 2 s.
    expect(ours[23].at - ours[0].at).toBeGreaterThanOrEqual(4500);
    // And the limit does not hold back more than it must: well within 8 s.
    expect(ours[23].at - ours[0].at).toBeLessThan(8000);
  });
});

/**
 * The webhooks check X-Twilio-Signature with TWILIO_AUTH_TOKEN, whatever SMS_PROVIDER is: with the outbox
 * sending and a token set, Twilio's webhooks are open to requests signed with that token (and only those).
 */
describe('Twilio webhooks with SMS_PROVIDER=outbox and TWILIO_AUTH_TOKEN set', () => {
  let t: TestApp;
  // Only its signing is used here (the real SDK's getExpectedTwilioSignature); it sends nothing.
  const fake = new FakeTwilio();

  beforeAll(async () => {
    t = await createTestApp({ SMS_PROVIDER: 'outbox', TWILIO_AUTH_TOKEN: fake.authToken, PUBLIC_BASE_URL: PUBLIC });
    fake.connect({ baseUrl: t.baseUrl, publicBaseUrl: PUBLIC });
  });
  afterAll(async () => t?.close());

  it('sends through the outbox', () => {
    expect(t.config.sms.provider).toBe('outbox');
    expect(t.app.get(SmsSender)).toMatchObject({ from: 'outbox', delivers: false });
  });

  it('accepts an inbound SMS signed with the auth token, and acts on it', async () => {
    const phone = newPhone();
    const res = await fake.sendInbound({ from: phone, body: 'STOP' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(await t.query(`SELECT source FROM sms_opt_out WHERE phone = $1`, [phone])).toEqual([{ source: 'sms:STOP' }]);
  });

  it('refuses an inbound SMS signed with another token, or not signed, with 403, and changes nothing', async () => {
    const phone = newPhone();
    const params = { MessageSid: 'SM' + 'd'.repeat(32), From: phone, To: '+46700000001', Body: 'STOP' };
    const url = `${PUBLIC}/webhooks/twilio/sms`;
    const { default: twilio } = await import('twilio');
    const otherToken = await fake.post(url, params, { signature: twilio.getExpectedTwilioSignature('another-auth-token-456', url, params) });
    expect(otherToken.status).toBe(403);
    expect(JSON.parse(otherToken.text)).toMatchObject({ statusCode: 403, error: 'Forbidden', code: 'twilio_signature_invalid' });
    const unsigned = await fake.post(url, params, { signature: null });
    expect(unsigned.status).toBe(403);
    expect(JSON.parse(unsigned.text)).toMatchObject({ statusCode: 403, code: 'twilio_signature_missing' });
    expect(await t.query(`SELECT 1 FROM sms_opt_out WHERE phone = $1`, [phone])).toHaveLength(0);
  });

  it('checks status callbacks with the same token', async () => {
    const url = `${PUBLIC}/webhooks/twilio/status`;
    const params = { MessageSid: 'SM' + 'e'.repeat(32), MessageStatus: 'delivered' };
    expect((await fake.post(url, params)).status).toBe(204);
    expect((await fake.post(url, params, { authToken: 'another-auth-token-456' })).status).toBe(403);
  });
});

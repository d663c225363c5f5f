import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlarmFixtures, waitUntil } from './support/alarm-fixtures.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * The processing log is append-only and permanent, so only identified callers may add to it: an
 * operator, a panel or Twilio that proved who it is. Anyone else's refused requests go to the app
 * log; and whose data an entry names comes from what the handler did, never from the query string.
 */
describe('processing log: only identified callers write to it', () => {
  const PUBLIC = 'https://alarm.example.test';
  const fake = new FakeTwilio(); // its signing only: the app sends through the outbox
  let t: TestApp;
  let f: AlarmFixtures;
  let household: Awaited<ReturnType<AlarmFixtures['household']>>;
  let dpo: string;

  const count = async (where: string, params: unknown[] = []) =>
    (await t.query(`SELECT count(*)::int AS n FROM processing_log WHERE ${where}`, params))[0].n as number;
  const entryFor = (requestId: string | null) =>
    waitUntil(
      async () => (await t.query(`SELECT *, subject_ids::text[] AS subject_ids FROM processing_log WHERE request_id = $1`, [requestId]))[0],
      8000,
      `entry for ${requestId}`,
    );
  const sid = () => 'SM' + randomBytes(16).toString('hex');

  beforeAll(async () => {
    t = await createTestApp({ SMS_PROVIDER: 'outbox', TWILIO_AUTH_TOKEN: fake.authToken, PUBLIC_BASE_URL: PUBLIC });
    fake.connect({ baseUrl: t.baseUrl, publicBaseUrl: PUBLIC });
    f = await AlarmFixtures.create(t);
    household = await f.household(1);
    dpo = await t.tokenFor('dpo');
  });
  afterAll(async () => t?.close());

  describe('Twilio webhooks', () => {
    const WEBHOOKS = `operation IN ('sms.inbound', 'sms.delivery_status')`;

    it('refuses 20 unsigned and 20 wrongly signed calls of each webhook with 403 and adds no entry, none naming the customer', async () => {
      const customer = household.customer;
      const webhooksBefore = await count(WEBHOOKS);
      const namingBefore = await count(`$1 = ANY(subject_ids)`, [customer.id]);
      const status = `${PUBLIC}/webhooks/twilio/status?messageId=${customer.id}`;
      const sms = `${PUBLIC}/webhooks/twilio/sms`;
      const report = { MessageSid: sid(), MessageStatus: 'delivered' };
      const inbound = { MessageSid: sid(), From: customer.phone, To: '+46700000001', Body: 'STOP' };
      for (let i = 0; i < 20; i++) {
        for (const [url, params] of [
          [status, report],
          [sms, inbound],
        ] as const) {
          const unsigned = await fake.post(url, params, { signature: null });
          const forged = await fake.post(url, params, { authToken: 'not-the-auth-token' });
          for (const res of [unsigned, forged]) {
            expect(res.status).toBe(403);
            expect(JSON.parse(res.text)).toMatchObject({ statusCode: 403, error: 'Forbidden' });
          }
        }
      }

      // A signed call afterwards writes its entry; once it is there, nothing else was added.
      const signed = await fake.post(`${PUBLIC}/webhooks/twilio/status`, { MessageSid: sid(), MessageStatus: 'delivered' });
      expect(signed.status).toBe(204);
      await entryFor(signed.headers.get('x-request-id'));
      expect(await count(WEBHOOKS)).toBe(webhooksBefore + 1);
      expect(await count(`$1 = ANY(subject_ids)`, [customer.id])).toBe(namingBefore);
      expect(await t.query(`SELECT 1 FROM sms_opt_out WHERE phone = $1`, [customer.phone])).toEqual([]);
    });

    it("names the message's customer and contact for a signed status callback, never the id in the query", async () => {
      const { customer, contacts } = household;
      const [notice] = await t.query(`SELECT id FROM sms_message WHERE contact_id = $1 AND purpose = 'contact_notice'`, [contacts[0].id]);
      expect(notice).toBeDefined();

      // Found by our id in the (signed) callback URL: the entry names whose message it is.
      const found = await fake.post(`${PUBLIC}/webhooks/twilio/status?messageId=${notice.id}`, { MessageSid: sid(), MessageStatus: 'delivered' });
      expect(found.status).toBe(204);
      const entry = await entryFor(found.headers.get('x-request-id'));
      expect(entry).toMatchObject({ operation: 'sms.delivery_status', actor_type: 'system', actor_id: 'twilio', outcome: 'success', http_status: 204 });
      expect([...entry.subject_ids].sort()).toEqual([contacts[0].id, customer.id].sort());

      // Signed, but the query names the customer as if it were a message: no message, no one named.
      const aimed = await fake.post(`${PUBLIC}/webhooks/twilio/status?messageId=${customer.id}`, { MessageSid: sid(), MessageStatus: 'delivered' });
      expect(aimed.status).toBe(204);
      expect((await entryFor(aimed.headers.get('x-request-id'))).subject_ids).toEqual([]);
    });

    it('names the contact a signed inbound STOP opted out', async () => {
      const other = await f.household(1);
      const res = await fake.sendInbound({ from: other.contacts[0].phone, body: 'STOP' });
      expect(res.status).toBe(200);
      const entry = await entryFor(res.headers.get('x-request-id'));
      expect(entry).toMatchObject({ operation: 'sms.inbound', actor_type: 'system', actor_id: 'twilio', outcome: 'success' });
      expect(entry.subject_ids).toEqual([other.contacts[0].id]);
    });
  });

  describe('logins', () => {
    it('writes no entry for 40 failed logins (401, then 429), and names the operator for a successful one', async () => {
      const loginsBefore = await count(`operation = 'operators.login'`);
      const statuses = new Set<number>();
      for (let i = 0; i < 40; i++) {
        statuses.add((await t.request('POST', '/api/auth/login', { body: { email: 'admin@test.local', password: `wrong-password-${i}` } })).status);
      }
      expect([...statuses].sort()).toEqual([401, 429]);
      // Another address-and-account pair than the failures above, so the throttle lets it in.
      const operator = await t.request('POST', '/api/operators', {
        token: await t.tokenFor('admin'),
        body: { email: 'logs-in@test.local', name: 'Logs In', role: 'operator', password: 'logs-in-password-1' },
      });
      expect(operator.status).toBe(201);
      const ok = await t.request('POST', '/api/auth/login', { body: { email: 'logs-in@test.local', password: 'logs-in-password-1' } });
      expect(ok.status).toBe(200);
      const entry = await entryFor(ok.headers.get('x-request-id'));
      expect(entry).toMatchObject({ operation: 'operators.login', actor_type: 'operator', actor_id: operator.body.id, outcome: 'success', http_status: 200 });
      expect(entry.subject_ids).toEqual([operator.body.id]);
      expect(await count(`operation = 'operators.login'`)).toBe(loginsBefore + 1);
    });
  });

  describe('panels and operators', () => {
    it('writes no entry for an unsigned or forged panel event', async () => {
      const { panel } = household;
      const before = await count(`operation = 'panels.events.receive'`);
      expect((await f.post(panel, { eventId: 'forged-1', code: 'BA' }, { signWith: 'not-the-secret' })).status).toBe(401);
      expect((await f.post(panel, { eventId: 'forged-2', code: 'BA' }, { headers: { 'content-type': 'application/json' } })).status).toBe(401);
      // An arming: an entry of its own (a heartbeat is counted in the panel's day instead).
      const signed = await f.post(panel, { eventId: 'signed-1', code: 'CL' });
      expect(signed.status).toBe(202);
      await entryFor(signed.headers.get('x-request-id'));
      expect(await count(`operation = 'panels.events.receive'`)).toBe(before + 1);
    });

    it("writes an operator's refusal for a role not allowed, naming the operator", async () => {
      const me = await t.request('GET', '/api/auth/me', { token: f.tokens.operator });
      const res = await t.request('GET', `/api/privacy/processing-log?subjectId=${household.customer.id}`, { token: f.tokens.operator });
      expect(res.status).toBe(403);
      const entry = await entryFor(res.headers.get('x-request-id'));
      expect(entry).toMatchObject({
        operation: 'privacy.processing-log.read',
        actor_type: 'operator',
        actor_id: me.body.id,
        outcome: 'refused',
        http_status: 403,
      });
    });

    it("names the customer an operator's list was filtered by (the handler names it, not the query string)", async () => {
      const { customer } = household;
      for (const path of [`/api/messages?customerId=${customer.id}`, `/api/alarms?customerId=${customer.id}`]) {
        const res = await t.request('GET', path, { token: f.tokens.operator });
        expect(res.status).toBe(200);
        expect((await entryFor(res.headers.get('x-request-id'))).subject_ids).toContain(customer.id);
      }
    });

    it('keeps the hash chain verifiable after all of the above', async () => {
      const res = await t.request('GET', '/api/privacy/processing-log/verify', { token: dpo });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ok: true });
      expect(res.body.entries).toBeGreaterThan(0);
    });
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import twilio from 'twilio';
import { SmsSender } from '../src/sms/sms-sender.js';
import { SmsOutbox } from '../src/sms/sms-outbox.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** `npm start` on a fresh machine: no Twilio settings, so the outbox stores messages and sends nothing. */
describe('SMS without Twilio settings (SMS_PROVIDER=outbox)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('chooses the outbox sender', () => {
    expect(t.config.sms.provider).toBe('outbox');
    expect(t.app.get(SmsSender)).toMatchObject({ from: 'outbox', delivers: false });
  });

  it('runs the whole pipeline and shows the text in GET /api/messages, with an outbox provider id', async () => {
    const phone = '+46701112233';
    const [customer] = await t.query(
      `INSERT INTO customer (name, phone, language, alarm_address) VALUES ('Anna', $1, 'sv', '{"street":"Storgatan 1","postalCode":"11122","city":"Stockholm","country":"SE"}') RETURNING id`,
      [phone],
    );
    const outbox = t.app.get(SmsOutbox);
    const alarmId = randomUUID();
    const { id, status } = await outbox.enqueue({ purpose: 'alarm_owner', to: phone, body: 'Larm hos dig. Svara 1.', customerId: customer.id, alarmId });
    expect(status).toBe('queued');
    await outbox.idle();
    const res = await t.request('GET', `/api/messages?alarmId=${alarmId}`, { token: await t.tokenFor('operator') });
    expect(res.body).toEqual({
      total: 1,
      items: [
        {
          id,
          direction: 'outbound',
          to: phone,
          from: 'outbox',
          body: 'Larm hos dig. Svara 1.',
          purpose: 'alarm_owner',
          legalBasis: 'contract',
          alarmId,
          customerId: customer.id,
          status: 'sent',
          providerId: expect.stringMatching(/^outbox-[0-9a-f-]{36}$/),
          createdAt: expect.any(String),
        },
      ],
    });
  });

  it('closes the Twilio webhooks with 403: without an auth token no request can prove it is from Twilio', async () => {
    const params = { MessageSid: 'SM' + '1'.repeat(32), From: '+46701112233', To: '+46700000001', Body: 'STOP' };
    // Even a request "signed" with some token is refused: there is nothing to check it against.
    const signature = twilio.getExpectedTwilioSignature('some-token-123', `${t.config.publicBaseUrl}/webhooks/twilio/sms`, params);
    for (const path of ['/webhooks/twilio/sms', '/webhooks/twilio/status']) {
      const res = await t.request('POST', path, {
        raw: new URLSearchParams(params).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      });
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(/SMS_PROVIDER is outbox/);
    }
    expect(await t.query(`SELECT 1 FROM sms_opt_out`)).toHaveLength(0);
  });
});

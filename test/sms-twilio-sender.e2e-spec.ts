import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TwilioSmsSender } from '../src/sms/adapters/twilio-sms-sender.js';
import { SmsSendError } from '../src/sms/sms-sender.js';
import { FakeTwilio } from './support/fake-twilio.js';

/** The Twilio adapter alone, against the fake Twilio API: what each kind of failure becomes. */
describe('TwilioSmsSender', () => {
  let fake: FakeTwilio;
  let sender: TwilioSmsSender;
  beforeAll(async () => {
    fake = await new FakeTwilio().start();
    sender = new TwilioSmsSender({ accountSid: fake.accountSid, authToken: fake.authToken, from: '+46700000001', apiUrl: fake.url }, { timeoutMs: 1000 });
    // The SDK loads its API modules on first use; do that before timing anything.
    await sender.send({ to: '+46701234567', body: 'warm-up' });
  });
  afterAll(async () => fake?.stop());

  const attempt = (body: string) => sender.send({ to: '+46701234567', body, statusCallback: 'https://alarm.example.test/webhooks/twilio/status' });

  it('sends with From, Body, To and StatusCallback, and returns Twilio’s SID as the provider id', async () => {
    const result = await attempt('hello');
    expect(result).toEqual({ providerId: expect.stringMatching(/^SM[0-9a-f]{32}$/), status: 'sent' });
    expect(fake.requests.at(-1)).toMatchObject({
      authorized: true,
      to: '+46701234567',
      from: '+46700000001',
      body: 'hello',
      statusCallback: 'https://alarm.example.test/webhooks/twilio/status',
      sid: result.providerId,
    });
  });

  it('turns a timeout (no answer) into a temporary SmsSendError', async () => {
    fake.failNext(1, 'timeout');
    const error = await attempt('slow').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsSendError);
    expect(error).toMatchObject({ permanent: false, code: expect.stringMatching(/^(ECONNABORTED|ETIMEDOUT)$/) });
  });

  it('turns 429 and 5xx into temporary errors and 21211 or a 401 into permanent ones', async () => {
    fake.failNext(1, 429);
    fake.failNext(1, 500);
    fake.failNext(1, 'permanent');
    await expect(attempt('a')).rejects.toMatchObject({ permanent: false, status: 429, code: '20429' });
    await expect(attempt('b')).rejects.toMatchObject({ permanent: false, status: 500 });
    await expect(attempt('c')).rejects.toMatchObject({ permanent: true, status: 400, code: '21211' });
    const wrongToken = new TwilioSmsSender({ accountSid: fake.accountSid, authToken: 'wrong-token-123', from: '+46700000001', apiUrl: fake.url });
    await expect(wrongToken.send({ to: '+46701234567', body: 'd' })).rejects.toMatchObject({ permanent: true, status: 401, code: '20003' });
  });

  it("keeps a 429's Retry-After, so the outbox waits that long", async () => {
    fake.retryAfterSeconds = 7;
    fake.failNext(1, 429);
    try {
      await expect(attempt('g')).rejects.toMatchObject({ permanent: false, status: 429, code: '20429', retryAfterMs: 7000 });
    } finally {
      fake.retryAfterSeconds = undefined;
    }
  });

  it('turns a refused connection into a temporary error', async () => {
    const nowhere = new TwilioSmsSender({ accountSid: fake.accountSid, authToken: fake.authToken, from: '+46700000001', apiUrl: 'http://127.0.0.1:9' });
    await expect(nowhere.send({ to: '+46701234567', body: 'e' })).rejects.toMatchObject({ permanent: false, code: 'ECONNREFUSED' });
  });

  it('sends through a messaging service when one is configured', async () => {
    const viaService = new TwilioSmsSender({
      accountSid: fake.accountSid,
      authToken: fake.authToken,
      messagingServiceSid: 'MG' + 'e'.repeat(32),
      apiUrl: fake.url,
    });
    expect(viaService.from).toBe('MG' + 'e'.repeat(32));
    await viaService.send({ to: '+46701234567', body: 'f' });
    expect(fake.requests.at(-1)).toMatchObject({ messagingServiceSid: 'MG' + 'e'.repeat(32), from: undefined });
  });

  describe('findSent', () => {
    const to = '+46709876543';
    const find = (body: string, since: Date, on = sender) => on.findSent({ to, body, since });

    it('lists Twilio’s messages to that number since a minute before `since`, and keeps those with exactly that body', async () => {
      const since = new Date();
      const mine = await sender.send({ to, body: 'Larm hos dig. Svara 1.' });
      await sender.send({ to, body: 'Larm hos dig. Svara 1. ' }); // not the same text
      await sender.send({ to: '+46709876544', body: 'Larm hos dig. Svara 1.' }); // not the same number
      expect(await find('Larm hos dig. Svara 1.', since)).toEqual([{ providerId: mine.providerId, status: 'sent' }]);
      // As the SDK sends dateSentAfter: DateSent>, ISO 8601 to the second, a minute back for clock skew.
      const asked = fake.listRequests.at(-1)!;
      expect(asked).toMatchObject({ authorized: true, to });
      expect(asked.dateSentAfter).toBe(new Date(Math.floor((since.getTime() - 60_000) / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
      expect(await find('nobody sent this', since)).toEqual([]);
    });

    it('finds a message Twilio took without answering, and not one from before `since`', async () => {
      fake.failNext(1, 'accept-then-hang');
      const since = new Date();
      await expect(sender.send({ to, body: 'taken, never answered' })).rejects.toMatchObject({ permanent: false, code: 'ETIMEDOUT' });
      const [held] = fake.messages.filter((m) => m.body === 'taken, never answered');
      expect(await find('taken, never answered', since)).toEqual([{ providerId: held.sid, status: 'sent' }]);
      expect(await find('taken, never answered', new Date(Date.now() + 120_000))).toEqual([]);
    });

    it('throws a temporary SmsSendError when Twilio cannot answer, and a permanent one when it refuses to', async () => {
      fake.failNextList(1, 500);
      await expect(find('x', new Date())).rejects.toMatchObject({ name: 'SmsSendError', permanent: false, status: 500 });
      fake.failNextList(1, 'timeout');
      await expect(find('x', new Date())).rejects.toMatchObject({ name: 'SmsSendError', permanent: false, code: 'ETIMEDOUT' });
      const wrongToken = new TwilioSmsSender({ accountSid: fake.accountSid, authToken: 'wrong-token-123', from: '+46700000001', apiUrl: fake.url });
      await expect(find('x', new Date(), wrongToken)).rejects.toMatchObject({ permanent: true, status: 401 });
    });
  });

  describe('deleteMessage', () => {
    it('deletes the Message resource at Twilio, after which Twilio no longer holds or lists it', async () => {
      const sent = await sender.send({ to: '+46709876545', body: 'to be erased' });
      await sender.deleteMessage(sent.providerId);
      expect(fake.deleteRequests.at(-1)).toEqual({ authorized: true, sid: sent.providerId, at: expect.any(Number), outcome: 204 });
      expect(fake.messages.filter((m) => m.sid === sent.providerId)).toEqual([]);
    });

    it('counts a message Twilio does not have (404) as deleted', async () => {
      await expect(sender.deleteMessage('SM' + '0'.repeat(32))).resolves.toBeUndefined();
      expect(fake.deleteRequests.at(-1)).toMatchObject({ sid: 'SM' + '0'.repeat(32), outcome: 404 });
    });

    it('throws a temporary SmsSendError for a 500 and for a message Twilio has not finished with (20009), a permanent one for bad credentials', async () => {
      const sent = await sender.send({ to: '+46709876546', body: 'still in progress' });
      fake.failNextDelete(1, 500);
      await expect(sender.deleteMessage(sent.providerId)).rejects.toMatchObject({ name: 'SmsSendError', permanent: false, status: 500 });
      fake.failNextDelete(1, 'in-progress');
      await expect(sender.deleteMessage(sent.providerId)).rejects.toMatchObject({ name: 'SmsSendError', permanent: false, code: '20009', status: 409 });
      const wrongToken = new TwilioSmsSender({ accountSid: fake.accountSid, authToken: 'wrong-token-123', from: '+46700000001', apiUrl: fake.url });
      await expect(wrongToken.deleteMessage(sent.providerId)).rejects.toMatchObject({ permanent: true, status: 401 });
      await sender.deleteMessage(sent.providerId);
      expect(fake.deletedSids).toContain(sent.providerId);
    });
  });
});

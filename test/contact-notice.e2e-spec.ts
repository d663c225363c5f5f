import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ContactNotices } from '../src/contacts/contact-notices.js';
import { POLICY_VERSION } from '../src/privacy-policy/policy-version.js';
import { SmsOutbox } from '../src/sms/sms-outbox.js';
import { countSegments, isGsm7 } from '../src/sms/texts.js';
import { AlarmFixtures, waitUntil } from './support/alarm-fixtures.js';
import { FakeTwilio, type FakeTwilioRequest } from './support/fake-twilio.js';
import { createTestAppOnTwilio, type TestApp } from './support/test-app.js';

const PUBLIC = 'https://alarm.example.test';
const COMPANY = 'Nordiska Larmcentralen Söderström och Bø'; // 40 characters
const mobile = (n: number) => `+4670300${String(n).padStart(4, '0')}`;

describe('the onboarding notice to alarm contacts (docs/privacy.md#onboarding-notice)', () => {
  let t: TestApp;
  let fake: FakeTwilio;
  let operator: string;
  let dpo: string;
  let n = 0;

  beforeAll(async () => {
    fake = await new FakeTwilio().start();
    t = await createTestAppOnTwilio(fake, PUBLIC, { SMS_RATE_PER_SECOND: '1000', COMPANY_NAME: COMPANY });
    [operator, dpo] = await Promise.all([t.tokenFor('operator'), t.tokenFor('dpo')]);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  const customer = async (language = 'sv', name = 'Åsa-Märta Lindqvist Öberg') => {
    const res = await t.request('POST', '/api/customers', {
      token: operator,
      body: { name, phone: mobile(++n), language, alarmAddress: { street: 'Storgatan 1', postalCode: '114 55', city: 'Stockholm', country: 'SE' } },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const addContact = async (customerId: string, phone = mobile(++n)) => {
    const res = await t.request('POST', `/api/customers/${customerId}/contacts`, { token: operator, body: { name: 'Bo Berg', phone } });
    expect(res.status).toBe(201);
    return res.body as { id: string; phone: string; notice: { status: string; policyVersion: string | null; sentAt: string | null } };
  };
  const getContact = async (customerId: string, contactId: string) => {
    const res = await t.request('GET', `/api/customers/${customerId}/contacts/${contactId}`, { token: operator });
    expect(res.status).toBe(200);
    return res.body;
  };
  const messagesFor = async (contactId: string) => {
    const res = await t.request('GET', `/api/messages?contactId=${contactId}`, { token: operator });
    expect(res.status).toBe(200);
    return res.body.items as Array<{ id: string; to: string; body: string; purpose: string; legalBasis: string; status: string }>;
  };
  const smsTo = (phone: string) => fake.messages.filter((r) => r.to === phone);
  const settle = () => t.app.get(SmsOutbox).idle();

  it('sends one notice when a contact is added: who, whose, what it means, the policy link, STOP', async () => {
    const customerId = await customer('sv');
    const contact = await addContact(customerId);
    expect(contact.notice).toMatchObject({ policyVersion: POLICY_VERSION, status: expect.stringMatching(/^(pending|sent)$/) });

    const [sms] = await fake.waitFor(() => smsTo(contact.phone).length > 0 && smsTo(contact.phone));
    expect(sms.body).toBe(
      `${COMPANY}: Åsa-Märta Lindqvist Öberg har angett dig som larmkontakt. Vi sms:ar dig bara om larmet går och vi inte når Åsa-Märta Lindqvist Öberg. ` +
        `Om dina uppgifter: ${PUBLIC}/privacy?lang=sv\nVill du inte vara larmkontakt? Svara STOP.`,
    );
    expect(isGsm7(sms.body)).toBe(true);
    expect(countSegments(sms.body).segments).toBeLessThanOrEqual(2);

    const messages = await messagesFor(contact.id);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ purpose: 'contact_notice', legalBasis: 'legal_obligation', to: contact.phone, body: sms.body });
    const rows = await t.query(`SELECT phone, policy_version, message_id FROM contact_notice WHERE contact_id = $1`, [contact.id]);
    expect(rows).toEqual([{ phone: contact.phone, policy_version: POLICY_VERSION, message_id: messages[0].id }]);

    const log = await t.request('GET', `/api/privacy/processing-log?subjectId=${contact.id}`, { token: dpo });
    expect(log.body.items.map((e: { operation: string }) => e.operation)).toContain('sms.send.contact_notice');
  });

  it("is in the customer's language (English and Norwegian)", async () => {
    for (const [language, expected] of [
      ['en', /has named you as their alarm contact\. .*Privacy: https:\/\/alarm\.example\.test\/privacy\?lang=en\nDo not want this\? Reply STOP\.$/s],
      [
        'nb',
        /har oppgitt deg som alarmkontakt\. .*Om personvern: https:\/\/alarm\.example\.test\/privacy\?lang=nb\nVil du ikke være alarmkontakt\? Svar STOP\.$/s,
      ],
    ] as const) {
      const contact = await addContact(await customer(language, 'Kari Nordmann'));
      const [sms] = await fake.waitFor(() => smsTo(contact.phone).length > 0 && smsTo(contact.phone));
      expect(sms.body).toMatch(expected);
    }
  });

  it('is not resent when the contact is edited, and is sent again to a new phone number', async () => {
    const customerId = await customer();
    const contact = await addContact(customerId);
    await fake.waitFor(() => smsTo(contact.phone).length > 0);

    const renamed = await t.request('PATCH', `/api/customers/${customerId}/contacts/${contact.id}`, {
      token: operator,
      body: { name: 'Bo Bergström', relation: 'neighbour' },
    });
    expect(renamed.status).toBe(200);
    await settle();
    expect(await messagesFor(contact.id)).toHaveLength(1);

    const newPhone = mobile(++n);
    const moved = await t.request('PATCH', `/api/customers/${customerId}/contacts/${contact.id}`, { token: operator, body: { phone: newPhone } });
    expect(moved.status).toBe(200);
    await fake.waitFor(() => smsTo(newPhone).length > 0);
    await settle();
    const messages = await messagesFor(contact.id);
    expect(
      messages
        .filter((m) => m.purpose === 'contact_notice')
        .map((m) => m.to)
        .sort(),
    ).toEqual([contact.phone, newPhone].sort());
    expect(smsTo(contact.phone)).toHaveLength(1);
    expect(smsTo(newPhone)).toHaveLength(1);

    // Editing again (same new number) still sends nothing.
    await t.request('PATCH', `/api/customers/${customerId}/contacts/${contact.id}`, { token: operator, body: { name: 'Bo B.' } });
    await settle();
    expect(await messagesFor(contact.id)).toHaveLength(2);
  });

  it('shows the real delivery status on the contact: sent, then delivered on a signed status callback', async () => {
    const customerId = await customer();
    const contact = await addContact(customerId);
    const [sms] = await fake.waitFor(() => smsTo(contact.phone).length > 0 && smsTo(contact.phone));
    const sent = await waitUntil(
      async () => {
        const c = await getContact(customerId, contact.id);
        return c.notice.status === 'sent' && c;
      },
      5000,
      'notice sent',
    );
    expect(sent.notice).toEqual({
      status: 'sent',
      policyVersion: POLICY_VERSION,
      sentAt: expect.any(String),
      attempts: 1,
      lastError: null,
      nextAttemptAt: null,
      failedReason: null,
    });

    // A forged callback changes nothing.
    const forged = await fake.post(sms.statusCallback!, { MessageSid: sms.sid!, MessageStatus: 'delivered' }, { signature: 'bad' });
    expect(forged.status).toBe(403);
    expect((await getContact(customerId, contact.id)).notice.status).toBe('sent');

    const res = await fake.sendStatus(sms as FakeTwilioRequest, 'delivered');
    expect(res.status).toBeLessThan(300);
    expect((await getContact(customerId, contact.id)).notice).toMatchObject({ status: 'delivered', policyVersion: POLICY_VERSION });
    const list = await t.request('GET', `/api/customers/${customerId}/contacts`, { token: operator });
    expect(list.body.items[0].notice.status).toBe('delivered');
  });

  it('shows failed when the notice could not be delivered to the number, retrying when it may yet be', async () => {
    const customerId = await customer();
    const contact = await addContact(customerId);
    const [sms] = await fake.waitFor(() => smsTo(contact.phone).length > 0 && smsTo(contact.phone));
    await settle();
    await fake.sendStatus(sms, 'undelivered', { ErrorCode: '30005' });
    expect((await getContact(customerId, contact.id)).notice).toMatchObject({ status: 'failed', failedReason: 'number_cannot_receive' });

    const reachable = await addContact(customerId);
    const [other] = await fake.waitFor(() => smsTo(reachable.phone).length > 0 && smsTo(reachable.phone));
    await settle();
    await fake.sendStatus(other, 'undelivered', { ErrorCode: '30003' });
    expect((await getContact(customerId, reachable.id)).notice.status).toBe('retrying');
  });

  it('a STOP reply after the notice opts the contact out; nothing more is sent to them, and the refusal is processing-logged', async () => {
    const customerId = await customer();
    const contact = await addContact(customerId);
    await fake.waitFor(() => smsTo(contact.phone).length > 0);
    const stop = await fake.sendInbound({ from: contact.phone, body: 'STOP' });
    expect(stop.status).toBe(200);
    expect((await getContact(customerId, contact.id)).status).toBe('opted_out');

    // Any further attempt is refused by the send policy, stored as refused, and written to the processing log.
    const attempt = await t.app.get(SmsOutbox).enqueue({ purpose: 'contact_notice', to: contact.phone, body: 'again', contactId: contact.id, customerId });
    expect(attempt).toMatchObject({ status: 'refused', refusalReason: 'opted_out' });
    const [entry] = await t.query(
      `SELECT actor_type, actor_id, operation, legal_basis, outcome, subject_ids::text[] AS subject_ids FROM processing_log
        WHERE operation = 'sms.refused' AND $1::uuid = ANY(subject_ids)`,
      [contact.id],
    );
    expect(entry).toEqual({
      actor_type: 'system',
      actor_id: 'send-policy',
      operation: 'sms.refused',
      legal_basis: 'legal_obligation',
      outcome: 'refused',
      subject_ids: [contact.id, customerId],
    });
    expect(smsTo(contact.phone)).toHaveLength(1);
    // The new-version check skips them too.
    await t.app.get(ContactNotices).sendMissingNotices();
    await settle();
    expect(smsTo(contact.phone)).toHaveLength(1);
  });

  it('an alarm SMS to a contact outside an alarm is refused and logged (owner first)', async () => {
    const customerId = await customer();
    const contact = await addContact(customerId);
    const alarmId = '11111111-2222-4333-8444-555555555555';
    const attempt = await t.app
      .get(SmsOutbox)
      .enqueue({ purpose: 'alarm_contact', legalBasis: 'legitimate_interests', to: contact.phone, body: 'x', contactId: contact.id, customerId, alarmId });
    expect(attempt.status).toBe('refused');
    const log = await t.request('GET', `/api/privacy/processing-log?subjectId=${contact.id}`, { token: dpo });
    expect(log.status).toBe(200);
    expect(log.body.items).toContainEqual(
      expect.objectContaining({ operation: 'sms.refused', outcome: 'refused', actorType: 'system', subjectIds: [contact.id, customerId, alarmId] }),
    );
  });

  it('sends the notice for a new policy version (the start-up/hourly check), once', async () => {
    const customerId = await customer();
    const contact = await addContact(customerId);
    await fake.waitFor(() => smsTo(contact.phone).length > 0);
    // As if the notice had been sent for an older version: the current one is missing.
    await t.query(`UPDATE contact_notice SET policy_version = '2025-01-01' WHERE contact_id = $1`, [contact.id]);
    // And a contact written straight to the database (before the notice existed).
    const [legacy] = await t.query(`INSERT INTO contact (customer_id, name, phone, priority) VALUES ($1, 'Gammal Kontakt', $2, 2) RETURNING id`, [
      customerId,
      mobile(++n),
    ]);

    const notices = t.app.get(ContactNotices);
    expect(await notices.sendMissingNotices()).toBeGreaterThanOrEqual(2);
    expect(await notices.sendMissingNotices()).toBe(0);
    await fake.waitFor(() => smsTo(contact.phone).length === 2);
    const rows = await t.query(`SELECT contact_id, policy_version FROM contact_notice WHERE contact_id = ANY($1::uuid[]) ORDER BY created_at`, [
      [contact.id, legacy.id],
    ]);
    expect(rows).toEqual([
      { contact_id: contact.id, policy_version: '2025-01-01' },
      { contact_id: contact.id, policy_version: POLICY_VERSION },
      { contact_id: legacy.id, policy_version: POLICY_VERSION },
    ]);
    await settle();
    expect((await messagesFor(legacy.id)).map((m) => m.purpose)).toEqual(['contact_notice']);
  });

  describe('an alarm that needs a contact whose notice was not delivered', () => {
    it('carries the policy link in the alarm SMS; once delivered, it does not', async () => {
      const f = await AlarmFixtures.create(t, 5000);
      await f.setWaits('burglary', 1, 1);
      const { customer: owner, panel } = await f.household(0, { language: 'en' });
      const undelivered = await f.contact(owner.id);
      const delivered = await f.contact(owner.id);
      const [notice] = await fake.waitFor(() => smsTo(delivered.phone).length > 0 && smsTo(delivered.phone));
      await settle();
      await fake.sendStatus(notice, 'delivered');

      const res = await f.post(panel, { eventId: 'link-1', code: 'BA' });
      expect(res.status).toBe(202);
      const first = await fake.waitFor(() => smsTo(undelivered.phone).find((r) => r.body.includes('ALARM')), 8000);
      expect(first.body).toContain(`Privacy: ${PUBLIC}/privacy?lang=en`);
      expect(countSegments(first.body).segments).toBeLessThanOrEqual(2);
      expect(isGsm7(first.body)).toBe(true);

      const second = await fake.waitFor(() => smsTo(delivered.phone).find((r) => r.body.includes('ALARM')), 8000);
      expect(second.body).not.toContain('/privacy');
      await f.act(res.body.alarmId, { action: 'false_alarm' });
    });
  });
});

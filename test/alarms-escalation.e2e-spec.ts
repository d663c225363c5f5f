import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { EscalationEngine } from '../src/escalation/escalation-engine.js';
import { SmsOutbox } from '../src/sms/sms-outbox.js';
import { AlarmFixtures, replyCodeIn, waitUntil } from './support/alarm-fixtures.js';
import { FakeTwilio, type FakeTwilioRequest } from './support/fake-twilio.js';
import { FixedClock } from './support/fixed-clock.js';
import { openAlarmStream } from './support/sse.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const PUBLIC = 'https://alarm.example.test';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The escalation over HTTP, against the real app and a fake Twilio (the real SDK): owner first, then
 * the contacts one at a time, with waits of 1 s (set through the settings API). The app runs on a
 * FixedClock: a wait is passed by moving the clock on and running the due steps (`later`), and the
 * fake stamps each SMS with that clock, so the time between two texts is the escalation's own.
 */
describe('alarm escalation (owner first, then contacts, by SMS)', () => {
  let t: TestApp;
  let fake: FakeTwilio;
  let f: AlarmFixtures;
  const clock = new FixedClock();

  beforeAll(async () => {
    fake = await new FakeTwilio().start();
    // A short hand-over bound, so a provider that hangs shows in seconds (the default is 15 s).
    t = await createTestApp(
      fake.env(PUBLIC, { SMS_RATE_PER_SECOND: '1000', SMS_HANDOVER_TIMEOUT_SECONDS: '2', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    );
    clock.useIn(t.app);
    fake.now = () => clock.now().getTime();
    fake.connect({ baseUrl: t.baseUrl, publicBaseUrl: PUBLIC });
    f = await AlarmFixtures.create(t, 1000);
    await f.setWaits('burglary', 1, 1);
    await f.setWaits('technical', 1, 1);
    await f.setWaits('fire', 1, 1);
    // Long waits: anything that happens here quickly happened because of a failure, not a wait.
    await f.setWaits('water', 60, 60);
  });
  // Each test starts at the real time: an alarm's timeline orders its panel events (stamped by the
  // Clock) together with entries the database stamps.
  beforeEach(() => clock.set(new Date()));
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  // Contacts also get their onboarding notice (which ends with the STOP line); count alarm texts only.
  const smsTo = (phone: string) => fake.messages.filter((r) => r.to === phone && !/STOP\.$/.test(r.body));
  const firstSmsTo = (phone: string, timeoutMs = 5000) => fake.waitFor(() => smsTo(phone)[0], timeoutMs);
  const codeIn = (r: FakeTwilioRequest) => replyCodeIn(r.body);
  const stageOf = async (alarmId: string) => (await f.alarm(alarmId)).stage as string;
  const close = (alarmId: string) => f.act(alarmId, { action: 'false_alarm' });
  /** The escalation steps due by the clock run now. */
  const runDueSteps = async () => {
    const engine = t.app.get(EscalationEngine);
    engine.sweep();
    await engine.idle();
  };
  /** The clock moves on by `ms`; the alarm's escalation steps due by then run, and the SMS they queued go out. */
  const later = async (alarmId: string, ms: number) => {
    clock.advance(ms);
    await runDueSteps();
    await waitUntil(
      async () => (await t.query(`SELECT 1 FROM sms_message WHERE alarm_id = $1 AND status IN ('queued', 'sending')`, [alarmId])).length === 0,
      5000,
      "the alarm's SMS sent",
    );
  };
  /** The alarm's current step's SMS has been handed to the provider: its wait runs from now. */
  const handedOver = (alarmId: string) =>
    waitUntil(
      async () =>
        (await t.query(`SELECT 1 FROM alarm a JOIN sms_message m ON m.id = a.step_message_id WHERE a.id = $1 AND m.sent_at IS NOT NULL`, [alarmId])).length > 0,
      5000,
      'the step SMS handed over',
    );
  /** The current step's wait (1 s) runs out unanswered. */
  const waitRunsOut = async (alarmId: string) => {
    await handedOver(alarmId);
    await later(alarmId, 1000);
  };

  it("a provider that hangs on the owner's SMS does not hold up the contacts: past the hand-over bound the owner counts as not reached", async () => {
    // Water waits 60 s for the owner: only the bound (2 s here) can bring the contact in sooner.
    const { customer, contacts, panel } = await f.household(1);
    await fake.waitFor(() => fake.messages.find((r) => r.to === contacts[0].phone), 5000); // the contact's notice is out
    fake.failNext(1, 'timeout'); // the owner's SMS: the provider never answers (the sender gives up after 10 s)
    const res = await f.post(panel, { eventId: 'hang-1', code: 'WA', zone: '2' });
    expect(res.status).toBe(202);
    // Past the hand-over bound, counted from when the owner's SMS was queued (its row's created_at).
    const [{ queued }] = await t.query(`SELECT m.created_at AS queued FROM alarm a JOIN sms_message m ON m.id = a.step_message_id WHERE a.id = $1`, [
      res.body.alarmId,
    ]);
    clock.advance(queued.getTime() + 2000 - clock.now().getTime());
    await runDueSteps(); // (the owner's SMS is still being tried: only the contact's is waited for, below)
    const contact = await firstSmsTo(contacts[0].phone, 6000);
    expect(contact.body).toContain('water');
    const alarm = await f.alarm(res.body.alarmId);
    expect(alarm.stage).toBe('contacts');
    expect(alarm.timeline).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'stage', stage: 'contacts', from: 'owner', reason: 'sms_not_handed_over' })]),
    );
    expect(smsTo(customer.phone)).toHaveLength(0); // not handed over (yet): the outbox keeps trying
    await close(res.body.alarmId);
  });

  it("texts the owner at once with a reply code; the owner's reply acknowledges and stops the escalation", async () => {
    const { customer, contacts, panel } = await f.household(1);
    const res = await f.post(panel, { eventId: 'e-1', code: 'BA', zone: '3' });
    expect(res.status).toBe(202);
    const alarmId = res.body.alarmId;

    const owner = await firstSmsTo(customer.phone);
    expect(codeIn(owner)).toMatch(/^[1-9]\d\d$/);
    expect(owner.body).toBe(`Keyholder: ALARM - burglary at Storgatan ${customer.n}, Stockholm (zone 3). Reply ${codeIn(owner)} if you are handling it.`);
    expect(await stageOf(alarmId)).toBe('owner');

    const reply = await fake.sendInbound({ from: customer.phone, body: codeIn(owner) });
    expect(reply.status).toBe(200);
    expect(reply.text).toContain(`<Message>Thanks, alarm at Storgatan ${customer.n} is marked as handled by you.</Message>`);

    const alarm = await f.alarm(alarmId);
    expect(alarm).toMatchObject({ status: 'open', stage: 'acknowledged', acknowledgedBy: { type: 'owner', customerId: customer.id, via: 'reply_code' } });
    await later(alarmId, 1600); // past the owner's wait: nobody else is texted
    expect(smsTo(contacts[0].phone)).toHaveLength(0);
    const types = alarm.timeline.map((e: any) => e.type);
    expect(types).toEqual(['event', 'opened', 'sms', 'reply', 'acknowledged', 'sms']);
    expect(alarm.timeline[2]).toMatchObject({
      purpose: 'alarm_owner',
      legalBasis: 'contract',
      to: customer.phone,
      status: expect.stringMatching(/sent|delivered/),
    });
    await close(alarmId);
  });

  it('moves to contact 1 when the owner is silent, then contact 2, who acknowledges', async () => {
    const { customer, contacts, panel } = await f.household(2);
    const res = await f.post(panel, { eventId: 'e-2', code: 'BA' });
    const alarmId = res.body.alarmId;

    const owner = await firstSmsTo(customer.phone);
    await waitRunsOut(alarmId);
    const first = await firstSmsTo(contacts[0].phone, 5000);
    expect(first.at - owner.at).toBeGreaterThanOrEqual(950); // the owner's whole wait, from the hand-over
    expect(first.body).toContain(`ALARM - burglary at Anna Lind ${customer.n}'s, Storgatan ${customer.n}, Stockholm. We cannot reach Anna Lind ${customer.n}.`);
    expect((await f.alarm(alarmId)).stage).toBe('contacts');

    await waitRunsOut(alarmId);
    const second = await firstSmsTo(contacts[1].phone, 5000);
    expect(second.at - first.at).toBeGreaterThanOrEqual(950);
    const reply = await fake.sendInbound({ from: contacts[1].phone, body: codeIn(second) });
    expect(reply.text).toContain('is marked as handled by you.');

    const alarm = await f.alarm(alarmId);
    expect(alarm).toMatchObject({ stage: 'acknowledged', acknowledgedBy: { type: 'contact', contactId: contacts[1].id, via: 'reply_code' } });
    const messages = await t.query(
      `SELECT purpose, legal_basis, contact_id FROM sms_message WHERE alarm_id = $1 AND direction = 'outbound' AND purpose <> 'reply' ORDER BY created_at`,
      [alarmId],
    );
    expect(messages).toEqual([
      { purpose: 'alarm_owner', legal_basis: 'contract', contact_id: null },
      { purpose: 'alarm_contact', legal_basis: 'legitimate_interests', contact_id: contacts[0].id },
      { purpose: 'alarm_contact', legal_basis: 'legitimate_interests', contact_id: contacts[1].id },
    ]);
    // Acknowledged: nothing more is sent, and the owner's old code still answers (already handled).
    await later(alarmId, 1300);
    expect([customer.phone, ...contacts.map((c) => c.phone)].flatMap(smsTo)).toHaveLength(3);
    const late = await fake.sendInbound({ from: customer.phone, body: codeIn(owner) });
    expect(late.text).toContain('already marked as handled');
    await close(alarmId);
  });

  it('becomes unreached when nobody acknowledges, and texts contacts under vital interests for fire', async () => {
    const { customer, contacts, panel } = await f.household(1);
    const res = await f.post(panel, { eventId: 'e-3', code: 'FA' });
    await firstSmsTo(customer.phone);
    await waitRunsOut(res.body.alarmId);
    await firstSmsTo(contacts[0].phone);
    await waitRunsOut(res.body.alarmId);
    await waitUntil(async () => (await stageOf(res.body.alarmId)) === 'unreached', 5000, 'unreached');
    const [sms] = await t.query(`SELECT legal_basis FROM sms_message WHERE alarm_id = $1 AND purpose = 'alarm_contact'`, [res.body.alarmId]);
    expect(sms.legal_basis).toBe('vital_interests');
    const list = await t.request('GET', '/api/alarms?status=open', { token: f.tokens.operator });
    expect(list.body.items[0]).toMatchObject({ id: res.body.alarmId, stage: 'unreached' });
    await close(res.body.alarmId);
  });

  it("moves on at once when the owner's SMS fails for good (Twilio refuses the number)", async () => {
    const { customer, contacts, panel } = await f.household(1);
    fake.failNext(1, 'permanent');
    const res = await f.post(panel, { eventId: 'e-4', code: 'WA' }); // owner wait 60 s
    const contact = await firstSmsTo(contacts[0].phone, 5000);
    expect(contact.body).toContain('water leak');
    const [owner] = await t.query(`SELECT status, error_code FROM sms_message WHERE alarm_id = $1 AND purpose = 'alarm_owner'`, [res.body.alarmId]);
    expect(owner).toEqual({ status: 'failed', error_code: '21211' });
    expect(smsTo(customer.phone)).toHaveLength(0);
    const alarm = await f.alarm(res.body.alarmId);
    expect(alarm.timeline.find((e: any) => e.type === 'stage')).toMatchObject({ stage: 'contacts', from: 'owner', reason: 'sms_failed' });
    await close(res.body.alarmId);
  });

  it("moves on at once when Twilio reports the owner's SMS undelivered", async () => {
    const { customer, contacts, panel } = await f.household(1);
    const res = await f.post(panel, { eventId: 'e-5', code: 'WA' });
    const owner = await firstSmsTo(customer.phone);
    await waitUntil(async () => (await t.query(`SELECT 1 FROM sms_message WHERE alarm_id = $1 AND status = 'sent'`, [res.body.alarmId])).length > 0);
    expect((await fake.sendStatus(owner, 'undelivered', { ErrorCode: '30003' })).status).toBe(204);
    await firstSmsTo(contacts[0].phone, 3000);
    await close(res.body.alarmId);
  });

  it('counts a disarm at the panel during the owner stage as the owner acknowledging ("cancelled at the panel")', async () => {
    const { customer, contacts, panel } = await f.household(1);
    const res = await f.post(panel, { eventId: 'e-6', code: 'BA' });
    await firstSmsTo(customer.phone);
    const disarm = await f.post(panel, { eventId: 'e-7', code: 'OP', user: '1', method: 'keypad' });
    expect(disarm.status).toBe(202);
    const alarm = await f.alarm(res.body.alarmId);
    expect(alarm).toMatchObject({ stage: 'acknowledged', acknowledgedBy: { type: 'panel', via: 'panel_disarm', eventId: 'e-7', user: '1', method: 'keypad' } });
    expect(alarm.timeline.find((e: any) => e.type === 'acknowledged')).toMatchObject({ note: 'cancelled at the panel' });
    await later(res.body.alarmId, 1500);
    expect(smsTo(contacts[0].phone)).toHaveLength(0);
    await close(res.body.alarmId);
  });

  it('texts nobody for a duress code, and puts the alarm at the top of the queue as unreached', async () => {
    const { customer, contacts, panel } = await f.household(1);
    const burglary = await f.post(panel, { eventId: 'e-8', code: 'BA' });
    const duress = await f.post(panel, { eventId: 'e-9', code: 'HA' });
    expect(duress.body).toMatchObject({ class: 'duress', alarmId: expect.any(String) });
    expect(await stageOf(duress.body.alarmId)).toBe('unreached');
    await firstSmsTo(customer.phone); // the burglary's
    await sleep(300);
    const [{ n }] = await t.query(`SELECT count(*)::int AS n FROM sms_message WHERE alarm_id = $1`, [duress.body.alarmId]);
    expect(n).toBe(0);
    const list = await t.request('GET', `/api/alarms?status=open&customerId=${customer.id}`, { token: f.tokens.operator });
    expect(list.body.items.map((a: any) => a.id)).toEqual([duress.body.alarmId, burglary.body.alarmId]);
    await close(burglary.body.alarmId);
    await close(duress.body.alarmId);
    expect(smsTo(contacts[0].phone)).toHaveLength(0);
  });

  it("texts the contacts of a duress alarm only on an operator's decision (notify_contacts), one at a time, never the owner", async () => {
    const { contacts, panel } = await f.household(2);
    const duress = await f.post(panel, { eventId: 'e-duress-1', code: 'HA' });
    const alarmId = duress.body.alarmId as string;
    await sleep(300);
    expect(smsTo(contacts[0].phone)).toHaveLength(0);

    // Not for a class that escalates by itself.
    const burglary = await f.post(panel, { eventId: 'e-duress-2', code: 'BA', zone: '4' });
    const wrongClass = await f.act(burglary.body.alarmId, { action: 'notify_contacts' });
    expect(wrongClass.status).toBe(422);
    expect(wrongClass.body.code).toBe('alarm_action_not_applicable');
    await close(burglary.body.alarmId);

    const decided = await f.act(alarmId, { action: 'notify_contacts', note: 'caller silent on the line' });
    expect(decided.status).toBe(201);
    const first = await firstSmsTo(contacts[0].phone);
    expect(first.body).toContain('duress alarm');
    const [row] = await t.query(`SELECT purpose, legal_basis FROM sms_message WHERE alarm_id = $1 AND contact_id = $2`, [alarmId, contacts[0].id]);
    expect(row).toEqual({ purpose: 'alarm_contact', legal_basis: 'legitimate_interests' });
    expect(await stageOf(alarmId)).toBe('contacts');
    expect(smsTo(contacts[1].phone)).toHaveLength(0); // one at a time

    const again = await f.act(alarmId, { action: 'notify_contacts' });
    expect(again.status).toBe(422);
    expect(again.body.code).toBe('alarm_contacts_already_notified');

    // The first contact acknowledges by reply; nobody else is texted, the owner never was.
    await fake.sendInbound({ from: contacts[0].phone, body: codeIn(first) });
    await waitUntil(async () => (await stageOf(alarmId)) === 'acknowledged', 5000, 'acknowledged');
    const [{ n }] = await t.query(`SELECT count(*)::int AS n FROM sms_message WHERE alarm_id = $1 AND purpose = 'alarm_owner'`, [alarmId]);
    expect(n).toBe(0);
    const timeline = (await f.alarm(alarmId)).timeline as any[];
    expect(timeline.find((e) => e.type === 'action' && e.action === 'notify_contacts')).toBeDefined();
    await close(alarmId);
  });

  it('takes the decision to text the contacts of a duress alarm once, even when every contact had to be skipped', async () => {
    const { contacts, panel } = await f.household(1);
    const duress = await f.post(panel, { eventId: 'e-duress-skip', code: 'HA' });
    await fake.sendInbound({ from: contacts[0].phone, body: 'STOP' });
    const decided = await f.act(duress.body.alarmId, { action: 'notify_contacts' });
    expect(decided.status).toBe(201);
    expect(decided.body.stage).toBe('unreached');
    expect(decided.body.timeline.find((e: any) => e.type === 'step_skipped')).toMatchObject({ contactId: contacts[0].id, reason: 'contact_opted_out' });
    const again = await f.act(duress.body.alarmId, { action: 'notify_contacts' });
    expect(again.status).toBe(422);
    expect(again.body.code).toBe('alarm_contacts_already_notified');
    expect(smsTo(contacts[0].phone)).toHaveLength(0);
    await close(duress.body.alarmId);
  });

  it('lists who has been texted with each alarm, and streams the SMS delivery status as it arrives', async () => {
    const { customer, panel } = await f.household(1);
    const stream = await openAlarmStream(t.baseUrl, f.tokens.operator);
    const res = await f.post(panel, { eventId: 'e-texted-1', code: 'BA', zone: '7' });
    const owner = await firstSmsTo(customer.phone);
    const alarmId = res.body.alarmId as string;
    await waitUntil(async () => (await f.alarm(alarmId)).texted?.[0]?.status === 'sent', 5000, 'the owner SMS sent');
    const list = await t.request('GET', `/api/alarms?status=open&customerId=${customer.id}`, { token: f.tokens.operator });
    // The owner first (a contact may follow already: the waits here are 1 s).
    expect(list.body.items.find((a: any) => a.id === alarmId).texted[0]).toEqual({ to: 'owner', contactId: null, name: null, status: 'sent' });

    await fake.sendStatus(owner, 'delivered');
    await waitUntil(async () => stream.eventsAbout(alarmId).some((e) => e.includes('"status":"delivered"')), 3000, 'the delivery on the stream');
    await stream.close();
    await close(alarmId);
  });

  it('texts only the owner for a technical alarm, then it is unreached without reaching any contact', async () => {
    const { customer, contacts, panel } = await f.household(2);
    const res = await f.post(panel, { eventId: 'e-10', code: 'AT' });
    const owner = await firstSmsTo(customer.phone);
    expect(owner.body).toContain('technical fault');
    await waitRunsOut(res.body.alarmId);
    await waitUntil(async () => (await stageOf(res.body.alarmId)) === 'unreached', 5000, 'unreached');
    await later(res.body.alarmId, 1200);
    expect(smsTo(contacts[0].phone)).toHaveLength(0);
    expect(smsTo(contacts[1].phone)).toHaveLength(0);
    await close(res.body.alarmId);
  });

  it('skips a contact who opted out (STOP) after the alarm opened, and never texts them', async () => {
    const { customer, contacts, panel } = await f.household(2);
    const res = await f.post(panel, { eventId: 'e-11', code: 'BA' });
    await firstSmsTo(customer.phone);
    await fake.sendInbound({ from: contacts[0].phone, body: 'STOP' });
    await waitRunsOut(res.body.alarmId);
    const second = await firstSmsTo(contacts[1].phone, 5000);
    expect(second.body).toContain('ALARM');
    expect(smsTo(contacts[0].phone)).toHaveLength(0);
    const alarm = await f.alarm(res.body.alarmId);
    expect(alarm.escalation.chain).toEqual([contacts[0].id, contacts[1].id]);
    expect(alarm.timeline.find((e: any) => e.type === 'step_skipped')).toMatchObject({ contactId: contacts[0].id, reason: 'contact_opted_out' });
    await close(res.body.alarmId);
  });

  it('freezes the chain when the alarm opens: a contact added during the alarm is not texted', async () => {
    const { customer, contacts, panel } = await f.household(1);
    const res = await f.post(panel, { eventId: 'e-12', code: 'BA' });
    await firstSmsTo(customer.phone);
    const late = await f.contact(customer.id, 'Late');
    await waitRunsOut(res.body.alarmId);
    await firstSmsTo(contacts[0].phone);
    await waitRunsOut(res.body.alarmId);
    await waitUntil(async () => (await stageOf(res.body.alarmId)) === 'unreached', 5000, 'unreached');
    expect(fake.messages.filter((r) => r.to === late.phone && /ALARM/.test(r.body))).toHaveLength(0);
    expect((await f.alarm(res.body.alarmId)).escalation.chain).toEqual([contacts[0].id]);
    // ...and an operator cannot record reaching them for this alarm either.
    const refused = await f.act(res.body.alarmId, { action: 'contact_reached', contactId: late.id });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toContain("not in this alarm's escalation chain");
    await close(res.body.alarmId);
  });

  it('refuses, in the send policy, any SMS to a contact outside the rules (owner first, chain, turn)', async () => {
    const { customer, contacts, panel } = await f.household(2);
    await f.setWaits('tamper', 30, 30);
    const res = await f.post(panel, { eventId: 'e-13', code: 'TA' });
    await firstSmsTo(customer.phone);
    const outbox = t.app.get(SmsOutbox);
    const attempt = (contact: { id: string; phone: string }) =>
      outbox.enqueue({
        purpose: 'alarm_contact',
        to: contact.phone,
        body: 'Keyholder: ALARM',
        legalBasis: 'legitimate_interests',
        alarmId: res.body.alarmId,
        customerId: customer.id,
        contactId: contact.id,
      });
    // Owner stage: no contact may be texted.
    const early = await attempt(contacts[0]);
    expect(early.status).toBe('refused');
    expect(early.refusalReason).toMatch(/^alarm_contact_not_allowed: the alarm is in stage owner/);
    // Contacts stage, contact 1's turn: contact 2 may not be texted yet.
    await t.query(`UPDATE alarm SET stage = 'contacts', step = 1, next_step_at = now() + interval '1 hour' WHERE id = $1`, [res.body.alarmId]);
    const outOfTurn = await attempt(contacts[1]);
    expect(outOfTurn.refusalReason).toMatch(/not this contact's turn/);
    const stranger = await f.contact((await f.customer()).id);
    const notInChain = await outbox.enqueue({
      purpose: 'alarm_contact',
      to: stranger.phone,
      body: 'x',
      legalBasis: 'legitimate_interests',
      alarmId: res.body.alarmId,
      contactId: stranger.id,
    });
    expect(notInChain.refusalReason).toMatch(/not in the alarm's escalation chain/);
    await close(res.body.alarmId);
    const closed = await attempt(contacts[0]);
    expect(closed.refusalReason).toMatch(/the alarm is closed/);
    await sleep(200);
    expect(smsTo(contacts[0].phone)).toHaveLength(0);
    expect(smsTo(contacts[1].phone)).toHaveLength(0);
  });

  it("writes texts in the customer's language, without the national identity number", async () => {
    const { customer, contacts, panel } = await f.household(1, { language: 'sv', nationalId: '640823-3234' });
    const res = await f.post(panel, { eventId: 'e-14', code: 'BA' });
    const owner = await firstSmsTo(customer.phone);
    expect(owner.body).toMatch(/^Keyholder: LARM - inbrott på Storgatan \d+, Stockholm\. Svara [1-9]\d\d om du tar hand om det\.$/);
    await waitRunsOut(res.body.alarmId);
    const contact = await firstSmsTo(contacts[0].phone);
    expect(contact.body).toContain('Vi når inte');
    for (const body of [owner.body, contact.body]) {
      expect(body).not.toMatch(/6408233234|640823|3234/);
    }
    const reply = await fake.sendInbound({ from: contacts[0].phone, body: codeIn(contact) });
    expect(reply.text).toContain('Tack, larmet på Storgatan');
    await close(res.body.alarmId);
  });

  it('gives a phone texted by two open alarms two different codes, each acknowledging its own alarm, and a later alarm a code of its own', async () => {
    const { customer, panel } = await f.household(0);
    const a = await f.post(panel, { eventId: 'e-15', code: 'BA', zone: '1' });
    const b = await f.post(panel, { eventId: 'e-16', code: 'BA', zone: '2' });
    await fake.waitFor(() => smsTo(customer.phone).length === 2 && smsTo(customer.phone));
    const [first, second] = smsTo(customer.phone);
    expect(codeIn(first)).not.toBe(codeIn(second));
    const byCode = first.body.includes('zone 2') ? codeIn(first) : codeIn(second);
    await fake.sendInbound({ from: customer.phone, body: byCode });
    expect(await stageOf(b.body.alarmId)).toBe('acknowledged');
    expect(['owner', 'contacts', 'unreached']).toContain(await stageOf(a.body.alarmId));
    await close(a.body.alarmId);
    await close(b.body.alarmId);
    // Closed alarms free their codes, but the next alarm gets neither: a late reply to an old SMS
    // must not acknowledge a new alarm.
    const c = await f.post(panel, { eventId: 'e-17', code: 'BA', zone: '1' });
    await fake.waitFor(() => smsTo(customer.phone).length === 3);
    expect([codeIn(first), codeIn(second)]).not.toContain(codeIn(smsTo(customer.phone)[2]));
    await close(c.body.alarmId);
  });
});

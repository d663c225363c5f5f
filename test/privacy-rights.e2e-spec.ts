import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RetentionJobs } from '../src/privacy/retention.js';
import { ANONYMOUS_ID } from '../src/privacy/retention-policy.js';
import { AlarmFixtures, mobile } from './support/alarm-fixtures.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const PERSONNUMMER = '19640823-3234';

/** Data-subject rights (docs/api-contract.md#privacy: export, erasure) plus restriction and the retention jobs. */
describe('privacy rights: export, erasure, restriction, retention', () => {
  let t: TestApp;
  let f: AlarmFixtures;
  let dpo: string;
  let admin: string;
  let inbound = 0;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
    f = await AlarmFixtures.create(t, 6000);
    [dpo, admin] = await Promise.all([t.tokenFor('dpo'), t.tokenFor('admin')]);
  });
  afterAll(async () => t?.close());

  /** A household with an alarm handled to the end: contact 1 reached by phone, notes naming people, closed. */
  async function householdWithHistory(contacts = 1, extra: object = {}) {
    const h = await f.household(contacts, extra);
    const opened = await f.post(h.panel, { eventId: `ba-${h.customer.n}`, code: 'BA', zone: '3', text: 'Hall PIR, Anna bedroom' });
    expect(opened.status).toBe(202);
    const alarmId = opened.body.alarmId as string;
    if (contacts) {
      const reached = await f.act(alarmId, { action: 'contact_reached', contactId: h.contacts[0].id, note: `Spoke to contact ${h.customer.n}` });
      expect(reached.status).toBeLessThan(300);
    }
    const resolved = await f.act(alarmId, { action: 'resolved', note: `Owner Anna Lind ${h.customer.n} says the cat did it` });
    expect(resolved.status).toBeLessThan(300);
    const armed = await f.post(h.panel, { eventId: `cl-${h.customer.n}`, code: 'CL', user: '2', method: 'keypad' });
    expect(armed.status).toBe(202);
    // An SMS from the owner's phone that matched nothing (no ids on it), as inbound help texts are stored.
    await insertInbound(h.customer.phone, `hello from ${h.customer.n}`);
    return { ...h, alarmId };
  }

  async function insertInbound(from: string, body: string, createdAt?: string): Promise<string> {
    inbound += 1;
    const [row] = await t.query(
      `INSERT INTO sms_message (direction, to_phone, from_phone, body, purpose, legal_basis, status, provider_id, created_at)
       VALUES ('inbound', '+46700000000', $1, $2, 'reply', 'legitimate_interests', 'received', $3, COALESCE($4::timestamptz, now())) RETURNING id`,
      [from, body, `SM-privacy-${inbound}`, createdAt ?? null],
    );
    return row.id;
  }

  const erase = (path: string, token = dpo) => t.request('POST', `${path}/erasure`, { token });

  describe('export (Art. 15, 20)', () => {
    it("holds everything about the customer, national id in full, and nothing of another customer's", async () => {
      const h = await householdWithHistory(1, { nationalId: PERSONNUMMER });
      const other = await householdWithHistory(1);

      const res = await t.request('GET', `/api/customers/${h.customer.id}/export`, { token: dpo });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="keyholder-export-customer-.+\.json"$/);
      const e = res.body;
      expect(e.subject).toEqual({ type: 'customer', id: h.customer.id });
      expect(e.customer).toMatchObject({ id: h.customer.id, phone: h.customer.phone, nationalId: PERSONNUMMER, contractEndedAt: null });
      expect(e.contacts.map((c: any) => c.id)).toEqual([h.contacts[0].id]);
      expect(e.contacts[0].phone).toBe(h.contacts[0].phone);
      expect(e.panels.map((p: any) => p.id)).toEqual([h.panel.id]);
      expect(e.panels[0]).not.toHaveProperty('secret');
      expect(e.armingHistory).toEqual([expect.objectContaining({ action: 'arm', user: '2', method: 'keypad' })]);
      expect(e.alarms.map((a: any) => a.id)).toEqual([h.alarmId]);
      expect(e.alarms[0].timeline.length).toBeGreaterThan(2);
      expect(e.messages).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ purpose: 'alarm_owner', to: h.customer.phone, alarmId: h.alarmId }),
          expect.objectContaining({ direction: 'inbound', from: h.customer.phone, body: `hello from ${h.customer.n}` }),
        ]),
      );
      expect(e.processingLog.length).toBeGreaterThan(0);
      expect(e.processingLog.every((l: any) => typeof l.operation === 'string' && typeof l.legalBasis === 'string')).toBe(true);
      // Art. 15(1): purposes, legal bases, recipients, retention, source.
      const ops = e.processing.map((p: any) => p.operation);
      expect(ops).toEqual(expect.arrayContaining(['customers.create', 'alarms.escalation.text_owner']));
      for (const p of e.processing) {
        expect(p).toEqual(
          expect.objectContaining({
            purpose: expect.any(String),
            legalBasis: expect.any(String),
            recipients: expect.any(Array),
            retention: expect.any(String),
          }),
        );
      }
      expect(e.source).toMatch(/alarm panel/);
      expect(e.retention.join(' ')).toMatch(/12 months/);

      const text = JSON.stringify(e);
      for (const leak of [
        other.customer.id,
        other.customer.phone,
        other.contacts[0].id,
        other.contacts[0].phone,
        other.alarmId,
        `Anna Lind ${other.customer.n}"`,
      ]) {
        expect(text).not.toContain(leak);
      }
    });

    it("holds the contact's record, the alarms they were part of and their SMS, and nothing of another customer's", async () => {
      const h = await householdWithHistory(1);
      const other = await householdWithHistory(1);
      const contact = h.contacts[0];
      await insertInbound(contact.phone, 'who is this?');

      const res = await t.request('GET', `/api/customers/${h.customer.id}/contacts/${contact.id}/export`, { token: admin });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="keyholder-export-contact-/);
      const e = res.body;
      expect(e.subject).toEqual({ type: 'contact', id: contact.id });
      expect(e.contact).toMatchObject({ id: contact.id, phone: contact.phone, customerId: h.customer.id });
      expect(e.alarms).toEqual([expect.objectContaining({ id: h.alarmId, placeInEscalation: 1, acknowledgedByYou: true })]);
      expect(e.messages).toEqual(expect.arrayContaining([expect.objectContaining({ direction: 'inbound', from: contact.phone, body: 'who is this?' })]));
      expect(e.processing.length).toBeGreaterThan(0);
      expect(e.processing.map((p: any) => p.operation)).toContain('contacts.create');
      expect(e.source).toContain(h.customer.id);
      const text = JSON.stringify(e);
      // Not the owner's own data either: their phone, their inbound SMS.
      for (const leak of [other.customer.id, other.contacts[0].phone, other.alarmId, h.customer.phone, `hello from ${h.customer.n}`]) {
        expect(text).not.toContain(leak);
      }
    });

    it('answers 404 for an unknown customer or a contact of another customer, 400 for a malformed id', async () => {
      const a = await f.household(1);
      const b = await f.household(1);
      expect((await t.request('GET', `/api/customers/${UNKNOWN}/export`, { token: dpo })).status).toBe(404);
      expect((await t.request('GET', `/api/customers/${a.customer.id}/contacts/${b.contacts[0].id}/export`, { token: dpo })).status).toBe(404);
      const bad = await t.request('GET', `/api/customers/nope/export`, { token: dpo });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/id must be a UUID/);
    });
  });

  describe('roles', () => {
    it('lets only the DPO and admin make requests: 401 without a token, 403 for operators and supervisors', async () => {
      const h = await f.household(1);
      const [operator, supervisor] = [f.tokens.operator, f.tokens.supervisor];
      const c = `/api/customers/${h.customer.id}`;
      const k = `${c}/contacts/${h.contacts[0].id}`;
      const calls: Array<[string, string]> = [
        ['GET', `${c}/export`],
        ['GET', `${k}/export`],
        ['POST', `${c}/erasure`],
        ['POST', `${k}/erasure`],
        ['POST', `${c}/restriction`],
        ['DELETE', `${c}/restriction`],
        ['POST', `${k}/restriction`],
        ['DELETE', `${k}/restriction`],
      ];
      for (const [method, path] of calls) {
        expect([method, path, (await t.request(method, path)).status]).toEqual([method, path, 401]);
        expect([method, path, (await t.request(method, path, { token: operator })).status]).toEqual([method, path, 403]);
        expect([method, path, (await t.request(method, path, { token: supervisor })).status]).toEqual([method, path, 403]);
      }
      const [count] = await t.query(`SELECT count(*)::int AS n FROM customer WHERE id = $1 AND NOT restricted`, [h.customer.id]);
      expect(count.n).toBe(1);
    });
  });

  describe('erasure (Art. 17)', () => {
    it('refuses with 409 while the customer has an open alarm, and changes nothing', async () => {
      const h = await f.household(1);
      const opened = await f.post(h.panel, { eventId: 'open-1', code: 'BA', zone: '1' });
      expect(opened.status).toBe(202);
      const res = await erase(`/api/customers/${h.customer.id}`);
      expect(res.status).toBe(409);
      expect(res.body.message).toMatch(new RegExp(`open alarm \\(${opened.body.alarmId}\\)`));
      const contact = await erase(`/api/customers/${h.customer.id}/contacts/${h.contacts[0].id}`);
      expect(contact.status).toBe(409);
      expect(contact.body.message).toMatch(/open alarm/);
      const [row] = await t.query(`SELECT count(*)::int AS n FROM customer WHERE id = $1`, [h.customer.id]);
      expect(row.n).toBe(1);
      const [k] = await t.query(`SELECT count(*)::int AS n FROM contact WHERE id = $1`, [h.contacts[0].id]);
      expect(k.n).toBe(1);
    });

    it('erases the customer, their contacts and panels; anonymises alarm history and SMS; retains the log; repeats the same answer', async () => {
      const h = await householdWithHistory(2, { nationalId: PERSONNUMMER });
      const other = await householdWithHistory(1);
      const phones = [h.customer.phone, ...h.contacts.map((c) => c.phone)];
      const [names] = await t.query(`SELECT array_agg(name) AS names FROM contact WHERE customer_id = $1`, [h.customer.id]);
      const [logBefore] = await t.query(`SELECT count(*)::int AS n FROM processing_log WHERE subject_ids @> ARRAY[$1::uuid]`, [h.customer.id]);

      const res = await erase(`/api/customers/${h.customer.id}`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['anonymised', 'erased', 'retained']);
      expect(res.body.erased).toEqual(
        expect.arrayContaining([expect.stringMatching(/customer record/), expect.stringMatching(/^2 alarm contact/), expect.stringMatching(/^1 panel/)]),
      );
      expect(res.body.anonymised).toEqual(expect.arrayContaining([expect.stringMatching(/^1 alarm\(s\).*legal claims/), expect.stringMatching(/SMS/)]));
      expect(res.body.retained).toEqual(
        expect.arrayContaining([{ what: expect.stringMatching(/processing log/), reason: expect.stringMatching(/append-only/) }]),
      );
      // What stays at the SMS processor (the inbound text came through Twilio), and how it is removed there.
      expect(res.body.retained).toEqual(
        expect.arrayContaining([
          {
            what: expect.stringMatching(/^the copies of \d+ SMS at the processor Twilio/),
            reason: expect.stringMatching(/being deleted through Twilio's API.*message id/),
          },
        ]),
      );
      const [queued] = await t.query(`SELECT count(*)::int AS n FROM processor_deletion WHERE message_sid LIKE 'SM-privacy-%'`);
      expect(queued.n).toBeGreaterThan(0);

      const count = async (sql: string, params: unknown[]) => (await t.query(sql, params))[0].n as number;
      expect(await count(`SELECT count(*)::int AS n FROM customer WHERE id = $1`, [h.customer.id])).toBe(0);
      expect(await count(`SELECT count(*)::int AS n FROM contact WHERE customer_id = $1`, [h.customer.id])).toBe(0);
      expect(await count(`SELECT count(*)::int AS n FROM panel WHERE customer_id = $1`, [h.customer.id])).toBe(0);
      // Arm/disarm history is erased; the alarm's own events stay, under new ids and without their text.
      expect(await count(`SELECT count(*)::int AS n FROM panel_event WHERE customer_id = $1`, [h.customer.id])).toBe(0);
      expect(await count(`SELECT count(*)::int AS n FROM panel_event WHERE alarm_id = $1`, [h.alarmId])).toBe(0);
      expect(
        await count(`SELECT count(*)::int AS n FROM panel_event WHERE customer_id = $1 AND text IS NULL AND zone IS NULL`, [ANONYMOUS_ID]),
      ).toBeGreaterThan(0);
      expect(await count(`SELECT count(*)::int AS n FROM panel_event WHERE customer_id = $1 AND (text IS NOT NULL OR zone IS NOT NULL)`, [ANONYMOUS_ID])).toBe(
        0,
      );
      // The alarm stays for claims under a new id, with no ids, names, notes or numbers of anyone.
      expect(await count(`SELECT count(*)::int AS n FROM alarm WHERE id = $1 OR customer_id = $2`, [h.alarmId, h.customer.id])).toBe(0);
      const kept = await t.query(`SELECT id, panel_id, class, status, chain, acknowledged_by FROM alarm WHERE customer_id = $1 AND class = 'burglary'`, [
        ANONYMOUS_ID,
      ]);
      expect(kept.length).toBeGreaterThan(0);
      for (const a of kept)
        expect(a).toMatchObject({ panel_id: ANONYMOUS_ID, status: 'closed', chain: [], acknowledged_by: { type: 'contact', via: 'operator' } });
      const log = JSON.stringify(await t.query(`SELECT data FROM alarm_log WHERE alarm_id = ANY($1::uuid[])`, [kept.map((a: any) => a.id)]));
      for (const name of [...names.names, `Anna Lind ${h.customer.n}`, 'Spoke to contact', 'the cat did it', ...h.contacts.map((c) => c.id)])
        expect(log).not.toContain(name);
      // SMS: no number of theirs, no text, anywhere; the alarm's SMS stay without them.
      expect(await count(`SELECT count(*)::int AS n FROM sms_message WHERE to_phone = ANY($1) OR from_phone = ANY($1)`, [phones])).toBe(0);
      expect(await count(`SELECT count(*)::int AS n FROM sms_message WHERE customer_id = $1 OR alarm_id = $2`, [h.customer.id, h.alarmId])).toBe(0);
      expect(
        await count(
          `SELECT count(*)::int AS n FROM sms_message s JOIN alarm a ON a.id = s.alarm_id WHERE a.customer_id = $1 AND s.to_phone = 'erased' AND s.body = ''`,
          [ANONYMOUS_ID],
        ),
      ).toBeGreaterThan(0);
      expect(await count(`SELECT count(*)::int AS n FROM reply_code WHERE customer_id = $1`, [h.customer.id])).toBe(0);
      // The other household is untouched.
      expect(
        await count(`SELECT count(*)::int AS n FROM sms_message WHERE (to_phone = $1 OR from_phone = $1) AND body <> ''`, [other.customer.phone]),
      ).toBeGreaterThan(1);
      expect(await count(`SELECT count(*)::int AS n FROM panel_event WHERE customer_id = $1 AND alarm_id IS NULL`, [other.customer.id])).toBe(1);
      // The processing log is retained (append-only), and the erasure itself is in it.
      expect(await count(`SELECT count(*)::int AS n FROM processing_log WHERE subject_ids @> ARRAY[$1::uuid]`, [h.customer.id])).toBeGreaterThan(logBefore.n);
      expect(
        await count(
          `SELECT count(*)::int AS n FROM processing_log WHERE operation = 'privacy.subject.erasure' AND subject_ids @> ARRAY[$1::uuid] AND legal_basis = 'legal_obligation'`,
          [h.customer.id],
        ),
      ).toBe(1);

      const again = await erase(`/api/customers/${h.customer.id}`);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(res.body);
      const contactAgain = await erase(`/api/customers/${h.customer.id}/contacts/${h.contacts[1].id}`);
      expect(contactAgain.status).toBe(200);

      expect((await t.request('GET', `/api/customers/${h.customer.id}`, { token: dpo })).status).toBe(404);
      const exported = await t.request('GET', `/api/customers/${h.customer.id}/export`, { token: dpo });
      expect(exported.status).toBe(404);
      expect(exported.body.message).toMatch(/was erased on/);
      expect((await erase(`/api/customers/${UNKNOWN}`)).status).toBe(404);
    });

    it('erases one contact: gone from the list and from SMS, named nowhere in the alarm history, the rest renumbered', async () => {
      const h = await householdWithHistory(2);
      const [gone, kept] = h.contacts;
      const [row] = await t.query(`SELECT name FROM contact WHERE id = $1`, [gone.id]);
      await insertInbound(gone.phone, 'stop texting me please');

      const res = await erase(`/api/customers/${h.customer.id}/contacts/${gone.id}`);
      expect(res.status).toBe(200);
      expect(res.body.erased).toEqual([expect.stringMatching(/contact record/)]);
      expect(res.body.anonymised).toEqual(expect.arrayContaining([expect.stringMatching(/^1 alarm\(s\)/)]));
      expect(res.body.retained).toEqual(expect.arrayContaining([expect.objectContaining({ what: expect.stringMatching(/processing log/) })]));
      expect(res.body.retained).toEqual(
        expect.arrayContaining([expect.objectContaining({ what: expect.stringMatching(/^the copies of \d+ SMS at the processor Twilio/) })]),
      );

      const list = await t.request('GET', `/api/customers/${h.customer.id}/contacts`, { token: dpo });
      expect(list.body.items.map((c: any) => [c.id, c.priority])).toEqual([[kept.id, 1]]);
      const [n] = await t.query(`SELECT count(*)::int AS n FROM sms_message WHERE to_phone = $1 OR from_phone = $1`, [gone.phone]);
      expect(n.n).toBe(0);
      // The alarm stays the customer's; the contact is named nowhere in it, not even by id.
      const [alarm] = await t.query(`SELECT acknowledged_by, chain FROM alarm WHERE id = $1`, [h.alarmId]);
      expect(alarm.acknowledged_by).toMatchObject({ type: 'contact', via: 'operator' });
      expect(alarm.acknowledged_by).not.toHaveProperty('contactId');
      expect(alarm.acknowledged_by).not.toHaveProperty('name');
      expect(alarm.chain).toEqual([ANONYMOUS_ID, kept.id]);
      const log = JSON.stringify(await t.query(`SELECT data FROM alarm_log WHERE alarm_id = $1`, [h.alarmId]));
      expect(log).not.toContain(row.name);
      expect(log).not.toContain(gone.id);
      const [calls] = await t.query(`SELECT count(*)::int AS n FROM alarm_call WHERE contact_id = $1`, [gone.id]);
      expect(calls.n).toBe(0);
      expect(log).not.toContain('Spoke to contact');
      // The owner's data is theirs, not the contact's: it stays.
      expect(log).toContain('the cat did it');
      const [owner] = await t.query(`SELECT count(*)::int AS n FROM sms_message WHERE to_phone = $1 AND body <> ''`, [h.customer.phone]);
      expect(owner.n).toBeGreaterThan(0);

      // Never texted again: the send policy finds no such contact.
      expect((await t.request('GET', `/api/customers/${h.customer.id}/contacts/${gone.id}`, { token: dpo })).status).toBe(404);
      const again = await erase(`/api/customers/${h.customer.id}/contacts/${gone.id}`);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(res.body);
      // The record of it names another customer: still a 404 there.
      const stranger = await f.customer();
      expect((await erase(`/api/customers/${stranger.id}/contacts/${gone.id}`)).status).toBe(404);
    });
  });

  describe('restriction (Art. 18)', () => {
    it('sets and lifts the flag on a customer and on a contact', async () => {
      const h = await f.household(1);
      const c = `/api/customers/${h.customer.id}`;
      const k = `${c}/contacts/${h.contacts[0].id}`;
      const on = await t.request('POST', `${c}/restriction`, { token: dpo });
      expect(on.status).toBe(200);
      expect(on.body).toMatchObject({ id: h.customer.id, restricted: true });
      expect((await t.request('GET', c, { token: dpo })).body.restricted).toBe(true);
      expect((await t.request('POST', `${k}/restriction`, { token: dpo })).body).toMatchObject({ id: h.contacts[0].id, restricted: true });
      expect((await t.request('GET', k, { token: dpo })).body.restricted).toBe(true);
      // Lifting needs the time the person was told (Art. 18(3)).
      const notifiedAt = new Date().toISOString();
      expect((await t.request('DELETE', `${c}/restriction`, { token: admin, body: { notifiedAt } })).body).toMatchObject({
        id: h.customer.id,
        restricted: false,
      });
      expect((await t.request('DELETE', `${k}/restriction`, { token: admin, body: { notifiedAt } })).body).toMatchObject({ restricted: false });
      const [row] = await t.query(`SELECT c.restricted AS a, k.restricted AS b FROM customer c JOIN contact k ON k.customer_id = c.id WHERE c.id = $1`, [
        h.customer.id,
      ]);
      expect(row).toEqual({ a: false, b: false });
      expect((await t.request('POST', `/api/customers/${UNKNOWN}/restriction`, { token: dpo })).status).toBe(404);
    });
  });

  describe('retention jobs', () => {
    const jobs = () => t.app.get(RetentionJobs);
    const systemEntries = async (operation: string) =>
      t.query(`SELECT actor_type, actor_id, subject_ids FROM processing_log WHERE operation = $1 ORDER BY seq`, [operation]);

    it('erases a customer whose contract ended 13 months ago and keeps one that ended a month ago', async () => {
      const old = await householdWithHistory(1);
      const recent = await householdWithHistory(1);
      for (const h of [old, recent]) expect((await t.request('DELETE', `/api/customers/${h.customer.id}`, { token: f.tokens.supervisor })).status).toBe(204);
      await t.query(`UPDATE customer SET ended_at = now() - interval '13 months' WHERE id = $1`, [old.customer.id]);
      await t.query(`UPDATE customer SET ended_at = now() - interval '1 month' WHERE id = $1`, [recent.customer.id]);

      // A former customer is still a data subject: the DPO can export them until they are erased.
      const exported = await t.request('GET', `/api/customers/${recent.customer.id}/export`, { token: dpo });
      expect(exported.status).toBe(200);
      expect(exported.body.customer.contractEndedAt).toEqual(expect.any(String));

      const result = await jobs().eraseFormerCustomers();
      expect(result.customers).toContain(old.customer.id);
      expect(result.customers).not.toContain(recent.customer.id);
      const rows = await t.query(`SELECT id FROM customer WHERE id = ANY($1::uuid[])`, [[old.customer.id, recent.customer.id]]);
      expect(rows.map((r: any) => r.id)).toEqual([recent.customer.id]);
      const [alarms] = await t.query(`SELECT count(*)::int AS n FROM alarm WHERE id = $1 OR customer_id = $2`, [old.alarmId, old.customer.id]);
      expect(alarms.n).toBe(0);
      const [erased] = await t.query(`SELECT erased_by FROM erasure_record WHERE subject_type = 'customer' AND subject_id = $1`, [old.customer.id]);
      expect(erased.erased_by).toBe('system:retention');

      const entries = await systemEntries('privacy.retention.former_customers');
      expect(entries.at(-1)).toMatchObject({ actor_type: 'system', actor_id: 'retention' });
      expect(entries.at(-1).subject_ids).toContain(old.customer.id);
      expect(entries.at(-1).subject_ids).not.toContain(recent.customer.id);

      // Nothing left to do: it still writes that it ran.
      const before = entries.length;
      expect((await jobs().eraseFormerCustomers()).customers).not.toContain(old.customer.id);
      expect((await systemEntries('privacy.retention.former_customers')).length).toBe(before + 1);
    });

    it('erases a contact removed or opted out 13 months ago, not one removed last week or opted out last month', async () => {
      const h = await f.household(5);
      const [old, recent, objected, objectedRecently, current] = h.contacts;
      for (const k of [old, recent]) {
        expect((await t.request('DELETE', `/api/customers/${h.customer.id}/contacts/${k.id}`, { token: f.tokens.supervisor })).status).toBe(204);
      }
      await t.query(`UPDATE contact SET ended_at = now() - interval '13 months' WHERE id = $1`, [old.id]);
      await t.query(`UPDATE contact SET status = 'opted_out', opted_out_at = now() - interval '13 months' WHERE id = $1`, [objected.id]);
      await t.query(`UPDATE contact SET status = 'opted_out', opted_out_at = now() - interval '1 month' WHERE id = $1`, [objectedRecently.id]);
      const result = await jobs().eraseFormerCustomers();
      expect(result.contacts).toEqual(expect.arrayContaining([old.id, objected.id]));
      expect(result.contacts).not.toContain(recent.id);
      expect(result.contacts).not.toContain(objectedRecently.id);
      const rows = await t.query(`SELECT id FROM contact WHERE customer_id = $1 ORDER BY priority`, [h.customer.id]);
      expect(rows.map((r: any) => r.id).sort()).toEqual([recent.id, objectedRecently.id, current.id].sort());
    });

    it('blanks SMS texts older than 90 days and leaves newer ones', async () => {
      const phone = mobile(6999);
      const oldId = await insertInbound(phone, 'an old text', new Date(Date.now() - 91 * 24 * 3600 * 1000).toISOString());
      const newId = await insertInbound(phone, 'a recent text', new Date(Date.now() - 89 * 24 * 3600 * 1000).toISOString());
      const result = await jobs().blankSmsBodies();
      expect(result.messages).toBeGreaterThanOrEqual(1);
      const rows = await t.query(`SELECT id, body, from_phone FROM sms_message WHERE id = ANY($1::uuid[])`, [[oldId, newId]]);
      const byId = Object.fromEntries(rows.map((r: any) => [r.id, r]));
      expect(byId[oldId]).toMatchObject({ body: '', from_phone: phone });
      expect(byId[newId].body).toBe('a recent text');
      expect((await systemEntries('privacy.retention.sms_bodies')).at(-1)).toMatchObject({ actor_type: 'system', actor_id: 'retention' });
    });

    it('deletes test signals and heartbeats after 90 days, keeping arm/disarm history and signals about an alarm', async () => {
      const h = await householdWithHistory(0);
      const n = h.customer.n;
      for (const [eventId, code] of [
        [`rp-old-${n}`, 'RP'],
        [`rp-new-${n}`, 'RP'],
        [`tx-old-${n}`, 'BX'],
        [`op-old-${n}`, 'OP'],
        [`rp-alarm-${n}`, 'RP'],
      ]) {
        expect((await f.post(h.panel, { eventId, code })).status).toBe(202);
      }
      const age = async (eventId: string, days: number) =>
        t.query(`UPDATE panel_event SET received_at = now() - make_interval(days => $2) WHERE panel_id = $1 AND event_id = $3`, [h.panel.id, days, eventId]);
      await age(`rp-old-${n}`, 91);
      await age(`tx-old-${n}`, 91);
      await age(`rp-new-${n}`, 89);
      await age(`op-old-${n}`, 400);
      await age(`ba-${n}`, 400);
      // A signal linked to an alarm is alarm history, whatever its class.
      await age(`rp-alarm-${n}`, 91);
      await t.query(`UPDATE panel_event SET alarm_id = $1 WHERE panel_id = $2 AND event_id = $3`, [h.alarmId, h.panel.id, `rp-alarm-${n}`]);

      const result = await jobs().deleteOldSupervisionSignals();
      expect(result.signals).toBeGreaterThanOrEqual(2);
      const left = await t.query(`SELECT event_id FROM panel_event WHERE panel_id = $1 ORDER BY event_id`, [h.panel.id]);
      expect(left.map((r: any) => r.event_id)).toEqual([`ba-${n}`, `cl-${n}`, `op-old-${n}`, `rp-alarm-${n}`, `rp-new-${n}`].sort());
      // Supervision keeps the latest: the panel was heard from just now.
      const [panel] = await t.query(`SELECT last_seen_at > now() - interval '1 minute' AS recent FROM panel WHERE id = $1`, [h.panel.id]);
      expect(panel.recent).toBe(true);
      const entry = (await systemEntries('privacy.retention.supervision_signals')).at(-1);
      expect(entry).toMatchObject({ actor_type: 'system', actor_id: 'retention' });
      expect(entry.subject_ids).toContain(h.customer.id);
      // Arm/disarm history still shows the 400-day-old disarm.
      const history = await t.request('GET', `/api/customers/${h.customer.id}/arming-history`, { token: f.tokens.supervisor });
      expect(history.status).toBe(200);
      expect(JSON.stringify(history.body)).toContain(`op-old-${n}`);
    });

    it('anonymises alarm history 10 years after the alarm closed, unlinking it from the customer', async () => {
      const h = await householdWithHistory(1);
      const recent = await householdWithHistory(1);
      await t.query(`UPDATE alarm SET closed_at = now() - interval '10 years 1 day' WHERE id = $1`, [h.alarmId]);
      await t.query(`UPDATE alarm SET closed_at = now() - interval '9 years' WHERE id = $1`, [recent.alarmId]);
      const result = await jobs().anonymiseAlarmHistory();
      expect(result.alarms).toBeGreaterThanOrEqual(1);
      // Moved to a new id, unlinked from the customer, panel and contacts; the same code path as an erasure.
      const [gone] = await t.query(`SELECT count(*)::int AS n FROM alarm WHERE id = $1`, [h.alarmId]);
      expect(gone.n).toBe(0);
      const [a] = await t.query(
        `SELECT customer_id, panel_id, chain, acknowledged_by, class FROM alarm WHERE customer_id = $1 AND closed_at < now() - interval '10 years'`,
        [ANONYMOUS_ID],
      );
      expect(a).toMatchObject({
        customer_id: ANONYMOUS_ID,
        panel_id: ANONYMOUS_ID,
        chain: [],
        class: 'burglary',
        acknowledged_by: { type: 'contact', via: 'operator' },
      });
      const [sms] = await t.query(
        `SELECT count(*)::int AS n FROM sms_message s JOIN alarm a ON a.id = s.alarm_id WHERE a.customer_id = $1 AND (s.body <> '' OR s.to_phone <> 'erased' OR s.customer_id IS NOT NULL)`,
        [ANONYMOUS_ID],
      );
      expect(sms.n).toBe(0);
      const [events] = await t.query(`SELECT count(*)::int AS n FROM panel_event WHERE alarm_id = $1 OR (customer_id = $2 AND alarm_id IS NOT NULL)`, [
        h.alarmId,
        h.customer.id,
      ]);
      expect(events.n).toBe(0);
      const [kept] = await t.query(`SELECT customer_id FROM alarm WHERE id = $1`, [recent.alarmId]);
      expect(kept.customer_id).toBe(recent.customer.id);
      expect((await systemEntries('privacy.retention.alarm_history')).at(-1).subject_ids).toContain(h.customer.id);
      // The customer themselves is current: their record stays.
      expect((await t.request('GET', `/api/customers/${h.customer.id}`, { token: dpo })).status).toBe(200);
    });

    it('are in the record of processing with the periods they apply', async () => {
      const res = await t.request('GET', '/api/privacy/ropa', { token: dpo });
      const rows = Object.fromEntries(res.body.items.map((r: any) => [r.operation, r]));
      expect(rows['privacy.retention.former_customers']).toMatchObject({ legalBasis: 'legal_obligation', performedBy: ['RetentionJobs.eraseFormerCustomers'] });
      expect(rows['privacy.retention.former_customers'].retention).toMatch(/12 months after the contract ends/);
      expect(rows['privacy.retention.sms_bodies'].retention).toMatch(/90 days/);
      expect(rows['privacy.retention.alarm_history'].retention).toMatch(/10 years/);
      expect(rows['privacy.retention.supervision_signals']).toMatchObject({
        legalBasis: 'legal_obligation',
        performedBy: ['RetentionJobs.deleteOldSupervisionSignals'],
      });
      expect(rows['privacy.retention.supervision_signals'].retention).toMatch(/90 days/);
      expect(rows['panels.events.receive'].retention).toMatch(/90 days.*12 months after the contract ends/);
      expect(rows['customers.arming_history.read'].retention).toMatch(/12 months after the contract ends/);
      expect(rows['customers.create'].retention).toMatch(/12 months after the contract ends/);
      expect(rows['alarms.actions'].retention).toMatch(/10 years/);
      expect(rows['privacy.subject.export']).toMatchObject({ legalBasis: 'legal_obligation' });
      expect(rows['privacy.subject.export'].performedBy).toEqual(
        expect.arrayContaining(['GET /api/customers/:id/export', 'GET /api/customers/:id/contacts/:contactId/export']),
      );
      expect(rows['privacy.subject.erasure']).toMatchObject({ legalBasis: 'legal_obligation' });
    });
  });
});

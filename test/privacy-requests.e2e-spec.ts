import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { AlarmFixtures } from './support/alarm-fixtures.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const DAY = 24 * 3600 * 1000;

/** The register of data subjects' requests (docs/api-contract.md#privacy): deadlines, extension, outcome, and what was produced. */
describe('the register of data subject requests', () => {
  let t: TestApp;
  let f: AlarmFixtures;
  let dpo: string;
  let admin: string;

  beforeAll(async () => {
    // Oslo, not the default: every deadline below is in the configured zone.
    t = await createTestApp({ COMPANY_TIME_ZONE: 'Europe/Oslo', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
    f = await AlarmFixtures.create(t, 7000);
    [dpo, admin] = await Promise.all([t.tokenFor('dpo'), t.tokenFor('admin')]);
  });
  afterAll(async () => t?.close());

  const register = (body: object, token = dpo) => t.request('POST', '/api/privacy/requests', { token, body });
  const patch = (id: string, body: object, token = dpo) => t.request('PATCH', `/api/privacy/requests/${id}`, { token, body });
  const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

  async function request(kind: string, extra: object = {}, subject?: { type: string; id: string }) {
    const s = subject ?? { type: 'customer', id: (await f.customer()).id };
    const res = await register({ kind, subjectType: s.type, subjectId: s.id, ...extra });
    expect(res.status).toBe(201);
    return res.body;
  }

  describe('deadlines in the company time zone (Art. 12(3))', () => {
    it('is due at the end of the same date a month later, Oslo time, received now by default', async () => {
      const before = Date.now();
      const r = await request('access');
      expect(r).toMatchObject({ kind: 'access', subjectType: 'customer', status: 'open', overdue: false, identityCheck: null, documents: [] });
      expect(Date.parse(r.receivedAt)).toBeGreaterThanOrEqual(before - 1000);
      const due = new Date(r.dueAt);
      // The last millisecond of a day in Oslo: the next instant is midnight there.
      expect(
        new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Oslo', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(due.getTime() + 1)),
      ).toBe('00:00');
      expect(r.dueAt).toBe(r.originalDueAt);
    });

    it('ends on the last day of February for a request received on 31 January', async () => {
      const r = await request('access', { receivedAt: '2025-01-31T10:00:00+01:00' });
      expect(r.dueAt).toBe('2025-02-28T22:59:59.999Z');
      expect(r.dueDate).toBe('2025-02-28');
      const leap = await request('access', { receivedAt: '2024-01-31T10:00:00+01:00' });
      expect(leap.dueDate).toBe('2024-02-29');
    });

    it('counts the day of receipt as Oslo sees it, and the end of the due day across summer time', async () => {
      // 23:30 UTC on 31 January is 1 February in Oslo: due 1 March, not 28 February.
      const lateEvening = await request('erasure', { receivedAt: '2025-01-31T23:30:00Z' });
      expect(lateEvening.dueAt).toBe('2025-03-01T22:59:59.999Z');
      // Received in winter time (UTC+1), due in summer time (UTC+2): still the end of that day in Oslo.
      const spring = await request('erasure', { receivedAt: '2025-03-15T12:00:00Z' });
      expect(spring.dueAt).toBe('2025-04-15T21:59:59.999Z');
    });

    it('refuses a receipt in the future, and an unknown subject', async () => {
      const c = await f.customer();
      const future = await register({ kind: 'access', subjectType: 'customer', subjectId: c.id, receivedAt: new Date(Date.now() + DAY).toISOString() });
      expect(future.status).toBe(400);
      expect(future.body.message).toMatch(/receivedAt must not be in the future/);
      const unknown = await register({ kind: 'access', subjectType: 'customer', subjectId: UNKNOWN });
      expect(unknown.status).toBe(422);
      expect(unknown.body.message).toMatch(/subjectId: no customer/);
      // A customer's id is not a contact's.
      const wrongType = await register({ kind: 'access', subjectType: 'contact', subjectId: c.id });
      expect(wrongType.status).toBe(422);
    });
  });

  describe('extension', () => {
    it('moves the due date two more months (three after receipt) and writes the notice, needing a reason', async () => {
      const c = await f.customer({ language: 'sv' });
      const r = await request('access', { receivedAt: ago(3) }, { type: 'customer', id: c.id });
      const noReason = await patch(r.id, { status: 'extended' });
      expect(noReason.status).toBe(400);
      expect(noReason.body.message).toMatch(/extensionReason is required/);
      const blank = await patch(r.id, { status: 'extended', extensionReason: '   ' });
      expect(blank.status).toBe(400);
      expect(blank.body.message).toEqual(expect.arrayContaining([expect.stringMatching(/extensionReason must not be blank/)]));

      const extended = await patch(r.id, { status: 'extended', extensionReason: 'many years of alarm history to collect' });
      expect(extended.status).toBe(200);
      expect(extended.body).toMatchObject({ status: 'extended', extensionReason: 'many years of alarm history to collect', originalDueAt: r.dueAt });
      expect(extended.body.dueDate).toBe(DateTime.fromISO(r.receivedAt, { zone: 'Europe/Oslo' }).plus({ months: 3 }).toISODate());
      expect(Date.parse(extended.body.extendedAt)).toBeGreaterThan(Date.now() - 60_000);
      // In the customer's language, with why and by when.
      expect(extended.body.extensionNotice).toContain('Vi tog emot din begäran om tillgång');
      expect(extended.body.extensionNotice).toContain('many years of alarm history to collect');
      expect(extended.body.extensionNotice).toContain(`senast den ${extended.body.dueDate}`);
    });

    it('is allowed once, and only within the first month', async () => {
      const r = await request('erasure', { receivedAt: ago(2) });
      expect((await patch(r.id, { status: 'extended', extensionReason: 'complex' })).status).toBe(200);
      const twice = await patch(r.id, { status: 'extended', extensionReason: 'still complex' });
      expect(twice.status).toBe(409);
      expect(twice.body.message).toMatch(/already extended on \d{4}-\d{2}-\d{2}; Art. 12\(3\) allows one extension/);

      const late = await request('erasure', { receivedAt: ago(40) });
      const tooLate = await patch(late.id, { status: 'extended', extensionReason: 'complex' });
      expect(tooLate.status).toBe(409);
      expect(tooLate.body.message).toMatch(/was due on \d{4}-\d{2}-\d{2}: an extension must be decided and told to the person within the first month/);
      const [row] = await t.query(`SELECT status, due_at = original_due_at AS unchanged FROM privacy_request WHERE id = $1`, [late.id]);
      expect(row).toEqual({ status: 'open', unchanged: true });
    });
  });

  describe('outcome and transitions', () => {
    it('is done only once the identity check is recorded; refused only with a reason; closed is final', async () => {
      const r = await request('rectification');
      const unchecked = await patch(r.id, { status: 'done', outcome: 'address corrected' });
      expect(unchecked.status).toBe(409);
      expect(unchecked.body.message).toMatch(/identityCheck, Art. 12\(6\)/);
      const checked = await patch(r.id, { identityCheck: 'called back on the number in the contract; confirmed the alarm address' });
      expect(checked.status).toBe(200);
      expect(checked.body).toMatchObject({ status: 'open', identityCheck: 'called back on the number in the contract; confirmed the alarm address' });
      const done = await patch(r.id, { status: 'done', outcome: 'address corrected' });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ status: 'done', outcome: 'address corrected', overdue: false });
      expect(Date.parse(done.body.closedAt)).toBeGreaterThan(Date.now() - 60_000);
      const again = await patch(r.id, { status: 'refused', outcome: 'changed my mind' });
      expect(again.status).toBe(409);
      expect(again.body.message).toMatch(/was closed as done on .*; a closed request does not change/);
      const reopen = await patch((await request('objection')).id, { status: 'open' });
      expect(reopen.status).toBe(409);
      expect(reopen.body.message).toMatch(/cannot be set back to open/);

      const o = await request('objection');
      const noReason = await patch(o.id, { status: 'refused' });
      expect(noReason.status).toBe(400);
      expect(noReason.body.message).toMatch(/outcome is required to refuse/);
      const refused = await patch(o.id, { status: 'refused', outcome: 'the alarm SMS are needed to protect the home: compelling grounds (Art. 21(1))' });
      expect(refused.status).toBe(200);
      expect(refused.body.status).toBe('refused');
    });

    it('lists overdue requests first and filters by status and overdue', async () => {
      const overdue = await request('portability', { receivedAt: ago(45) });
      const due = await request('portability', { receivedAt: ago(1) });
      const closedLate = await request('portability', { receivedAt: ago(50), identityCheck: 'in person, passport' });
      expect((await patch(closedLate.id, { status: 'done', outcome: 'sent' })).status).toBe(200);
      expect(overdue.overdue).toBe(true);

      const listed = await t.request('GET', '/api/privacy/requests?overdue=true', { token: dpo });
      expect(listed.status).toBe(200);
      const ids = listed.body.items.map((i: { id: string }) => i.id);
      expect(ids).toContain(overdue.id);
      expect(ids).not.toContain(due.id);
      expect(ids).not.toContain(closedLate.id);
      expect(listed.body.total).toBe(listed.body.items.length);
      for (const item of listed.body.items) expect(item).toMatchObject({ overdue: true, status: expect.stringMatching(/^(open|extended)$/) });

      const all = await t.request('GET', '/api/privacy/requests', { token: admin });
      const order = all.body.items.map((i: { id: string }) => i.id);
      expect(order.indexOf(overdue.id)).toBeLessThan(order.indexOf(due.id));
      expect(order.indexOf(due.id)).toBeLessThan(order.indexOf(closedLate.id));
      const done = await t.request('GET', '/api/privacy/requests?status=done', { token: dpo });
      expect(done.body.items.every((i: { status: string }) => i.status === 'done')).toBe(true);
      expect(done.body.items.map((i: { id: string }) => i.id)).toContain(closedLate.id);
    });
  });

  describe('export and erasure run from a request', () => {
    it("exports with the rights and complaint text in the customer's language, and records only the hash and size", async () => {
      for (const [language, rights, authority] of [
        ['sv', 'Dina rättigheter', 'Integritetsskyddsmyndigheten (IMY, imy.se)'],
        ['nb', 'Dine rettigheter', 'Datatilsynet (datatilsynet.no)'],
        ['en', 'Your rights', 'Integritetsskyddsmyndigheten (IMY, imy.se)'],
      ] as const) {
        const h = await f.household(1, { language });
        const r = await request('access', {}, { type: 'customer', id: h.customer.id });
        const unchecked = await t.request('POST', `/api/privacy/requests/${r.id}/export`, { token: dpo });
        expect(unchecked.status).toBe(409);
        expect(unchecked.body.message).toMatch(/identityCheck, Art. 12\(6\)/);
        expect((await patch(r.id, { identityCheck: 'BankID' })).status).toBe(200);

        const res = await t.request('POST', `/api/privacy/requests/${r.id}/export`, { token: dpo });
        expect(res.status).toBe(200);
        expect(res.body.subject).toEqual({ type: 'customer', id: h.customer.id });
        expect(res.body.yourRights).toMatchObject({ language, rights: { heading: rights } });
        const rightsText = JSON.stringify(res.body.yourRights.rights);
        expect(rightsText).toContain(authority);
        // Rectification, erasure, restriction and objection: Art. 16, 17, 18, 21.
        for (const article of ['16', '17', '18', '21']) expect(rightsText).toMatch(new RegExp(`(Art|art)\\. ${article}\\b`));
        expect(res.body.yourRights.source).toBeUndefined();

        const stored = await t.request('GET', `/api/privacy/requests/${r.id}`, { token: dpo });
        expect(stored.body.documents).toEqual([
          {
            kind: 'export',
            at: expect.any(String),
            by: expect.any(String),
            sha256: createHash('sha256').update(res.text).digest('hex'),
            bytes: Buffer.byteLength(res.text),
          },
        ]);
        // Nothing of the document itself is in the register.
        const [row] = await t.query(`SELECT documents::text AS d FROM privacy_request WHERE id = $1`, [r.id]);
        expect(row.d).not.toContain(h.customer.phone);
      }
    });

    it("exports a contact with the source of their data (Art. 14(2)(f)) in their customer's language", async () => {
      const h = await f.household(1, { language: 'nb' });
      const r = await request('access', { identityCheck: 'called back' }, { type: 'contact', id: h.contacts[0].id });
      expect(r.customerId).toBe(h.customer.id);
      const res = await t.request('POST', `/api/privacy/requests/${r.id}/export`, { token: admin });
      expect(res.status).toBe(200);
      expect(res.body.contact.id).toBe(h.contacts[0].id);
      expect(res.body.yourRights.language).toBe('nb');
      expect(res.body.yourRights.source.paragraphs[0]).toContain('kunden som har oppgitt deg som alarmkontakt');
      // The export by the old route carries the same text.
      const direct = await t.request('GET', `/api/customers/${h.customer.id}/contacts/${h.contacts[0].id}/export`, { token: dpo });
      expect(direct.body.yourRights).toEqual(res.body.yourRights);
    });

    it('erases from an erasure request and records the answer; other kinds cannot erase', async () => {
      const h = await f.household(1);
      const access = await request('access', { identityCheck: 'BankID' }, { type: 'customer', id: h.customer.id });
      const wrong = await t.request('POST', `/api/privacy/requests/${access.id}/erasure`, { token: dpo });
      expect(wrong.status).toBe(409);
      expect(wrong.body.message).toMatch(/an erasure answers a request for erasure; request .* is for access/);
      expect((await t.query(`SELECT 1 FROM customer WHERE id = $1`, [h.customer.id])).length).toBe(1);

      const r = await request('erasure', { identityCheck: 'BankID' }, { type: 'customer', id: h.customer.id });
      const res = await t.request('POST', `/api/privacy/requests/${r.id}/erasure`, { token: dpo });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ erased: expect.any(Array), anonymised: expect.any(Array), retained: expect.any(Array) });
      expect((await t.query(`SELECT 1 FROM customer WHERE id = $1`, [h.customer.id])).length).toBe(0);
      const stored = await t.request('GET', `/api/privacy/requests/${r.id}`, { token: dpo });
      expect(stored.body.documents).toEqual([{ kind: 'erasure', at: expect.any(String), by: expect.any(String), result: res.body }]);
      // The request outlives the erasure and can be closed.
      expect((await patch(r.id, { status: 'done', outcome: 'erased; alarm history anonymised' })).status).toBe(200);
    });

    it('writes every request operation to the processing log under the subject', async () => {
      const c = await f.customer();
      const r = await request('restriction', {}, { type: 'customer', id: c.id });
      await patch(r.id, { identityCheck: 'BankID' });
      const log = await t.query(
        `SELECT operation, legal_basis FROM processing_log WHERE subject_ids @> ARRAY[$1::uuid] AND operation LIKE 'privacy.requests.%' ORDER BY seq`,
        [c.id],
      );
      expect(log).toEqual([
        { operation: 'privacy.requests.register', legal_basis: 'legal_obligation' },
        { operation: 'privacy.requests.update', legal_basis: 'legal_obligation' },
      ]);
    });
  });

  describe('refusals', () => {
    it('answers bad input with 400 naming the field, unknown ids with 404', async () => {
      const c = await f.customer();
      const bad = await register({ kind: 'complaint', subjectType: 'person', subjectId: 'nope', receivedAt: 'yesterday', extra: 1 });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^kind must be one of access, rectification/),
          'subjectType must be customer or contact',
          'subjectId must be a UUID',
          expect.stringMatching(/^receivedAt must be an ISO 8601 date-time/),
          expect.stringMatching(/extra should not exist/),
        ]),
      );
      const long = await register({ kind: 'access', subjectType: 'customer', subjectId: c.id, note: 'x'.repeat(2001) });
      expect(long.status).toBe(400);
      expect(long.body.message).toEqual(['note must be at most 2000 characters']);
      expect((await t.request('POST', '/api/privacy/requests', { token: dpo, raw: '{"kind":', headers: { 'content-type': 'application/json' } })).status).toBe(
        400,
      );
      expect(
        (
          await t.request('POST', '/api/privacy/requests', {
            token: dpo,
            raw: JSON.stringify({ note: 'x'.repeat(200_000) }),
            headers: { 'content-type': 'application/json' },
          })
        ).status,
      ).toBe(413);
      expect((await t.request('GET', '/api/privacy/requests?overdue=yes', { token: dpo })).status).toBe(400);
      expect((await t.request('GET', '/api/privacy/requests?status=lost', { token: dpo })).status).toBe(400);
      expect((await patch(UNKNOWN, { identityCheck: 'x' })).status).toBe(404);
      expect((await patch('nope', { identityCheck: 'x' })).status).toBe(400);
      expect((await t.request('POST', `/api/privacy/requests/${UNKNOWN}/export`, { token: dpo })).status).toBe(404);
      expect((await t.request('GET', `/api/privacy/requests/${UNKNOWN}`, { token: dpo })).status).toBe(404);
      const empty = await patch((await request('access')).id, {});
      expect(empty.status).toBe(400);
      expect(empty.body.message).toMatch(/give status/);
    });

    it('lets only the DPO and admin in: 401 without or with a forged token, 403 for operators and supervisors', async () => {
      const r = await request('access', { identityCheck: 'BankID' });
      const calls: Array<[string, string, object?]> = [
        ['POST', '/api/privacy/requests', { kind: 'access', subjectType: 'customer', subjectId: r.subjectId }],
        ['GET', '/api/privacy/requests'],
        ['GET', `/api/privacy/requests/${r.id}`],
        ['PATCH', `/api/privacy/requests/${r.id}`, { status: 'refused', outcome: 'no' }],
        ['POST', `/api/privacy/requests/${r.id}/export`],
        ['POST', `/api/privacy/requests/${r.id}/erasure`],
      ];
      for (const [method, path, body] of calls) {
        expect([method, path, (await t.request(method, path, { body })).status]).toEqual([method, path, 401]);
        expect([method, path, (await t.request(method, path, { body, token: 'forged-token-0000000000' })).status]).toEqual([method, path, 401]);
        expect([method, path, (await t.request(method, path, { body, token: f.tokens.operator })).status]).toEqual([method, path, 403]);
        expect([method, path, (await t.request(method, path, { body, token: f.tokens.supervisor })).status]).toEqual([method, path, 403]);
      }
      const [row] = await t.query(`SELECT status, documents FROM privacy_request WHERE id = $1`, [r.id]);
      expect(row).toEqual({ status: 'open', documents: [] });
    });
  });
});

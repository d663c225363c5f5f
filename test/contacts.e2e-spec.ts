import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ContactNotices } from '../src/contacts/contact-notices.js';
import { RouteDeclarations } from '../src/common/route-declarations.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const CUSTOMER = {
  name: 'Anna Lind',
  phone: '+46701234567',
  alarmAddress: { street: 'Storgatan 1', postalCode: '114 55', city: 'Stockholm', country: 'SE' },
};

/** Valid Swedish mobile numbers, distinct: +4670100000n. */
const mobile = (n: number) => `+467010000${String(n).padStart(2, '0')}`;

describe('contacts', () => {
  let t: TestApp;
  let operator: string;
  let supervisor: string;
  let dpo: string;

  beforeAll(async () => {
    t = await createTestApp();
    [operator, supervisor, dpo] = await Promise.all([t.tokenFor('operator'), t.tokenFor('supervisor'), t.tokenFor('dpo')]);
  });
  afterAll(async () => t?.close());

  const newCustomer = async (body: object = CUSTOMER) => {
    const res = await t.request('POST', '/api/customers', { token: operator, body });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const add = (customerId: string, body: unknown, token = operator) => t.request('POST', `/api/customers/${customerId}/contacts`, { token, body });
  const list = async (customerId: string, token = operator) => {
    const res = await t.request('GET', `/api/customers/${customerId}/contacts`, { token });
    expect(res.status).toBe(200);
    return res.body as { items: { id: string; name: string; priority: number; phone: string }[]; total: number };
  };

  it('adds a contact: mobile in E.164, the id, customerId, status and its onboarding notice', async () => {
    const customerId = await newCustomer();
    const res = await add(customerId, { name: 'Erik Lind', phone: '070-100 00 01', email: 'erik@example.se', relation: 'partner' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      customerId,
      name: 'Erik Lind',
      phone: '+46701000001',
      email: 'erik@example.se',
      relation: 'partner',
      priority: 1,
      status: 'active',
      restricted: false,
      notice: expect.objectContaining({ status: expect.stringMatching(/^(pending|sent)$/), policyVersion: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) }),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const minimal = await add(customerId, { name: 'Nils Granne', phone: mobile(2) });
    expect(minimal.body).toMatchObject({ relation: 'other', email: null, priority: 2 });
  });

  it('reads a contact phone without + in the customer alarm country', async () => {
    const customerId = await newCustomer({
      ...CUSTOMER,
      phone: '+4740612345',
      alarmAddress: { street: 'Gate 1', postalCode: '0154', city: 'Oslo', country: 'NO' },
    });
    const res = await add(customerId, { name: 'Kari', phone: '412 34 567' });
    expect(res.status).toBe(201);
    expect(res.body.phone).toBe('+4741234567');
  });

  describe('validation', () => {
    let customerId: string;
    beforeAll(async () => {
      customerId = await newCustomer();
    });

    it('refuses a landline, saying contacts receive SMS', async () => {
      const res = await add(customerId, { name: 'Office', phone: '08-123 456 78' });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('phone +46812345678 is a landline; contacts receive SMS, give a mobile number');
      const intl = await add(customerId, { name: 'Office', phone: '+46 8 123 456 78' });
      expect(intl.status).toBe(400);
      expect(intl.body.message).toEqual(['phone +46812345678 is a landline; contacts receive SMS, give a mobile number']);
    });

    it('refuses bad phones, emails, relations, priorities, unknown fields and oversized text', async () => {
      const cases: [object, RegExp][] = [
        [{ name: 'X', phone: '123' }, /^phone 123 is not a valid phone number for SE/],
        [{ name: 'X', phone: '+1 abc' }, /^phone must be a phone number such as/],
        [{ name: 'X', phone: mobile(3), email: 'nope' }, /^email must be an email address/],
        [{ name: 'X', phone: mobile(3), relation: 'boss' }, /^relation must be one of partner, family, neighbour, friend, colleague, other/],
        [{ name: 'X', phone: mobile(3), priority: 0 }, /^priority must be at least 1/],
        [{ name: 'X', phone: mobile(3), priority: 11 }, /^priority must be at most 10/],
        [{ name: 'X', phone: mobile(3), priority: '1' }, /^priority must be a whole number/],
        [{ name: 'X', phone: mobile(3), status: 'active' }, /property status should not exist/],
        [{ name: 'X', phone: mobile(3), customerId: UNKNOWN }, /property customerId should not exist/],
        [{ name: 'x'.repeat(201), phone: mobile(3) }, /^name must be at most 200 characters/],
        [{ name: 'X\u0007', phone: mobile(3) }, /^name must be a single line/],
        [{ phone: mobile(3) }, /^name/],
        [{ name: 'X' }, /^phone/],
      ];
      for (const [body, pattern] of cases) {
        const res = await add(customerId, body);
        expect(res.status).toBe(400);
        const messages = Array.isArray(res.body.message) ? res.body.message : [res.body.message];
        expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
      }
      expect((await list(customerId)).total).toBe(0);
    });

    it('answers 400 to malformed JSON', async () => {
      const res = await t.request('POST', `/api/customers/${customerId}/contacts`, {
        token: operator,
        raw: '{"name":',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
    });

    it("refuses the customer's own number as a contact with 422", async () => {
      const res = await add(customerId, { name: 'Me', phone: '0701234567' });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('contact_is_owner');
    });
  });

  it('refuses the same phone twice for one customer with 409, but allows it for another customer', async () => {
    const customerId = await newCustomer();
    expect((await add(customerId, { name: 'Erik', phone: mobile(1) })).status).toBe(201);
    const dup = await add(customerId, { name: 'Erik again', phone: '070-100 00 01' });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ code: 'contact_phone_taken', message: expect.stringMatching(/already has a contact with phone \+46701000001/) });
    const other = await newCustomer();
    expect((await add(other, { name: 'Erik', phone: mobile(1) })).status).toBe(201);
    // Changing another contact to the taken number is refused the same way.
    const second = await add(customerId, { name: 'Nils', phone: mobile(2) });
    const patched = await t.request('PATCH', `/api/customers/${customerId}/contacts/${second.body.id}`, { token: operator, body: { phone: mobile(1) } });
    expect(patched.status).toBe(409);
  });

  it('keeps two concurrent additions of one phone to a single contact', async () => {
    const customerId = await newCustomer();
    const results = await Promise.all([add(customerId, { name: 'A', phone: mobile(5) }), add(customerId, { name: 'B', phone: mobile(5) })]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect((await list(customerId)).total).toBe(1);
  });

  it('allows at most 10 contacts per customer (422 beyond), also when added at once', async () => {
    const customerId = await newCustomer();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => add(customerId, { name: `C${i}`, phone: mobile(10 + i) })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    const refused = results.filter((r) => r.status === 422);
    expect(refused).toHaveLength(2);
    expect(refused[0].body.message).toMatch(/already has 10 contacts/);
    const { items } = await list(customerId);
    expect(items.map((c) => c.priority)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  describe('order', () => {
    let customerId: string;
    let ids: Record<string, string>;
    beforeAll(async () => {
      customerId = await newCustomer();
      ids = {};
      for (const [i, name] of ['A', 'B', 'C'].entries()) ids[name] = (await add(customerId, { name, phone: mobile(30 + i) })).body.id;
    });
    const names = async () => (await list(customerId)).items.map((c) => `${c.priority}${c.name}`);

    it('lists in priority order; a new contact with a priority goes in at that place', async () => {
      expect(await names()).toEqual(['1A', '2B', '3C']);
      const d = await add(customerId, { name: 'D', phone: mobile(33), priority: 2 });
      expect(d.body.priority).toBe(2);
      ids.D = d.body.id;
      expect(await names()).toEqual(['1A', '2D', '3B', '4C']);
      const e = await add(customerId, { name: 'E', phone: mobile(34), priority: 9 });
      expect(e.body.priority).toBe(5);
      ids.E = e.body.id;
    });

    it('reorders with PUT order when every contact is listed once', async () => {
      const res = await t.request('PUT', `/api/customers/${customerId}/contacts/order`, {
        token: operator,
        body: { contactIds: [ids.E, ids.C, ids.B, ids.A, ids.D] },
      });
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(5);
      expect(res.body.items.map((c: { name: string; priority: number }) => `${c.priority}${c.name}`)).toEqual(['1E', '2C', '3B', '4A', '5D']);
      expect(await names()).toEqual(['1E', '2C', '3B', '4A', '5D']);
    });

    it('refuses an order that leaves out, repeats or adds contacts, naming them', async () => {
      const put = (contactIds: unknown) => t.request('PUT', `/api/customers/${customerId}/contacts/order`, { token: operator, body: { contactIds } });
      const missing = await put([ids.E, ids.C, ids.B, ids.A]);
      expect(missing.status).toBe(422);
      expect(missing.body.message).toBe(`contactIds missing (every contact must be listed): ${ids.D}`);
      const foreign = await put([ids.E, ids.C, ids.B, ids.A, ids.D, UNKNOWN]);
      expect(foreign.status).toBe(422);
      expect(foreign.body.message).toMatch(new RegExp(`not contacts of customer ${customerId}: ${UNKNOWN}`));
      const twice = await put([ids.E, ids.E, ids.C, ids.B, ids.A, ids.D]);
      expect(twice.status).toBe(400);
      expect(twice.body.message).toEqual(['contactIds must not list a contact twice']);
      expect((await put(['nope'])).body.message).toEqual(['each of contactIds must be a UUID']);
      expect((await put('all')).status).toBe(400);
      expect((await t.request('PUT', `/api/customers/${customerId}/contacts/order`, { token: operator, body: {} })).status).toBe(400);
      expect(await names()).toEqual(['1E', '2C', '3B', '4A', '5D']);
    });

    it('moves a contact with PATCH priority and closes the gap when one is removed', async () => {
      const moved = await t.request('PATCH', `/api/customers/${customerId}/contacts/${ids.D}`, { token: operator, body: { priority: 1 } });
      expect(moved.status).toBe(200);
      expect(moved.body.priority).toBe(1);
      expect(await names()).toEqual(['1D', '2E', '3C', '4B', '5A']);
      expect((await t.request('DELETE', `/api/customers/${customerId}/contacts/${ids.C}`, { token: supervisor })).status).toBe(204);
      expect(await names()).toEqual(['1D', '2E', '3B', '4A']);
    });
  });

  it('edits a contact, re-checking the phone as a mobile in the customer country', async () => {
    const customerId = await newCustomer();
    const { body } = await add(customerId, { name: 'Erik', phone: mobile(40), email: 'erik@example.se' });
    const patch = (b: unknown, token = operator) => t.request('PATCH', `/api/customers/${customerId}/contacts/${body.id}`, { token, body: b });
    const res = await patch({ name: 'Erik Lind', phone: '070-100 00 41', relation: 'family', email: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: body.id, name: 'Erik Lind', phone: '+46701000041', relation: 'family', email: null, priority: 1, status: 'active' });
    expect((await patch({ phone: '08-123 456 78' })).body.message).toMatch(/is a landline/);
    expect((await patch({ name: null })).status).toBe(400);
    expect((await patch({ status: 'opted_out' })).status).toBe(400);
    expect((await patch({ name: 'y'.repeat(201) })).status).toBe(400);
    const got = await t.request('GET', `/api/customers/${customerId}/contacts/${body.id}`, { token: dpo });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ name: 'Erik Lind', notice: { status: expect.stringMatching(/^(pending|sent)$/) } });
  });

  it('hands a new contact, and a changed phone, to the onboarding notice inside the transaction', async () => {
    const notices = t.app.get(ContactNotices);
    const spy = jest.spyOn(notices, 'contactSaved');
    try {
      const customerId = await newCustomer();
      const { body } = await add(customerId, { name: 'Erik', phone: mobile(90) });
      const path = `/api/customers/${customerId}/contacts/${body.id}`;
      await t.request('PATCH', path, { token: operator, body: { name: 'Erik L', phone: '070-100 00 90' } });
      await t.request('PATCH', path, { token: operator, body: { phone: mobile(91) } });
      expect(spy.mock.calls.map(([, contact, trigger]) => [contact.id, contact.phone, trigger])).toEqual([
        [body.id, mobile(90), 'created'],
        [body.id, mobile(91), 'phone_changed'],
      ]);
      // A failure there rolls the contact back: no contact without its notice.
      spy.mockRejectedValueOnce(new Error('notice queue down'));
      expect((await add(customerId, { name: 'Nils', phone: mobile(92) })).status).toBe(500);
      expect((await list(customerId)).items.map((c) => c.name)).toEqual(['Erik L']);
    } finally {
      spy.mockRestore();
    }
  });

  it('shows an opted-out contact with its status and keeps it in the order', async () => {
    const customerId = await newCustomer();
    const a = await add(customerId, { name: 'A', phone: mobile(50) });
    await add(customerId, { name: 'B', phone: mobile(51) });
    await t.query(`UPDATE contact SET status = 'opted_out', opted_out_at = now() WHERE id = $1`, [a.body.id]);
    const { items } = await list(customerId);
    expect(items.map((c) => [c.name, (c as unknown as { status: string }).status])).toEqual([
      ['A', 'opted_out'],
      ['B', 'active'],
    ]);
  });

  it('removes a contact (204): gone from the API, the phone free again, the row kept for retention', async () => {
    const customerId = await newCustomer();
    const { body } = await add(customerId, { name: 'Erik', phone: mobile(60) });
    const path = `/api/customers/${customerId}/contacts/${body.id}`;
    expect((await t.request('DELETE', path, { token: operator })).status).toBe(403);
    expect((await t.request('DELETE', path, { token: dpo })).status).toBe(403);
    expect((await t.request('DELETE', path, { token: supervisor })).status).toBe(204);
    expect((await t.request('GET', path, { token: supervisor })).status).toBe(404);
    expect((await t.request('DELETE', path, { token: supervisor })).status).toBe(404);
    expect((await list(customerId)).total).toBe(0);
    const [row] = await t.query(`SELECT ended_at FROM contact WHERE id = $1`, [body.id]);
    expect(row.ended_at).toBeInstanceOf(Date);
    expect((await add(customerId, { name: 'Erik', phone: mobile(60) })).status).toBe(201);
  });

  it('answers 404 for unknown or ended customers and contacts of another customer, 400 for malformed ids', async () => {
    const customerId = await newCustomer();
    const other = await newCustomer();
    const { body } = await add(customerId, { name: 'Erik', phone: mobile(70) });
    expect((await add(UNKNOWN, { name: 'X', phone: mobile(71) })).status).toBe(404);
    expect((await t.request('GET', `/api/customers/${UNKNOWN}/contacts`, { token: operator })).status).toBe(404);
    expect((await t.request('GET', `/api/customers/${other}/contacts/${body.id}`, { token: operator })).status).toBe(404);
    expect((await t.request('PATCH', `/api/customers/${other}/contacts/${body.id}`, { token: operator, body: { name: 'x' } })).status).toBe(404);
    expect((await t.request('GET', `/api/customers/${customerId}/contacts/${UNKNOWN}`, { token: operator })).status).toBe(404);
    const bad = await t.request('GET', `/api/customers/${customerId}/contacts/not-a-uuid`, { token: operator });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('contactId must be a UUID');
    expect((await t.request('GET', `/api/customers/123/contacts`, { token: operator })).status).toBe(400);
    await t.request('DELETE', `/api/customers/${customerId}`, { token: supervisor });
    expect((await t.request('GET', `/api/customers/${customerId}/contacts`, { token: operator })).status).toBe(404);
    expect((await add(customerId, { name: 'X', phone: mobile(72) })).status).toBe(404);
  });

  it('answers 401 without a token and 403 to roles that may not write', async () => {
    const customerId = await newCustomer();
    const { body } = await add(customerId, { name: 'Erik', phone: mobile(80) });
    const base = `/api/customers/${customerId}/contacts`;
    const routes: [string, string, unknown?][] = [
      ['POST', base, { name: 'X', phone: mobile(81) }],
      ['GET', base],
      ['GET', `${base}/${body.id}`],
      ['PATCH', `${base}/${body.id}`, { name: 'x' }],
      ['DELETE', `${base}/${body.id}`],
      ['PUT', `${base}/order`, { contactIds: [body.id] }],
    ];
    for (const [method, path, b] of routes) expect((await t.request(method, path, { body: b })).status).toBe(401);
    expect((await add(customerId, { name: 'X', phone: mobile(81) }, dpo)).status).toBe(403);
    expect((await t.request('PATCH', `${base}/${body.id}`, { token: dpo, body: { name: 'x' } })).status).toBe(403);
    expect((await t.request('PUT', `${base}/order`, { token: dpo, body: { contactIds: [body.id] } })).status).toBe(403);
    expect((await t.request('GET', base, { token: dpo })).status).toBe(200);
    expect((await add(customerId, { name: 'X', phone: mobile(81) }, supervisor)).status).toBe(201);
  });

  it('declares legitimate interests, with its balancing note, on every contact route', () => {
    const routes = t.app
      .get(RouteDeclarations)
      .routes()
      .filter((r) => r.path.startsWith('/api/customers/:id/contacts') && !/export|erasure|restriction/.test(r.path));
    expect(routes).toHaveLength(7);
    for (const r of routes) {
      expect(r.access).toHaveProperty('roles');
      expect(r.processing).toMatchObject({
        legalBasis: 'legitimate_interests',
        legalBasisNote: expect.stringMatching(/owner cannot be reached/),
        retention: expect.stringMatching(/12 months/),
      });
    }
  });
});

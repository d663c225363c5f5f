import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RouteDeclarations } from '../src/common/route-declarations.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const ANNA = {
  name: 'Anna Lind',
  phone: '070-123 45 67',
  email: 'anna@example.se',
  nationalId: '640823-3234',
  alarmAddress: { street: 'Storgatan 1', postalCode: '11455', city: 'Stockholm', country: 'se' },
};

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

describe('customers', () => {
  let t: TestApp;
  let operator: string;
  let supervisor: string;
  let dpo: string;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    [operator, supervisor, dpo, admin] = await Promise.all([t.tokenFor('operator'), t.tokenFor('supervisor'), t.tokenFor('dpo'), t.tokenFor('admin')]);
  });
  afterAll(async () => t?.close());

  const create = (body: unknown, token = operator) => t.request('POST', '/api/customers', { token, body });

  it('registers a customer: E.164 phone, default language from the country, masked national id', async () => {
    const res = await create(ANNA);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Anna Lind',
      phone: '+46701234567',
      email: 'anna@example.se',
      language: 'sv',
      nationalId: '19640823-****',
      alarmAddress: { street: 'Storgatan 1', postalCode: '114 55', city: 'Stockholm', country: 'SE' },
      postalAddress: null,
      restricted: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(new Date(res.body.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('defaults the language to nb in Norway and en elsewhere, and keeps a chosen one', async () => {
    const no = await create({
      ...ANNA,
      phone: '406 12 345',
      nationalId: '31129956715',
      alarmAddress: { street: 'Karl Johans gate 1', postalCode: '0154', city: 'Oslo', country: 'NO' },
    });
    expect(no.status).toBe(201);
    expect(no.body).toMatchObject({ language: 'nb', phone: '+4740612345', nationalId: '311299*****' });
    const dk = await create({
      ...ANNA,
      phone: '+45 20 12 34 56',
      nationalId: undefined,
      alarmAddress: { street: 'Strøget 1', postalCode: '1160', city: 'København', country: 'DK' },
    });
    expect(dk.status).toBe(201);
    expect(dk.body).toMatchObject({ language: 'en', nationalId: null });
    const chosen = await create({ ...ANNA, nationalId: undefined, language: 'en' });
    expect(chosen.body.language).toBe('en');
  });

  it('accepts a landline for the customer (any valid number), and a postal address', async () => {
    const res = await create({ ...ANNA, phone: '08-123 456 78', postalAddress: { street: 'Box 12', postalCode: '114 55', city: 'Stockholm', country: 'SE' } });
    expect(res.status).toBe(201);
    expect(res.body.phone).toBe('+46812345678');
    expect(res.body.postalAddress).toEqual({ street: 'Box 12', postalCode: '114 55', city: 'Stockholm', country: 'SE' });
  });

  it('stores the national id encrypted: the database holds neither the number nor its digits', async () => {
    const { body } = await create(ANNA);
    const [row] = await t.query(
      `SELECT national_id_encrypted, national_id_masked, national_id_hash, encode(national_id_encrypted, 'escape') AS text FROM customer WHERE id = $1`,
      [body.id],
    );
    expect(Buffer.isBuffer(row.national_id_encrypted)).toBe(true);
    for (const plain of ['196408233234', '6408233234', '640823-3234']) {
      expect(row.national_id_encrypted.includes(Buffer.from(plain))).toBe(false);
      expect(row.text).not.toContain(plain);
    }
    expect(row.national_id_masked).toBe('19640823-****');
    expect(row.national_id_hash).toHaveLength(32);
    // Two customers with the same number: same lookup hash, different ciphertexts.
    const other = await create(ANNA);
    const [row2] = await t.query(`SELECT national_id_encrypted, national_id_hash FROM customer WHERE id = $1`, [other.body.id]);
    expect(row2.national_id_hash.equals(row.national_id_hash)).toBe(true);
    expect(row2.national_id_encrypted.equals(row.national_id_encrypted)).toBe(false);
  });

  describe('validation', () => {
    const expectFieldErrors = async (body: unknown, patterns: RegExp[]) => {
      const res = await create(body);
      expect(res.status).toBe(400);
      expect(res.body.message).toEqual(expect.arrayContaining(patterns.map((p) => expect.stringMatching(p))));
      return res;
    };

    it('names every missing required field', async () => {
      await expectFieldErrors({}, [/^name/, /^phone/, /^alarmAddress/]);
      await expectFieldErrors({ ...ANNA, alarmAddress: {} }, [/street/, /postalCode/, /city/, /country/]);
    });

    it('refuses a bad phone number, with the country it was read in', async () => {
      await expectFieldErrors({ ...ANNA, phone: '123' }, [/^phone 123 is not a valid phone number for SE/]);
      await expectFieldErrors({ ...ANNA, phone: '+46 70 CALL ME' }, [/^phone must be a phone number such as/]);
      await expectFieldErrors({ ...ANNA, phone: 46701234567 }, [/^phone must be a phone number in a string/]);
      await expectFieldErrors({ ...ANNA, phone: '0'.repeat(40) }, [/^phone must be at most 32 characters/]);
    });

    it('refuses a national id with a bad check digit or an unknown shape, without echoing it', async () => {
      const res = await expectFieldErrors({ ...ANNA, nationalId: '640823-3235' }, [/^nationalId: the check digit of the Swedish number does not match/]);
      expect(res.text).not.toContain('640823');
      await expectFieldErrors({ ...ANNA, nationalId: '31129956716' }, [/^nationalId: the control digits of the Norwegian number do not match/]);
      await expectFieldErrors({ ...ANNA, nationalId: '12345' }, [/^nationalId must be a Swedish personnummer/]);
      await expectFieldErrors({ ...ANNA, nationalId: '1'.repeat(21) }, [/^nationalId must be at most 20 characters/]);
      await expectFieldErrors({ ...ANNA, nationalId: 6408233234 }, [/^nationalId must be a string/]);
    });

    it('refuses a country that is not an ISO 3166 alpha-2 code', async () => {
      for (const country of ['XX', 'Sweden', 'SWE', '', 46]) {
        // One line for the field (a number is also told it is not a string, first).
        await expectFieldErrors({ ...ANNA, alarmAddress: { ...ANNA.alarmAddress, country } }, [
          /^alarmAddress\.country must be (a string; alarmAddress\.country must be )?an ISO 3166-1 alpha-2 country code/,
        ]);
      }
    });

    it('checks the postal code against the country', async () => {
      await expectFieldErrors({ ...ANNA, alarmAddress: { ...ANNA.alarmAddress, postalCode: '1234' } }, [
        /^alarmAddress\.postalCode is not a postal code of SE \(e\.g\. 114 55\)/,
      ]);
      await expectFieldErrors({ ...ANNA, phone: '+4740612345', alarmAddress: { street: 'Gate 1', postalCode: '01540', city: 'Oslo', country: 'NO' } }, [
        /^alarmAddress\.postalCode is not a postal code of NO/,
      ]);
    });

    it('refuses a bad email, an unknown language, unknown fields at any depth', async () => {
      await expectFieldErrors({ ...ANNA, email: 'not-an-email' }, [/^email must be an email address/]);
      await expectFieldErrors({ ...ANNA, email: `${'a'.repeat(250)}@example.se` }, [/^email must be at most 254 characters/]);
      await expectFieldErrors({ ...ANNA, language: 'de' }, [/^language must be one of sv, nb, en/]);
      await expectFieldErrors({ ...ANNA, role: 'admin' }, [/property role should not exist/]);
      await expectFieldErrors({ ...ANNA, restricted: true }, [/property restricted should not exist/]);
      await expectFieldErrors({ ...ANNA, alarmAddress: { ...ANNA.alarmAddress, floor: 3 } }, [/alarmAddress.*floor should not exist/]);
      await expectFieldErrors({ ...ANNA, alarmAddress: 'Storgatan 1, Stockholm' }, [/^alarmAddress must be an object/]);
    });

    it('refuses oversized, blank and multi-line text', async () => {
      await expectFieldErrors({ ...ANNA, name: 'x'.repeat(201) }, [/^name must be at most 200 characters/]);
      await expectFieldErrors({ ...ANNA, name: '   ' }, [/^name must not be blank/]);
      await expectFieldErrors({ ...ANNA, name: 'Anna\nLind' }, [/^name must be a single line/]);
      await expectFieldErrors({ ...ANNA, alarmAddress: { ...ANNA.alarmAddress, street: 's'.repeat(201) } }, [/street must be at most 200 characters/]);
      await expectFieldErrors({ ...ANNA, alarmAddress: { ...ANNA.alarmAddress, city: 'c'.repeat(101) } }, [/city must be at most 100 characters/]);
    });

    it('answers 400 to malformed JSON and 413 to an oversized body', async () => {
      const bad = await t.request('POST', '/api/customers', { token: operator, raw: '{"name": "Anna",', headers: { 'content-type': 'application/json' } });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/malformed JSON/);
      const huge = await t.request('POST', '/api/customers', {
        token: operator,
        raw: JSON.stringify({ ...ANNA, name: 'x'.repeat(200_000) }),
        headers: { 'content-type': 'application/json' },
      });
      expect(huge.status).toBe(413);
    });
  });

  it('shows the national id masked to every role, whoever reads it', async () => {
    const { body } = await create(ANNA);
    for (const token of [operator, supervisor, dpo, admin]) {
      const res = await t.request('GET', `/api/customers/${body.id}`, { token });
      expect(res.status).toBe(200);
      expect(res.body.nationalId).toBe('19640823-****');
      expect(res.text).not.toContain('3234');
      const list = await t.request('GET', `/api/customers?search=${encodeURIComponent('Anna')}`, { token });
      expect(list.text).not.toContain('19640823-3234');
    }
  });

  it('reveals the national id to supervisors, the DPO and admins only, never cached', async () => {
    const { body } = await create(ANNA);
    for (const token of [supervisor, dpo, admin]) {
      const res = await t.request('GET', `/api/customers/${body.id}/national-id`, { token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ nationalId: '19640823-3234' });
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    const refused = await t.request('GET', `/api/customers/${body.id}/national-id`, { token: operator });
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain('3234');
    expect((await t.request('GET', `/api/customers/${body.id}/national-id`)).status).toBe(401);
    expect((await t.request('GET', `/api/customers/${UNKNOWN}/national-id`, { token: supervisor })).status).toBe(404);

    const no = await create({
      ...ANNA,
      phone: '+4740612345',
      nationalId: '55108695071',
      alarmAddress: { street: 'Gate 1', postalCode: '0154', city: 'Oslo', country: 'NO' },
    });
    expect((await t.request('GET', `/api/customers/${no.body.id}/national-id`, { token: dpo })).body).toEqual({ nationalId: '55108695071' });
    const none = await create({ ...ANNA, nationalId: undefined });
    expect((await t.request('GET', `/api/customers/${none.body.id}/national-id`, { token: dpo })).body).toEqual({ nationalId: null });
  });

  it('refuses to reveal a national id whose ciphertext was moved to another customer', async () => {
    const a = await create(ANNA);
    const b = await create({ ...ANNA, nationalId: '880320-0016' });
    await t.query(`UPDATE customer SET national_id_encrypted = (SELECT national_id_encrypted FROM customer WHERE id = $1) WHERE id = $2`, [
      a.body.id,
      b.body.id,
    ]);
    const res = await t.request('GET', `/api/customers/${b.body.id}/national-id`, { token: supervisor });
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('3234');
  });

  describe('list and search', () => {
    let lisa: string;
    beforeAll(async () => {
      const res = await create({
        name: 'Lisa Öberg',
        phone: '+46 73 987 65 43',
        email: 'LISA@Kiruna.example',
        alarmAddress: { street: 'Bergsgatan 5', postalCode: '981 31', city: 'Kiruna', country: 'SE' },
      });
      lisa = res.body.id;
    });

    it('answers { items, total } and finds customers by name, email, phone and city', async () => {
      for (const search of ['öberg', 'lisa@kiruna', 'kiruna', '073-987 65', '+46739876543', '9876543']) {
        const res = await t.request('GET', `/api/customers?search=${encodeURIComponent(search)}`, { token: dpo });
        expect(res.status).toBe(200);
        expect(res.body.items.map((c: { id: string }) => c.id)).toEqual([lisa]);
        expect(res.body.total).toBe(1);
      }
      const none = await t.request('GET', `/api/customers?search=${encodeURIComponent('%')}`, { token: operator });
      expect(none.body).toEqual({ items: [], total: 0 });
    });

    it("finds customers by the alarm address's street and postal code, and by their contacts' names", async () => {
      const kept = await t.request('POST', `/api/customers/${lisa}/contacts`, {
        token: operator,
        body: { name: 'Gunnar Sjökvist', phone: '+46 70 555 01 02' },
      });
      expect(kept.status).toBe(201);
      const gone = await t.request('POST', `/api/customers/${lisa}/contacts`, { token: operator, body: { name: 'Rut Wennerholm', phone: '+46 70 555 01 03' } });
      expect((await t.request('DELETE', `/api/customers/${lisa}/contacts/${gone.body.id}`, { token: supervisor })).status).toBe(204);
      for (const search of ['bergsgatan', 'Bergsgatan 5', '981 31', '98131', 'sjökvist', 'Gunnar']) {
        const res = await t.request('GET', `/api/customers?search=${encodeURIComponent(search)}`, { token: operator });
        expect({ search, ids: res.body.items.map((c: { id: string }) => c.id) }).toEqual({ search, ids: [lisa] });
      }
      // A contact who was removed no longer leads to the customer.
      const removed = await t.request('GET', `/api/customers?search=${encodeURIComponent('Wennerholm')}`, { token: operator });
      expect(removed.body).toEqual({ items: [], total: 0 });
    });

    it('pages, sorted by name, with total counting every match', async () => {
      const all = await t.request('GET', '/api/customers?limit=100', { token: operator });
      expect(all.body.total).toBeGreaterThan(3);
      const names = all.body.items.map((c: { name: string }) => c.name.toLowerCase());
      expect(names).toEqual([...names].sort((a: string, b: string) => a.localeCompare(b, 'en', { sensitivity: 'base' }) || 0));
      const page1 = await t.request('GET', '/api/customers?limit=2&page=1', { token: operator });
      const page2 = await t.request('GET', '/api/customers?limit=2&page=2', { token: operator });
      expect(page1.body.items).toHaveLength(2);
      expect(page1.body.total).toBe(all.body.total);
      expect(page2.body.items[0].id).toBe(all.body.items[2].id);
    });

    it('refuses bad paging and unknown query parameters', async () => {
      for (const q of ['limit=101', 'limit=0', 'page=0', 'page=abc', 'limit=1.5', `search=${'x'.repeat(101)}`, 'sort=name']) {
        const res = await t.request('GET', `/api/customers?${q}`, { token: operator });
        expect(res.status).toBe(400);
      }
    });
  });

  describe('update', () => {
    it('changes only the fields given; reads a local phone in the stored country', async () => {
      const { body } = await create(ANNA);
      const res = await t.request('PATCH', `/api/customers/${body.id}`, { token: operator, body: { name: 'Anna Lind-Berg', phone: '073-111 22 33' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'Anna Lind-Berg', phone: '+46731112233', email: ANNA.email, nationalId: '19640823-****', language: 'sv' });
      expect(new Date(res.body.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(body.updatedAt).getTime());
    });

    it('reads a local phone in the new country when the address moves with it', async () => {
      const { body } = await create(ANNA);
      const res = await t.request('PATCH', `/api/customers/${body.id}`, {
        token: supervisor,
        body: { phone: '406 12 345', alarmAddress: { street: 'Gate 1', postalCode: '0154', city: 'Oslo', country: 'NO' } },
      });
      expect(res.status).toBe(200);
      expect(res.body.phone).toBe('+4740612345');
      // The language is the customer's choice once set; moving does not change it.
      expect(res.body.language).toBe('sv');
    });

    it('replaces and clears the national id, email and postal address with null', async () => {
      const { body } = await create({ ...ANNA, postalAddress: ANNA.alarmAddress });
      const replaced = await t.request('PATCH', `/api/customers/${body.id}`, { token: operator, body: { nationalId: '19880320-0016' } });
      expect(replaced.body.nationalId).toBe('19880320-****');
      expect((await t.request('GET', `/api/customers/${body.id}/national-id`, { token: supervisor })).body.nationalId).toBe('19880320-0016');
      const cleared = await t.request('PATCH', `/api/customers/${body.id}`, { token: operator, body: { nationalId: null, email: null, postalAddress: null } });
      expect(cleared.status).toBe(200);
      expect(cleared.body).toMatchObject({ nationalId: null, email: null, postalAddress: null });
      const [row] = await t.query(`SELECT national_id_encrypted, national_id_hash FROM customer WHERE id = $1`, [body.id]);
      expect(row).toEqual({ national_id_encrypted: null, national_id_hash: null });
    });

    it('validates a patch like a new customer, and refuses null for required fields', async () => {
      const { body } = await create(ANNA);
      const patch = (b: unknown) => t.request('PATCH', `/api/customers/${body.id}`, { token: operator, body: b });
      const res = await patch({ name: null, phone: null, language: null, alarmAddress: null });
      expect(res.status).toBe(400);
      expect(res.body.message).toEqual(expect.arrayContaining([/^name/, /^phone/, /^language/, /^alarmAddress/].map((p) => expect.stringMatching(p))));
      const badPhone = await patch({ phone: '123' });
      expect(badPhone.status).toBe(400);
      expect(badPhone.body.message).toMatch(/^phone 123 is not a valid phone number for SE/);
      expect((await patch({ nationalId: '640823-3235' })).status).toBe(400);
      expect((await patch({ alarmAddress: { city: 'Uppsala' } })).status).toBe(400);
      expect((await patch({ id: UNKNOWN })).status).toBe(400);
      expect((await patch({ restricted: false })).status).toBe(400);
    });

    it('answers 404 to an unknown customer and 400 to a malformed id', async () => {
      expect((await t.request('PATCH', `/api/customers/${UNKNOWN}`, { token: operator, body: { name: 'X' } })).status).toBe(404);
      const res = await t.request('GET', '/api/customers/not-a-uuid', { token: operator });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('id must be a UUID');
      const missing = await t.request('GET', `/api/customers/${UNKNOWN}`, { token: operator });
      expect(missing.status).toBe(404);
      expect(missing.body.message).toBe(`customer ${UNKNOWN} does not exist`);
    });
  });

  it('ends the contract on DELETE: hidden from the API, kept in the database for the retention rule', async () => {
    const { body } = await create({ ...ANNA, name: 'Ended Customer' });
    expect((await t.request('DELETE', `/api/customers/${body.id}`, { token: operator })).status).toBe(403);
    expect((await t.request('DELETE', `/api/customers/${body.id}`, { token: dpo })).status).toBe(403);
    const res = await t.request('DELETE', `/api/customers/${body.id}`, { token: supervisor });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await t.request('GET', `/api/customers/${body.id}`, { token: supervisor })).status).toBe(404);
    expect((await t.request('PATCH', `/api/customers/${body.id}`, { token: supervisor, body: { name: 'x' } })).status).toBe(404);
    expect((await t.request('GET', `/api/customers/${body.id}/national-id`, { token: supervisor })).status).toBe(404);
    expect((await t.request('DELETE', `/api/customers/${body.id}`, { token: admin })).status).toBe(404);
    const list = await t.request('GET', `/api/customers?search=${encodeURIComponent('Ended Customer')}`, { token: admin });
    expect(list.body).toEqual({ items: [], total: 0 });
    const [row] = await t.query(`SELECT ended_at FROM customer WHERE id = $1`, [body.id]);
    expect(row.ended_at).toBeInstanceOf(Date);
  });

  it('answers 401 without a token and 403 to roles that may not write', async () => {
    const { body } = await create(ANNA);
    const routes: [string, string, unknown?][] = [
      ['POST', '/api/customers', ANNA],
      ['GET', '/api/customers'],
      ['GET', `/api/customers/${body.id}`],
      ['PATCH', `/api/customers/${body.id}`, { name: 'x' }],
      ['DELETE', `/api/customers/${body.id}`],
      ['GET', `/api/customers/${body.id}/national-id`],
    ];
    for (const [method, path, b] of routes) expect((await t.request(method, path, { body: b })).status).toBe(401);
    expect((await create(ANNA, dpo)).status).toBe(403);
    expect((await t.request('PATCH', `/api/customers/${body.id}`, { token: dpo, body: { name: 'x' } })).status).toBe(403);
    expect((await create(ANNA, supervisor)).status).toBe(201);
    expect((await create(ANNA, admin)).status).toBe(201);
  });

  it('publishes the customer routes and body fields in the OpenAPI document', async () => {
    const doc = await t.request('GET', '/api/docs-json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/customers', '/api/customers/{id}', '/api/customers/{id}/national-id']));
    expect(Object.keys(doc.body.components.schemas.CreateCustomerDto.properties)).toEqual(
      expect.arrayContaining(['name', 'phone', 'email', 'language', 'nationalId', 'alarmAddress', 'postalAddress']),
    );
  });

  it('declares roles and a contract legal basis on every customer route, reveal included', () => {
    const routes = t.app
      .get(RouteDeclarations)
      .routes()
      .filter((r) => r.path.startsWith('/api/customers') && !/contacts|panels|export|erasure|restriction|arming-history|action-plans/.test(r.path));
    // The customer's own routes and the premises (read, update, reveal of the secrets).
    expect(routes.length).toBe(9);
    for (const r of routes) {
      expect(r.access).toHaveProperty('roles');
      expect(r.processing).toMatchObject({ legalBasis: 'contract', retention: expect.stringMatching(/12 months after the contract ends/) });
    }
    const reveal = routes.find((r) => r.path === '/api/customers/:id/national-id')!;
    expect(reveal.access).toEqual({ roles: ['supervisor', 'dpo'] });
    expect(reveal.processing).toMatchObject({ operation: 'customers.national_id.reveal', purpose: expect.stringMatching(/secure identification/i) });
  });
});

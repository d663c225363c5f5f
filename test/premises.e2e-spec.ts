import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlarmFixtures, waitUntil } from './support/alarm-fixtures.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

const FACTS = {
  notes: 'Panel in the hall closet.\nCellar door sticks.',
  access: 'Key box by the garage, code 4711',
  password: 'blue heron',
  duressWord: 'Kalmar',
  animals: 'Large dog (friendly)',
  zones: { '005': 'Cellar PIR', kitchen: 'Kitchen smoke' },
  users: { '2': 'Erik (son)' },
};

/** Premises facts (docs/api-contract.md#operator-procedures): masked secrets, logged reveals, names in alarms and history. */
describe('premises', () => {
  let t: TestApp;
  let f: AlarmFixtures;
  let operator: string;
  let supervisor: string;
  let dpo: string;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    f = await AlarmFixtures.create(t);
    ({ operator, supervisor } = f.tokens);
    [dpo, admin] = await Promise.all([t.tokenFor('dpo'), t.tokenFor('admin')]);
  });
  afterAll(async () => t?.close());

  const put = (customerId: string, body: unknown, token = operator) => t.request('PUT', `/api/customers/${customerId}/premises`, { token, body });
  const read = (customerId: string, token = operator) => t.request('GET', `/api/customers/${customerId}/premises`, { token });
  const reveal = (customerId: string, token = operator) => t.request('GET', `/api/customers/${customerId}/premises/secrets`, { token });

  it('keeps the facts, shows the secrets masked, and stores them encrypted', async () => {
    const { id } = await f.customer();
    const empty = await read(id);
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ customerId: id, notes: null, access: null, password: null, duressWord: null, zones: {}, users: {}, updatedAt: null });

    const res = await put(id, FACTS);
    expect(res.status).toBe(200);
    const masked = {
      customerId: id,
      notes: FACTS.notes,
      animals: FACTS.animals,
      access: '••••••',
      password: '••••••',
      duressWord: '••••••',
      // Contact ID sends zone 5 as "005": numbers are kept without leading zeros.
      zones: { '5': 'Cellar PIR', kitchen: 'Kitchen smoke' },
      users: { '2': 'Erik (son)' },
      updatedAt: expect.any(String),
      updatedBy: expect.any(String),
    };
    expect(res.body).toEqual(masked);
    expect((await read(id, dpo)).body).toEqual(masked);
    expect(JSON.stringify((await read(id)).body)).not.toMatch(/4711|heron|Kalmar/);

    const [row] = await t.query(`SELECT access_encrypted, password_encrypted, duress_word_encrypted FROM premises WHERE customer_id = $1`, [id]);
    for (const [column, plain] of [
      ['access_encrypted', FACTS.access],
      ['password_encrypted', FACTS.password],
      ['duress_word_encrypted', FACTS.duressWord],
    ]) {
      expect(Buffer.isBuffer(row[column])).toBe(true);
      expect(row[column].includes(Buffer.from(plain))).toBe(false);
    }
  });

  it('reveals the secrets to operators, supervisors and admins, and logs every reveal with its legal basis and the customer', async () => {
    const { id } = await f.customer();
    await put(id, FACTS);
    for (const token of [operator, supervisor, admin]) {
      const res = await reveal(id, token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ access: FACTS.access, password: FACTS.password, duressWord: FACTS.duressWord });
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    const logged = await t.query(
      `SELECT actor_type, legal_basis, purpose, outcome FROM processing_log WHERE operation = 'customers.premises.secrets.reveal' AND subject_ids @> ARRAY[$1::uuid] ORDER BY seq`,
      [id],
    );
    expect(logged).toHaveLength(3);
    expect(logged[0]).toEqual({
      actor_type: 'operator',
      legal_basis: 'contract',
      purpose: expect.stringMatching(/^Secure identification of callers/),
      outcome: 'success',
    });
    expect(JSON.stringify(await t.query(`SELECT * FROM processing_log WHERE subject_ids @> ARRAY[$1::uuid]`, [id]))).not.toMatch(/4711|heron|Kalmar/);

    const refused = await reveal(id, dpo);
    expect(refused.status).toBe(403);
    expect(refused.text).not.toMatch(/heron/);
    expect((await t.request('GET', `/api/customers/${id}/premises/secrets`)).status).toBe(401);
    expect((await reveal(UNKNOWN)).status).toBe(404);
    const none = await f.customer();
    expect((await reveal(none.id)).body).toEqual({ access: null, password: null, duressWord: null });
  });

  it('refuses to reveal a secret whose ciphertext was moved to another customer (each is bound to its customer)', async () => {
    const a = await f.customer();
    const b = await f.customer();
    await put(a.id, { password: 'blue heron' });
    await put(b.id, { password: 'red fox' });
    await t.query(`UPDATE premises SET password_encrypted = (SELECT password_encrypted FROM premises WHERE customer_id = $1) WHERE customer_id = $2`, [
      a.id,
      b.id,
    ]);
    const res = await reveal(b.id);
    expect(res.status).toBe(500);
    expect(res.text).not.toMatch(/heron|fox/);
  });

  it('the record of processing lists the reveal under its legal basis', async () => {
    const res = await t.request('GET', '/api/privacy/ropa', { token: dpo });
    expect(res.status).toBe(200);
    const byOperation = new Map<string, any>(res.body.items.map((i: any) => [i.operation, i]));
    for (const operation of ['customers.premises.read', 'customers.premises.update', 'customers.premises.secrets.reveal']) {
      expect(byOperation.get(operation)).toMatchObject({ operation, legalBasis: 'contract' });
    }
    expect(byOperation.get('customers.premises.secrets.reveal').purpose).toMatch(/^Secure identification of callers/);
  });

  it('merges a PUT: fields left out are kept, null clears, a given map replaces the old one', async () => {
    const { id } = await f.customer();
    await put(id, FACTS);
    const res = await put(id, { notes: 'New notes', duressWord: null, zones: { '7': 'Garage door' } }, supervisor);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      notes: 'New notes',
      animals: FACTS.animals,
      password: '••••••',
      duressWord: null,
      zones: { '7': 'Garage door' },
      users: FACTS.users,
    });
    expect((await reveal(id)).body).toEqual({ access: FACTS.access, password: FACTS.password, duressWord: null });
  });

  it('refuses roles, unknown customers and bad input, naming the field', async () => {
    const { id } = await f.customer();
    expect((await put(id, { notes: 'x' }, dpo)).status).toBe(403);
    expect((await put(id, { notes: 'x' }, admin)).status).toBe(200);
    expect((await t.request('PUT', `/api/customers/${id}/premises`, { body: { notes: 'x' } })).status).toBe(401);
    expect((await t.request('GET', `/api/customers/${id}/premises`)).status).toBe(401);
    expect((await put(UNKNOWN, { notes: 'x' })).status).toBe(404);
    expect((await read(UNKNOWN)).status).toBe(404);
    expect((await put('nope', { notes: 'x' })).body.message).toBe('id must be a UUID');

    const zones = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`z${i}`, `Zone ${i}`]));
    const cases: Array<[unknown, RegExp]> = [
      [{ colour: 'red' }, /property colour should not exist/],
      [{ zones: ['Cellar'] }, /^zones must be an object of names/],
      [{ zones: 'Cellar' }, /^zones must be an object of names/],
      [{ zones: { '12345678901234567': 'Too long a key' } }, /^zones: "12345678901234567" must be 1 to 16 characters/],
      [{ zones: { '': 'Empty key' } }, /must be 1 to 16 characters/],
      [{ zones: { '5': 'Cellar\nPIR' } }, /^zones\.5 must be a single line/],
      [{ zones: { '5': '  ' } }, /^zones\.5 must not be blank/],
      [{ zones: { '5': 5 } }, /^zones\.5 must be a string/],
      [{ zones: { '5': 'x'.repeat(101) } }, /^zones\.5 must be at most 100 characters/],
      [{ zones: { '05': 'Cellar', '5': 'Hall' } }, /^zones: "(05|5)" and "(5|05)" are the same number/],
      [{ zones }, /^zones must have at most 256 names/],
      [{ users: { '2': 'Erik\u202Eevil' } }, /^users\.2 must be a single line/],
      [{ password: 'two\nlines' }, /^password must be a single line/],
      [{ password: 'x'.repeat(101) }, /^password must be at most 100 characters/],
      [{ duressWord: 42 }, /^duressWord must be a string/],
      [{ notes: 'x'.repeat(2001) }, /^notes must be at most 2000 characters/],
      [{ access: 'gate\u202Ecode' }, /^access must not contain control or formatting characters/],
      [{ animals: ['dog'] }, /^animals must be a string/],
    ];
    for (const [body, message] of cases) {
      const res = await put(id, body);
      expect([JSON.stringify(body).slice(0, 60), res.status]).toEqual([JSON.stringify(body).slice(0, 60), 400]);
      expect(res.body.message).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    }
    const huge = await put(id, { notes: 'x'.repeat(200_000) });
    expect(huge.status).toBe(413);
    // Nothing of the refused bodies was kept.
    expect((await read(id)).body).toMatchObject({ notes: 'x', zones: {} });
  });

  it('names zones and users in alarms, timelines and the arming history', async () => {
    const { customer, panel } = await f.household();
    await put(customer.id, FACTS);
    expect((await f.post(panel, { eventId: 'arm-1', code: 'CL', user: '2', method: 'keypad' })).status).toBe(202);
    expect((await f.post(panel, { eventId: 'ba-1', code: 'BA', zone: '005' })).status).toBe(202);
    const listed = await waitUntil(async () => {
      const res = await t.request('GET', `/api/alarms?customerId=${customer.id}`, { token: operator });
      return res.body.items[0];
    });
    expect(listed).toMatchObject({ zone: '005', zoneName: 'Cellar PIR' });
    const alarm = await f.alarm(listed.id);
    expect(alarm).toMatchObject({ zone: '005', zoneName: 'Cellar PIR' });
    expect(alarm.timeline.find((e: any) => e.type === 'event')).toMatchObject({ zone: '005', zoneName: 'Cellar PIR' });

    const history = await t.request('GET', `/api/customers/${customer.id}/arming-history`, { token: operator });
    expect(history.body.items.map((i: any) => [i.user, i.userName])).toEqual([['2', 'Erik (son)']]);

    // A zone without a name says so with null; the zone itself is still there.
    expect((await f.post(panel, { eventId: 'ba-2', code: 'FA', zone: '9' })).status).toBe(202);
    const fire = await waitUntil(async () => {
      const res = await t.request('GET', `/api/alarms?customerId=${customer.id}`, { token: operator });
      return res.body.items.find((a: any) => a.class === 'fire');
    });
    expect(fire).toMatchObject({ zone: '9', zoneName: null });
  });

  it('is in the customer export, unmasked, and erased with the customer', async () => {
    const { id } = await f.customer();
    await put(id, FACTS);
    const exported = await t.request('GET', `/api/customers/${id}/export`, { token: dpo });
    expect(exported.status).toBe(200);
    expect(exported.body.premises).toEqual({
      notes: FACTS.notes,
      animals: FACTS.animals,
      access: FACTS.access,
      password: FACTS.password,
      duressWord: FACTS.duressWord,
      zones: { '5': 'Cellar PIR', kitchen: 'Kitchen smoke' },
      users: FACTS.users,
      updatedAt: expect.any(String),
    });
    const erased = await t.request('POST', `/api/customers/${id}/erasure`, { token: dpo });
    expect(erased.status).toBe(200);
    expect(erased.body.erased).toEqual(expect.arrayContaining([expect.stringMatching(/^premises facts/)]));
    expect(await t.query(`SELECT 1 FROM premises WHERE customer_id = $1`, [id])).toEqual([]);
  });
});

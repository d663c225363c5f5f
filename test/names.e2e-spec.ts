import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlarmFixtures } from './support/alarm-fixtures.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

describe('names: ids shown as people', () => {
  let t: TestApp;
  let f: AlarmFixtures;
  let dpo: string;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    f = await AlarmFixtures.create(t, 300);
    [dpo, admin] = await Promise.all([t.tokenFor('dpo'), t.tokenFor('admin')]);
  });
  afterAll(async () => t?.close());

  it('names customers, contacts and operators; an id that names nobody is left out', async () => {
    const household = await f.household(1);
    const [contact] = household.contacts;
    const [{ name: contactName }] = await t.query(`SELECT name FROM contact WHERE id = $1`, [contact.id]);
    const [{ id: operatorId, name: operatorName }] = await t.query(`SELECT id, name FROM operator WHERE email = 'operator@test.local'`);
    const ids = [household.customer.id, contact.id, operatorId, UNKNOWN];
    for (const token of [f.tokens.operator, f.tokens.supervisor, dpo, admin]) {
      const res = await t.request('GET', `/api/names?ids=${ids.join(',')}`, { token });
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(3);
      expect([...res.body.items].sort((a: any, b: any) => a.kind.localeCompare(b.kind))).toEqual([
        { id: contact.id, kind: 'contact', name: contactName },
        { id: household.customer.id, kind: 'customer', name: `Anna Lind ${household.customer.n}` },
        { id: operatorId, kind: 'operator', name: operatorName },
      ]);
    }
    // Reading their names is processing of them: in the log, with its basis.
    const log = await t.query(
      `SELECT legal_basis, subject_ids::text[] AS subjects FROM processing_log WHERE operation = 'names.read' ORDER BY seq DESC LIMIT 1`,
    );
    expect(log[0].legal_basis).toBe('legitimate_interests');
    expect(log[0].subjects).toEqual(expect.arrayContaining([household.customer.id, contact.id, operatorId]));
  });

  it('refuses no token, bad ids, too many ids and unknown parameters, naming the field', async () => {
    expect((await t.request('GET', `/api/names?ids=${UNKNOWN}`)).status).toBe(401);
    for (const [q, message] of [
      ['', 'ids must name at least one id'],
      ['ids=', 'ids must name at least one id'],
      ['ids=nope', 'each of ids must be a UUID'],
      [`ids=${UNKNOWN},x`, 'each of ids must be a UUID'],
      [
        `ids=${Array.from({ length: 101 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`).join(',')}`,
        'ids must not name more than 100 ids',
      ],
      [`ids=${UNKNOWN}&kind=operator`, 'property kind should not exist'],
    ] as const) {
      const res = await t.request('GET', `/api/names?${q}`, { token: f.tokens.operator });
      expect({ q: q.slice(0, 40), status: res.status }).toEqual({ q: q.slice(0, 40), status: 400 });
      expect(String(res.body.message)).toContain(message);
    }
  });
});

import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RouteDeclarations } from '../src/common/route-declarations.js';
import { PanelSecrets, PanelsService } from '../src/panels/panels.service.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const CUSTOMER = {
  name: 'Anna Lind',
  phone: '+46701234567',
  alarmAddress: { street: 'Storgatan 1', postalCode: '114 55', city: 'Stockholm', country: 'SE' },
};

describe('panels', () => {
  let t: TestApp;
  let operator: string;
  let supervisor: string;
  let dpo: string;
  let admin: string;
  let customerId: string;

  beforeAll(async () => {
    t = await createTestApp();
    [operator, supervisor, dpo, admin] = await Promise.all([t.tokenFor('operator'), t.tokenFor('supervisor'), t.tokenFor('dpo'), t.tokenFor('admin')]);
    customerId = (await t.request('POST', '/api/customers', { token: operator, body: CUSTOMER })).body.id;
  });
  afterAll(async () => t?.close());

  const register = (body: unknown = {}, token = supervisor, id = customerId) => t.request('POST', `/api/customers/${id}/panels`, { token, body });
  const listPanels = (token = operator, id = customerId) => t.request('GET', `/api/customers/${id}/panels`, { token });

  it('registers a panel and shows its secret once: 32 random bytes, base64url', async () => {
    const res = await register({ label: 'Hall' });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      customerId,
      label: 'Hall',
      secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      createdAt: expect.any(String),
      lastSeenAt: null,
      supervisionIntervalSeconds: 90000,
      supervision: 'never_seen',
      rotatedAt: null,
      protocol: 'http',
    });
    expect(Buffer.from(res.body.secret, 'base64url')).toHaveLength(32);
    const other = await register();
    expect(other.body.secret).not.toBe(res.body.secret);
    expect(other.body.label).toBeNull();
  });

  it('never shows the secret again, and does not store it in clear', async () => {
    const { body } = await register({ label: 'Garage' });
    const list = await listPanels();
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(list.body.items.length);
    const listed = list.body.items.find((p: { id: string }) => p.id === body.id);
    expect(listed).toMatchObject({ id: body.id, label: 'Garage', supervision: 'never_seen' });
    expect(listed).not.toHaveProperty('secret');
    expect(list.text).not.toContain(body.secret);
    const [row] = await t.query(`SELECT secret_encrypted, encode(secret_encrypted, 'escape') AS text FROM panel WHERE id = $1`, [body.id]);
    expect(row.secret_encrypted.includes(Buffer.from(body.secret))).toBe(false);
    expect(row.secret_encrypted.includes(Buffer.from(body.secret, 'base64url'))).toBe(false);
    expect(row.text).not.toContain(body.secret);
  });

  it('gives the panel-events work the HMAC key: the secret as shown', async () => {
    const { body } = await register();
    const secrets = t.app.get(PanelSecrets);
    const key = await secrets.secretFor(body.id);
    expect(key?.toString('utf8')).toBe(body.secret);
    const raw = '{"eventId":"p-1","code":"RP","occurredAt":"2026-11-22T10:15:00+01:00"}';
    const panelSide = createHmac('sha256', body.secret).update(`1763800000.${raw}`).digest('hex');
    expect(createHmac('sha256', key!).update(`1763800000.${raw}`).digest('hex')).toBe(panelSide);
    expect(await secrets.secretFor(UNKNOWN)).toBeUndefined();
    expect(await secrets.secretFor('not-a-uuid')).toBeUndefined();
  });

  it('rotates the secret (supervisor, admin): the new one is shown once and the old one stops working', async () => {
    const { body } = await register({ label: 'Kitchen' });
    const path = `/api/customers/${customerId}/panels/${body.id}/rotate-secret`;
    expect((await t.request('POST', path, { token: operator })).status).toBe(403);
    expect((await t.request('POST', path, { token: dpo })).status).toBe(403);
    const res = await t.request('POST', path, { token: supervisor });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ id: body.id, label: 'Kitchen', secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), rotatedAt: expect.any(String) });
    expect(res.body.secret).not.toBe(body.secret);
    expect((await t.app.get(PanelSecrets).secretFor(body.id))?.toString()).toBe(res.body.secret);
    const again = await t.request('POST', path, { token: admin });
    expect(again.status).toBe(200);
    expect(again.body.secret).not.toBe(res.body.secret);
    expect((await t.request('POST', `/api/customers/${customerId}/panels/${UNKNOWN}/rotate-secret`, { token: supervisor })).status).toBe(404);
    const foreign = (await t.request('POST', '/api/customers', { token: operator, body: CUSTOMER })).body.id;
    expect((await t.request('POST', `/api/customers/${foreign}/panels/${body.id}/rotate-secret`, { token: supervisor })).status).toBe(404);
    expect((await t.request('POST', `/api/customers/${customerId}/panels/xyz/rotate-secret`, { token: supervisor })).status).toBe(400);
  });

  it('shows supervision: never_seen, ok within the interval, overdue after it', async () => {
    const { body } = await register({ label: 'Supervised', supervisionIntervalSeconds: 3600 });
    expect(body.supervisionIntervalSeconds).toBe(3600);
    const state = async () => (await listPanels()).body.items.find((p: { id: string }) => p.id === body.id);
    expect((await state()).supervision).toBe('never_seen');
    const seen = new Date(Date.now() - 60_000);
    await t.app.get(PanelsService).markSeen(body.id, seen);
    expect(await state()).toMatchObject({ supervision: 'ok', lastSeenAt: seen.toISOString() });
    // markSeen never moves back in time.
    await t.app.get(PanelsService).markSeen(body.id, new Date(Date.now() - 7200_000));
    expect((await state()).lastSeenAt).toBe(seen.toISOString());
    await t.query(`UPDATE panel SET last_seen_at = now() - interval '3601 seconds' WHERE id = $1`, [body.id]);
    expect((await state()).supervision).toBe('overdue');
  });

  it('validates the body', async () => {
    const cases: [unknown, RegExp][] = [
      [{ label: 'x'.repeat(101) }, /^label must be at most 100 characters/],
      [{ label: 'a\nb' }, /^label must be a single line/],
      [{ label: 5 }, /^label must be a string/],
      [{ secret: 'mine' }, /property secret should not exist/],
      [{ supervisionIntervalSeconds: 10 }, /^supervisionIntervalSeconds must be at least 60/],
      [{ supervisionIntervalSeconds: 10_000_000 }, /^supervisionIntervalSeconds must be at most 604800/],
    ];
    for (const [body, pattern] of cases) {
      const res = await register(body);
      expect(res.status).toBe(400);
      expect(res.body.message).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
    }
    const malformed = await t.request('POST', `/api/customers/${customerId}/panels`, {
      token: supervisor,
      raw: '{',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
  });

  it("answers 404 for an unknown or ended customer; the ended customer's panels have no secret any more", async () => {
    expect((await register({}, supervisor, UNKNOWN)).status).toBe(404);
    expect((await listPanels(operator, UNKNOWN)).status).toBe(404);
    expect((await listPanels(operator, 'abc')).status).toBe(400);
    const ending = (await t.request('POST', '/api/customers', { token: operator, body: CUSTOMER })).body.id;
    const { body } = await register({}, supervisor, ending);
    expect(await t.app.get(PanelSecrets).secretFor(body.id)).toBeDefined();
    expect((await t.request('DELETE', `/api/customers/${ending}`, { token: supervisor })).status).toBe(204);
    expect((await listPanels(operator, ending)).status).toBe(404);
    expect(await t.app.get(PanelSecrets).secretFor(body.id)).toBeUndefined();
  });

  it('answers 401 without a token and 403 to roles that may not', async () => {
    const { body } = await register();
    const base = `/api/customers/${customerId}/panels`;
    expect((await t.request('POST', base, { body: {} })).status).toBe(401);
    expect((await t.request('GET', base)).status).toBe(401);
    expect((await t.request('POST', `${base}/${body.id}/rotate-secret`)).status).toBe(401);
    expect((await register({}, operator)).status).toBe(403);
    expect((await register({}, dpo)).status).toBe(403);
    expect((await listPanels(dpo)).status).toBe(403);
    expect((await register({}, admin)).status).toBe(201);
    expect((await listPanels(supervisor)).status).toBe(200);
  });

  it('declares roles and a contract legal basis on every panel route', () => {
    const routes = t.app
      .get(RouteDeclarations)
      .routes()
      .filter((r) => r.path.startsWith('/api/customers/:id/panels'));
    expect(routes).toHaveLength(3);
    for (const r of routes) expect(r.processing).toMatchObject({ legalBasis: 'contract', operation: expect.stringMatching(/^panels\./) });
    expect(routes.find((r) => r.path.endsWith('rotate-secret'))!.access).toEqual({ roles: ['supervisor'] });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN, createTestApp, type TestApp } from './support/test-app.js';

describe('operators, login and roles', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('logs the bootstrap admin in and returns a token, its lifetime and the operator', async () => {
    const res = await t.request('POST', '/api/auth/login', { body: ADMIN });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ expiresIn: 12 * 3600, operator: { email: ADMIN.email, role: 'admin' } });
    expect(typeof res.body.accessToken).toBe('string');
    expect(res.headers.get('set-cookie')).toMatch(/keyholder_session=.*HttpOnly/i);
    const me = await t.request('GET', '/api/auth/me', { token: res.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(ADMIN.email);
  });

  it('accepts the session cookie the dashboard uses', async () => {
    const res = await t.request('POST', '/api/auth/login', { body: ADMIN });
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    const me = await t.request('GET', '/api/auth/me', { headers: { cookie } });
    expect(me.status).toBe(200);
  });

  it('refuses a wrong password and an unknown account alike, with 401', async () => {
    const wrong = await t.request('POST', '/api/auth/login', { body: { email: ADMIN.email, password: 'not-the-password' } });
    const unknown = await t.request('POST', '/api/auth/login', { body: { email: 'nobody@test.local', password: 'whatever-123' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.message).toBe(unknown.body.message);
  });

  it('names the bad fields of a malformed login', async () => {
    const res = await t.request('POST', '/api/auth/login', { body: { email: 'not-an-email', password: 5, extra: true } });
    expect(res.status).toBe(400);
    expect(res.body.message).toEqual(
      expect.arrayContaining([expect.stringMatching(/email/), expect.stringMatching(/password/), expect.stringMatching(/extra/)]),
    );
  });

  it('answers 401 to a missing, malformed, forged or expired token', async () => {
    expect((await t.request('GET', '/api/operators')).status).toBe(401);
    expect((await t.request('GET', '/api/operators', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
    expect((await t.request('GET', '/api/operators', { token: 'forged-token-' + 'x'.repeat(30) })).status).toBe(401);

    const token = await t.login();
    expect((await t.request('GET', '/api/operators', { token })).status).toBe(200);
    await t.query(`UPDATE operator_session SET expires_at = now() - interval '1 second'`);
    const expired = await t.request('GET', '/api/operators', { token });
    expect(expired.status).toBe(401);
    expect(expired.body.message).toMatch(/expired/);
  });

  it('logs out: the token stops working', async () => {
    const token = await t.login();
    expect((await t.request('POST', '/api/auth/logout', { token })).status).toBe(204);
    expect((await t.request('GET', '/api/auth/me', { token })).status).toBe(401);
  });

  it('lets an admin create operators, and refuses a duplicate email with 409', async () => {
    const admin = await t.tokenFor('admin');
    const body = { email: 'Bo@Test.Local', name: 'Bo', role: 'operator', password: 'bo-password-1234' };
    const created = await t.request('POST', '/api/operators', { token: admin, body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'bo@test.local', role: 'operator' });
    expect(created.body.password).toBeUndefined();
    expect(created.body.passwordHash).toBeUndefined();
    expect((await t.request('POST', '/api/operators', { token: admin, body })).status).toBe(409);
    const stored = await t.query(`SELECT password_hash FROM operator WHERE email = 'bo@test.local'`);
    expect(stored[0].password_hash).toMatch(/^\$argon2id\$/);
    const list = await t.request('GET', '/api/operators', { token: admin });
    expect(list.body.total).toBe(list.body.items.length);
    expect(list.body.items.map((o: { email: string }) => o.email)).toContain('bo@test.local');
  });

  it('validates a new operator field by field', async () => {
    const admin = await t.tokenFor('admin');
    const res = await t.request('POST', '/api/operators', { token: admin, body: { email: 'x', name: ' ', role: 'root', password: 'short' } });
    expect(res.status).toBe(400);
    expect(res.body.message).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^email/),
        expect.stringMatching(/^name/),
        expect.stringMatching(/^role must be one of operator, supervisor, dpo, admin/),
        expect.stringMatching(/^password must be at least 12/),
      ]),
    );
  });

  it('answers 403 when the role may not call the route', async () => {
    for (const role of ['operator', 'supervisor', 'dpo'] as const) {
      const token = await t.tokenFor(role);
      const res = await t.request('GET', '/api/operators', { token });
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(new RegExp(`role ${role} may not`));
      expect((await t.request('POST', '/api/operators', { token, body: {} })).status).toBe(403);
    }
  });

  it('rate-limits repeated failed logins per account and address with 429 and Retry-After', async () => {
    const email = 'victim@test.local';
    const admin = await t.tokenFor('admin');
    await t.request('POST', '/api/operators', { token: admin, body: { email, name: 'V', role: 'operator', password: 'victim-password-1' } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await t.request('POST', '/api/auth/login', { body: { email, password: `guess-${i}-xxxx` } })).status);
    }
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses[5]).toBe(429);
    const blocked = await t.request('POST', '/api/auth/login', { body: { email, password: 'victim-password-1' } });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account from the same address is not locked out by this one.
    expect((await t.request('POST', '/api/auth/login', { body: ADMIN })).status).toBe(200);
  });

  it('ignores X-Forwarded-For without TRUST_PROXY: a client cannot pick the address it is counted under', async () => {
    const email = 'spoofer-target@test.local';
    const admin = await t.tokenFor('admin');
    await t.request('POST', '/api/operators', { token: admin, body: { email, name: 'S', role: 'operator', password: 'spoofer-target-1' } });
    for (let i = 0; i < 5; i++) {
      const res = await t.request('POST', '/api/auth/login', {
        body: { email, password: `guess-${i}-xxxx` },
        headers: { 'x-forwarded-for': `203.0.113.${i}` },
      });
      expect(res.status).toBe(401);
    }
    const res = await t.request('POST', '/api/auth/login', { body: { email, password: 'spoofer-target-1' }, headers: { 'x-forwarded-for': '198.51.100.7' } });
    expect(res.status).toBe(429);
  });

  it('answers every login, and who is logged in, with Cache-Control: no-store', async () => {
    const ok = await t.request('POST', '/api/auth/login', { body: ADMIN });
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const refused = await t.request('POST', '/api/auth/login', { body: { email: 'nobody@test.local', password: 'whatever-123' } });
    expect(refused.headers.get('cache-control')).toBe('no-store');
    const me = await t.request('GET', '/api/auth/me', { token: ok.body.accessToken });
    expect(me.headers.get('cache-control')).toBe('no-store');
  });

  it('names the cookie __Host-keyholder_session when it is Secure, and accepts only that one', async () => {
    const secure = await createTestApp({ COOKIE_SECURE: 'true' });
    try {
      const res = await secure.request('POST', '/api/auth/login', { body: ADMIN });
      const setCookie = res.headers.get('set-cookie')!;
      expect(setCookie).toMatch(/^__Host-keyholder_session=/);
      expect(setCookie).toMatch(/; Path=\//);
      expect(setCookie).toMatch(/; Secure/);
      expect(setCookie).not.toMatch(/Domain=/i);
      const token = setCookie.split(';')[0].split('=')[1];
      expect((await secure.request('GET', '/api/auth/me', { headers: { cookie: `__Host-keyholder_session=${token}` } })).status).toBe(200);
      expect((await secure.request('GET', '/api/auth/me', { headers: { cookie: `keyholder_session=${token}` } })).status).toBe(401);
      const out = await secure.request('POST', '/api/auth/logout', {
        headers: { cookie: `__Host-keyholder_session=${token}`, origin: secure.config.publicBaseUrl },
      });
      expect(out.status).toBe(204);
      // Clearing a __Host- cookie takes the same attributes, or the browser ignores it.
      expect(out.headers.get('set-cookie')).toMatch(/^__Host-keyholder_session=;.*Path=\/.*Secure/);
    } finally {
      await secure.close();
    }
  });
});

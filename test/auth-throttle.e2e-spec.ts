import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PER_ACCOUNT, PER_ADDRESS, PER_ADDRESS_AND_ACCOUNT } from '../src/auth/login-throttle.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// The app sits behind a proxy on the loopback address (TRUST_PROXY=loopback), so each request says
// which client it comes from in X-Forwarded-For: many clients from one test.
describe('login limits: atomic, per account and per address', () => {
  let t: TestApp;
  let admin: string;
  let n = 0;
  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: 'loopback' });
    admin = await t.tokenFor('admin');
  });
  afterAll(async () => t?.close());

  /** A new operator account and its password. */
  const account = async () => {
    n += 1;
    const email = `target-${n}@test.local`;
    const password = `target-password-${n}`;
    const res = await t.request('POST', '/api/operators', { token: admin, body: { email, name: `Target ${n}`, role: 'operator', password } });
    expect(res.status).toBe(201);
    return { email, password, id: res.body.id as string };
  };
  const login = (from: string, email: string, password: string) =>
    t.request('POST', '/api/auth/login', { body: { email, password }, headers: { 'x-forwarded-for': from } });

  it('lets no more parallel wrong guesses reach the password check than the limit; the right password then still works from another address', async () => {
    const target = await account();
    const guesses = await Promise.all(Array.from({ length: 40 }, (_, i) => login('203.0.113.1', target.email, `wrong-guess-${i}-xx`)));
    const statuses = guesses.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(PER_ADDRESS_AND_ACCOUNT.points);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40 - PER_ADDRESS_AND_ACCOUNT.points);
    for (const r of guesses.filter((g) => g.status === 429)) expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);

    // The guessing address is refused even the right password; a clean one logs in.
    expect((await login('203.0.113.1', target.email, target.password)).status).toBe(429);
    const clean = await login('198.51.100.1', target.email, target.password);
    expect(clean.status).toBe(200);
    expect(clean.headers.get('cache-control')).toBe('no-store');
  });

  it("once an account's own budget is spent, only addresses that failed at it wait: the operator at a clean desk still logs in", async () => {
    const target = await account();
    // One wrong guess from the operator's own (shared) address, then others spend the account's budget.
    expect((await login('203.0.113.20', target.email, 'a-typo-in-it')).status).toBe(401);
    for (let i = 0; i < PER_ACCOUNT.points; i++) expect((await login(`203.0.113.${30 + i}`, target.email, `guess-${i}-xxxx`)).status).toBe(401);

    const failedHere = await login('203.0.113.20', target.email, target.password);
    expect(failedHere.status).toBe(429);
    expect(Number(failedHere.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another guess from an address that already failed here is refused before any password check.
    expect((await login('203.0.113.30', target.email, 'one-more-guess')).status).toBe(429);
    expect((await login('198.51.100.20', target.email, target.password)).status).toBe(200);
  });

  it('counts one address across accounts, and that does not lock those accounts out for other addresses', async () => {
    const targets = await Promise.all(Array.from({ length: Math.ceil(PER_ADDRESS.points / 4) + 1 }, () => account()));
    const statuses: number[] = [];
    // Four guesses per account: under the per-account-and-address limit, so only the address counts add up.
    for (const target of targets) for (let i = 0; i < 4; i++) statuses.push((await login('203.0.113.99', target.email, `spray-${i}-xxxx`)).status);
    expect(statuses.slice(0, PER_ADDRESS.points)).toEqual(Array(PER_ADDRESS.points).fill(401));
    expect(statuses.slice(PER_ADDRESS.points)).toEqual(Array(statuses.length - PER_ADDRESS.points).fill(429));
    const last = targets[targets.length - 1];
    expect((await login('203.0.113.99', last.email, last.password)).status).toBe(429);
    expect((await login('198.51.100.99', last.email, last.password)).status).toBe(200);
  });

  it('a right password gives its points back: logging in again and again never counts', async () => {
    const target = await account();
    for (let i = 0; i < PER_ADDRESS_AND_ACCOUNT.points + 2; i++) expect((await login('203.0.113.150', target.email, target.password)).status).toBe(200);
  });

  it('refuses a disabled operator exactly like a wrong password', async () => {
    const target = await account();
    expect((await t.request('PATCH', `/api/operators/${target.id}`, { token: admin, body: { disabled: true } })).status).toBe(200);
    const disabled = await login('203.0.113.160', target.email, target.password);
    const wrong = await login('203.0.113.161', target.email, 'not-the-password');
    expect(disabled.status).toBe(401);
    expect(disabled.body).toEqual(wrong.body);
    expect((await t.request('PATCH', `/api/operators/${target.id}`, { token: admin, body: { disabled: false } })).status).toBe(200);
    expect((await login('203.0.113.162', target.email, target.password)).status).toBe(200);
  });
});

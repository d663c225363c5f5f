import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { AlarmFixtures } from './support/alarm-fixtures.js';
import { haveChromium, logInAs, openBrowser } from './support/chromium.js';
import { ADMIN, createTestApp, type TestApp } from './support/test-app.js';

// A page on the same site as the dashboard (same host, another port) posting to the API with the
// operator's session cookie, which SameSite=Strict does not stop: the browser sends it.

const haveBrowser = haveChromium('forged-origin.e2e-spec');

/** Where the dashboard would be published; the tests reach the app as http://127.0.0.1:<port>. */
const PUBLIC = 'https://alarm.example.com';

const newAdmin = (n: number) => ({ email: `forged-${n}@evil.test`, name: 'Forged Admin', role: 'admin', password: 'forged-password-123' });

/** The session cookie as a browser would send it back, whatever the cookie is called. */
async function sessionCookie(t: TestApp): Promise<string> {
  const res = await t.request('POST', '/api/auth/login', { body: { email: ADMIN.email, password: ADMIN.password } });
  expect(res.status).toBe(200);
  const cookies = res.headers.getSetCookie();
  expect(cookies.length).toBeGreaterThan(0);
  return cookies.map((c) => c.split(';')[0]).join('; ');
}

describe('cookie-authenticated writes over HTTP', () => {
  let t: TestApp;
  let f: AlarmFixtures;
  let cookie: string;
  let sibling: string;
  let n = 0;
  const operators = async (email: string) => (await t.query(`SELECT id FROM operator WHERE email = $1`, [email])).length;

  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_BASE_URL: PUBLIC });
    f = await AlarmFixtures.create(t, 9300);
    cookie = await sessionCookie(t);
    const port = Number(new URL(t.baseUrl).port);
    sibling = `http://127.0.0.1:${port === 65535 ? port - 1 : port + 1}`;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a form body from a sibling origin with 403 naming the Origin, and creates nobody', async () => {
    const body = newAdmin(++n);
    const res = await t.request('POST', '/api/operators', {
      raw: new URLSearchParams(body).toString(),
      headers: { cookie, origin: sibling, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ statusCode: 403, code: 'origin_not_allowed' });
    expect(res.body.message).toContain(`cookie-authenticated writes must come from ${PUBLIC}`);
    expect(res.body.message).toContain(`Origin was "${sibling}"`);
    expect(await operators(body.email)).toBe(0);
  });

  it('refuses JSON from a sibling origin, without an Origin, or with Origin null: 403', async () => {
    for (const origin of [sibling, undefined, 'null', `${PUBLIC}.evil.test`, 'http://alarm.example.com']) {
      const body = newAdmin(++n);
      const res = await t.request('POST', '/api/operators', { body, headers: origin === undefined ? { cookie } : { cookie, origin } });
      expect({ origin, status: res.status, code: res.body.code }).toEqual({ origin, status: 403, code: 'origin_not_allowed' });
      expect(await operators(body.email)).toBe(0);
    }
    const missing = await t.request('POST', '/api/operators', { body: newAdmin(++n), headers: { cookie } });
    expect(missing.body.message).toContain('the request carried no Origin header');
    // An empty Authorization header is no token: the cookie is what would authenticate it.
    const body = newAdmin(++n);
    expect((await t.request('POST', '/api/operators', { body, headers: { cookie, origin: sibling, authorization: '' } })).status).toBe(403);
    expect(await operators(body.email)).toBe(0);
  });

  it('refuses a form body with 415 even from the right origin, saying to send JSON', async () => {
    const body = newAdmin(++n);
    const res = await t.request('POST', '/api/operators', {
      raw: new URLSearchParams(body).toString(),
      headers: { cookie, origin: PUBLIC, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type', code: 'body_not_json' });
    expect(res.body.message).toContain('send Content-Type: application/json');
    expect(res.body.message).toContain('application/x-www-form-urlencoded');
    expect(await operators(body.email)).toBe(0);
  });

  it('refuses text/plain and multipart bodies with 415 from any caller, bearer tokens included', async () => {
    const admin = await t.tokenFor('admin');
    const body = newAdmin(++n);
    for (const headers of <Array<Record<string, string>>>[
      { cookie, origin: PUBLIC, 'content-type': 'text/plain' },
      { authorization: `Bearer ${admin}`, 'content-type': 'text/plain;charset=UTF-8' },
      { authorization: `Bearer ${admin}`, 'content-type': 'multipart/form-data; boundary=x' },
      { authorization: `Bearer ${admin}` },
    ]) {
      const res = await t.request('POST', '/api/operators', { raw: JSON.stringify(body), headers });
      expect({ type: headers['content-type'], status: res.status }).toEqual({ type: headers['content-type'], status: 415 });
    }
    expect(await operators(body.email)).toBe(0);
  });

  it('takes JSON with Origin equal to PUBLIC_BASE_URL or to the address the request was sent to', async () => {
    for (const origin of [PUBLIC, t.baseUrl]) {
      const body = newAdmin(++n);
      const res = await t.request('POST', '/api/operators', { body, headers: { cookie, origin } });
      expect({ origin, status: res.status }).toEqual({ origin, status: 201 });
      expect(await operators(body.email)).toBe(1);
    }
  });

  it('leaves reads and bearer-token callers alone: no Origin needed', async () => {
    expect((await t.request('GET', '/api/operators', { headers: { cookie } })).status).toBe(200);
    const admin = await t.tokenFor('admin');
    // A stray cookie beside the token does not matter: the token is what authenticates.
    const body = newAdmin(++n);
    const res = await t.request('POST', '/api/operators', { token: admin, body, headers: { cookie, origin: sibling } });
    expect(res.status).toBe(201);
    expect(await operators(body.email)).toBe(1);
  });

  it('takes a write without a body (a deletion, a logout) from the right origin', async () => {
    const customer = await f.customer();
    const path = `/api/customers/${customer.id}`;
    expect((await t.request('DELETE', path, { headers: { cookie } })).status).toBe(403);
    expect((await t.request('DELETE', path, { headers: { cookie, origin: t.baseUrl } })).status).toBeLessThan(300);
    expect((await t.request('GET', path, { headers: { cookie } })).status).toBe(404);
    expect((await t.request('POST', '/api/auth/logout', { headers: { cookie, origin: PUBLIC } })).status).toBe(204);
  });
});

(haveBrowser ? describe : describe.skip)('a forged form from a sibling origin, in Chromium', () => {
  let t: TestApp;
  let f: AlarmFixtures;
  let browser: Browser;
  let page: Page;
  let forger: http.Server;
  let forgerUrl: string;
  const errors: string[] = [];
  /** The forging site's pages, by path; each posts to the app as soon as it loads. */
  const pages = new Map<string, string>();

  beforeAll(async () => {
    t = await createTestApp();
    f = await AlarmFixtures.create(t, 9400);
    forger = http.createServer((req, res) => {
      const html = pages.get(req.url ?? '');
      res.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' }).end(html ?? 'not found');
    });
    await new Promise<void>((resolve) => forger.listen(0, '127.0.0.1', resolve));
    // Same host name as the app, another port: the same site, so SameSite=Strict lets the cookie through.
    forgerUrl = `http://127.0.0.1:${(forger.address() as AddressInfo).port}`;
    expect(forgerUrl).not.toBe(t.baseUrl);
    browser = await openBrowser();
    page = await logInAs(browser, t.baseUrl, 'admin', errors);
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => forger?.close(resolve));
    await t?.close();
  });

  /**
   * Opens the forging page and returns what reached the app and its answer, seen at the app's HTTP
   * server: a no-cors answer is opaque to the browser (and blocked by Cross-Origin-Resource-Policy).
   */
  async function visitForger(name: string, html: string, method: string, path: string): Promise<{ status: number; headers: IncomingHttpHeaders }> {
    pages.set(`/${name}`, `<!doctype html><html><body>${html}</body></html>`);
    const server = t.app.getHttpServer() as http.Server;
    const arrived = new Promise<{ status: number; headers: IncomingHttpHeaders }>((resolve) => {
      const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
        if (req.method !== method || req.url !== path) return;
        server.off('request', onRequest);
        res.on('finish', () => resolve({ status: res.statusCode, headers: req.headers }));
      };
      server.on('request', onRequest);
    });
    await page.goto(`${forgerUrl}/${name}`);
    const seen = await arrived;
    // The attack is real: the browser sent the operator's session cookie along, from the sibling origin.
    const session = await page.context().cookies(t.baseUrl);
    expect(session.length).toBeGreaterThan(0);
    for (const c of session) expect(seen.headers.cookie).toContain(`${c.name}=${c.value}`);
    expect(seen.headers.origin).toBe(forgerUrl);
    return seen;
  }

  const autoSubmit = (action: string, fields: Record<string, string>) =>
    `<form method="POST" enctype="application/x-www-form-urlencoded" action="${action}">` +
    Object.entries(fields)
      .map(([k, v]) => `<input type="hidden" name="${k}" value="${v}">`)
      .join('') +
    `</form><script>document.forms[0].submit()</script>`;

  it('an auto-submitted form creating an admin is refused, and no account exists', async () => {
    const body = newAdmin(1);
    const res = await visitForger('operator-form', autoSubmit(`${t.baseUrl}/api/operators`, body), 'POST', '/api/operators');
    expect(res.status).toBe(403);
    expect(await page.textContent('body')).toContain('origin_not_allowed');
    expect(await t.query(`SELECT id FROM operator WHERE email = $1`, [body.email])).toHaveLength(0);
  });

  it('an auto-submitted form closing an open fire alarm as a false alarm is refused; the alarm stays open', async () => {
    const { panel } = await f.household();
    const opened = await f.post(panel, { eventId: 'forged-fire-1', code: 'FA' });
    expect(opened.status).toBe(202);
    const alarmId = opened.body.alarmId as string;
    const path = `/api/alarms/${alarmId}/actions`;
    const res = await visitForger('alarm-form', autoSubmit(t.baseUrl + path, { action: 'false_alarm', note: 'forged' }), 'POST', path);
    expect(res.status).toBe(403);
    expect(await t.query(`SELECT status FROM alarm WHERE id = $1`, [alarmId])).toEqual([{ status: 'open' }]);
  });

  it('a no-cors fetch with a text/plain JSON body is refused too', async () => {
    const body = newAdmin(2);
    const script =
      `<script>fetch(${JSON.stringify(`${t.baseUrl}/api/operators`)}, { method: 'POST', mode: 'no-cors', credentials: 'include', ` +
      `headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(JSON.stringify(body))} }).catch(() => undefined)</script>`;
    const res = await visitForger('operator-fetch', script, 'POST', '/api/operators');
    expect(res.status).toBe(403);
    expect(await t.query(`SELECT id FROM operator WHERE email = $1`, [body.email])).toHaveLength(0);
  });

  it('the dashboard itself still writes with the same cookie', async () => {
    const body = newAdmin(3);
    await page.goto(t.baseUrl + '/');
    await page.locator('#who-name').waitFor({ state: 'visible' });
    // The dashboard's own client, as its pages call it.
    const created = await page.evaluate(
      async ({ b, module }) => {
        const { post } = await import(module);
        return (await post('/api/operators', b)).email;
      },
      { b: body, module: '/api.js' },
    );
    expect(created).toBe(body.email);
    expect(await t.query(`SELECT id FROM operator WHERE email = $1`, [body.email])).toHaveLength(1);
    expect(errors).toEqual([]);
  });
});

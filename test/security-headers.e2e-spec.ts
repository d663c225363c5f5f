import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { DASHBOARD_CSP } from '../src/dashboard/dashboard-static.js';
import { haveChromium, openBrowser } from './support/chromium.js';
import { createTestApp, type ApiResponse, type TestApp } from './support/test-app.js';

// Functions passed to page.evaluate run in the browser; the test's tsconfig has no DOM lib.
declare const document: any;
declare const getComputedStyle: (e: unknown) => { fontFamily: string };

const haveBrowser = haveChromium('security-headers.e2e-spec');

/** What every answer carries, whatever its route: no sniffing, no framing, no Referer, no framework banner. */
function expectGenericHeaders(what: string, res: ApiResponse): void {
  const h = res.headers;
  expect({
    what,
    nosniff: h.get('x-content-type-options'),
    frame: h.get('x-frame-options'),
    referrer: h.get('referrer-policy'),
    poweredBy: h.get('x-powered-by'),
  }).toEqual({
    what,
    nosniff: 'nosniff',
    frame: 'DENY',
    referrer: 'no-referrer',
    poweredBy: null,
  });
  expect({ what, csp: h.get('content-security-policy') }).toEqual({ what, csp: expect.stringContaining("frame-ancestors 'none'") });
}

/** The CSP's directives by name. */
function csp(res: ApiResponse): Map<string, string> {
  const header = res.headers.get('content-security-policy') ?? '';
  return new Map(
    header
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => [d.split(/\s+/)[0], d.slice(d.indexOf(' ') + 1)] as [string, string]),
  );
}

describe('security headers over http', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp();
    token = await t.tokenFor('operator');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('API answers: allow-nothing CSP, never framed, no-store, and no HSTS over http', async () => {
    for (const res of [
      await t.request('GET', '/api/customers', { token }),
      await t.request('GET', '/api/customers'),
      await t.request('POST', '/api/customers', { token, raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      await t.request('GET', '/api/no-such-thing'),
    ]) {
      const what = `${res.status} ${res.text.slice(0, 60)}`;
      expectGenericHeaders(what, res);
      expect({ what, cache: res.headers.get('cache-control'), hsts: res.headers.get('strict-transport-security') }).toEqual({
        what,
        cache: 'no-store',
        hsts: null,
      });
      expect(csp(res).get('default-src')).toBe("'none'");
    }
  });

  it('/health, /metrics and /privacy carry the generic headers too', async () => {
    for (const path of ['/health', '/metrics', '/privacy', '/privacy?lang=sv']) {
      // Whatever the answer: /health says 503 on a database that is slow to answer, with the same headers.
      const res = await t.request('GET', path);
      expectGenericHeaders(path, res);
      expect(csp(res).get('default-src')).toBe("'none'");
    }
    // The policy page needs its own inline <style>, and nothing else.
    const policy = csp(await t.request('GET', '/privacy'));
    expect(policy.get('style-src')).toBe("'unsafe-inline'");
    expect(policy.get('script-src')).toBeUndefined();
  });

  it('/api/docs: a CSP for Swagger UI that loads only from this origin and cannot be framed', async () => {
    for (const path of ['/api/docs', '/api/docs/swagger-ui-init.js', '/api/docs-json']) {
      const res = await t.request('GET', path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expectGenericHeaders(path, res);
    }
    const docs = await t.request('GET', '/api/docs');
    const policy = csp(docs);
    expect(policy.get('default-src')).toBe("'none'");
    expect(policy.get('script-src')).toBe("'self'");
    expect(policy.get('connect-src')).toBe("'self'");
    expect(docs.headers.get('content-security-policy')).not.toMatch(/https?:|unsafe-eval|\*/);
  });

  it('the dashboard keeps its own CSP, exactly, once', async () => {
    for (const path of ['/', '/app.js', '/style.css']) {
      const res = await t.request('GET', path);
      expect({ path, status: res.status, csp: res.headers.get('content-security-policy') }).toEqual({ path, status: 200, csp: DASHBOARD_CSP });
      expectGenericHeaders(path, res);
    }
  });
});

describe('security headers behind https', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_BASE_URL: 'https://alarm.example.com' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends HSTS on every answer when PUBLIC_BASE_URL is https', async () => {
    for (const path of ['/health', '/api/customers', '/', '/api/docs']) {
      const res = await t.request('GET', path);
      expect({ path, hsts: res.headers.get('strict-transport-security') }).toEqual({ path, hsts: 'max-age=31536000; includeSubDomains' });
    }
  });
});

(haveBrowser ? describe : describe.skip)('pages under their CSP, in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  const violations: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    browser = await openBrowser();
    page = await browser.newPage();
    page.on('pageerror', (e) => violations.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('Swagger UI renders the API with no CSP violation', async () => {
    await page.goto(t.baseUrl + '/api/docs');
    await page.locator('.swagger-ui .info .title', { hasText: 'Keyholder' }).waitFor();
    await page.locator('.opblock-tag', { hasText: 'auth' }).first().waitFor();
    expect(violations).toEqual([]);
  });

  it('the privacy policy keeps its style with no CSP violation', async () => {
    await page.goto(t.baseUrl + '/privacy?lang=en');
    expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily)).toContain('system-ui');
    expect(violations).toEqual([]);
  });
});

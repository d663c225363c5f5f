import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Download, type Page } from 'playwright-core';
import { AlarmFixtures } from './alarm-fixtures.js';
import { createTestApp, type TestApp } from './test-app.js';

/** Debian's chromium (docs/stack.md#chromium-for-browser-tests: never `npx playwright install`); CHROMIUM_PATH only to try the skip. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * This file's connection to the run's one Chromium, which the global setup starts when it is
 * installed (global-setup.ts: one browser instead of one per file). Every file still works in its
 * own contexts, with their own cookies; closing the returned Browser closes them and disconnects.
 */
export function openBrowser(): Promise<Browser> {
  const shared = process.env.KEYHOLDER_TEST_BROWSER;
  if (!shared) throw new Error('no shared Chromium: run the browser tests through `npm test` (jest globalSetup)');
  return chromium.connect(shared);
}

/**
 * Whether the browser tests can run; says plainly why they are skipped when they cannot. In CI
 * (`CI=true`) a missing Chromium fails the file instead: a green run must mean the dashboard was tested.
 */
export function haveChromium(file: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (/^(true|1)$/i.test(process.env.CI ?? ''))
    throw new Error(`[${file}] ${CHROMIUM} is missing and CI is set: the browser tests must run in CI (apt-get install -y chromium)`);
  process.stderr.write(`\n[${file}] browser tests SKIPPED: ${CHROMIUM} is missing (install it with: apt-get install -y chromium)\n\n`);
  return false;
}

/** A download's content as text, streamed through Playwright: with the run's shared browser, its file is not this process's to open. */
export async function downloadedText(download: Download): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Waits for a condition in the page (polled every 100 ms). */
export function until(p: Page, fn: (arg: any) => unknown, arg?: unknown) {
  return p.waitForFunction(fn, arg, { polling: 100, timeout: 15_000 });
}

let scratch: string | undefined;

/**
 * Where a screenshot goes: the README's docs/screenshot-<name>.png only with UPDATE_SCREENSHOTS=1,
 * otherwise a temp directory, so a test run leaves the tree clean but still takes the picture.
 */
export function screenshotPath(name: string): string {
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    const docs = path.resolve('docs');
    mkdirSync(docs, { recursive: true });
    return path.join(docs, `screenshot-${name}.png`);
  }
  scratch ??= mkdtempSync(path.join(tmpdir(), 'keyholder-screenshots-'));
  return path.join(scratch, `screenshot-${name}.png`);
}

export type Role = 'operator' | 'supervisor' | 'dpo' | 'admin';

/**
 * A fresh browser session (own context and cookies) logged in through the login form as the test
 * operator of `role` (test-app.ts: `<role>@test.local` / `<role>-password-123`; call t.tokenFor(role)
 * once first so the account exists). Script errors and CSP violations are pushed to `errors`.
 */
export async function logInAs(browser: Browser, baseUrl: string, role: Role, errors: string[], options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, ...options });
  const p = await context.newPage();
  p.on('pageerror', (e) => errors.push(e.message));
  p.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  await p.goto(baseUrl + '/');
  await p.getByLabel('Email').fill(`${role}@test.local`);
  await p.getByLabel('Password').fill(`${role}-password-123`);
  await p.getByRole('button', { name: 'Log in' }).click();
  await p.locator('#who-name').waitFor({ state: 'visible' });
  return p;
}

/**
 * Fails the test that just ran when its pages threw a script error or broke the CSP, and starts the
 * next test with an empty list, so the failure is reported on the test that caused it.
 */
export function failOnPageErrors(errors: string[]): void {
  afterEach(() => {
    const found = errors.splice(0);
    if (found.length > 0) throw new Error(`the page had ${found.length} script error(s) or CSP violation(s):\n${found.join('\n')}`);
  });
}

/**
 * The set-up every dashboard spec shares: its own app and fixtures, the test accounts, one
 * Chromium, and browser contexts that are closed with it. Read `t` and `f` inside tests (they are
 * set in beforeAll). Script errors and CSP violations collect in `pageErrors` and fail the test they happened in.
 */
export function dashboardSuite(fixtureBase: number, sessionDefaults: BrowserContextOptions = {}) {
  const contexts: BrowserContext[] = [];
  const suite = {
    t: undefined as unknown as TestApp,
    f: undefined as unknown as AlarmFixtures,
    browser: undefined as unknown as Browser,
    pageErrors: [] as string[],
    /** A fresh browser context (own cookies), not logged in; closed with the suite. */
    async context(options: BrowserContextOptions = {}): Promise<BrowserContext> {
      const c = await suite.browser.newContext({ viewport: { width: 1366, height: 768 }, ...options });
      contexts.push(c);
      return c;
    },
    /** A fresh browser session (own cookies), logged in as `role`. */
    async session(role: Role, options: BrowserContextOptions = {}): Promise<Page> {
      const p = await logInAs(suite.browser, suite.t.baseUrl, role, suite.pageErrors, { ...sessionDefaults, ...options });
      contexts.push(p.context());
      return p;
    },
  };
  failOnPageErrors(suite.pageErrors);
  beforeAll(async () => {
    suite.t = await createTestApp();
    suite.f = await AlarmFixtures.create(suite.t, fixtureBase);
    await suite.t.tokenFor('dpo');
    suite.browser = await openBrowser();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await suite.browser?.close();
    await suite.t?.close();
  });
  return suite;
}

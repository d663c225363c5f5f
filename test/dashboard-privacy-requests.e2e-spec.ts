import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { type AlarmFixtures } from './support/alarm-fixtures.js';
import { axeFindings } from './support/axe.js';
import { dashboardSuite, haveChromium, until } from './support/chromium.js';
import type { TestApp } from './support/test-app.js';

// The Privacy page's register of data subjects' requests: overdue first and marked, then what is due
// with the days left, then what is done; a request registered from a customer page; one extended.

// Functions passed to page.evaluate/waitForFunction run in the browser; the test's tsconfig has no DOM lib.
declare const document: any;
declare const window: any;

const audit = (p: Page) => axeFindings(p, 20);
const haveBrowser = haveChromium('dashboard-privacy-requests.e2e-spec');
const DAY = 24 * 3600 * 1000;

(haveBrowser ? describe : describe.skip)('dashboard in Chromium: the register of data subject requests', () => {
  const suite = dashboardSuite(9900, { viewport: { width: 1440, height: 900 } });
  const { pageErrors, session } = suite;
  let t: TestApp;
  let f: AlarmFixtures;
  let dpo: string;
  beforeAll(async () => {
    ({ t, f } = suite);
    dpo = await t.tokenFor('dpo');
  });

  const register = async (body: object) => {
    const res = await t.request('POST', '/api/privacy/requests', { token: dpo, body });
    expect(res.status).toBe(201);
    return res.body;
  };
  const ids = (p: Page, group: string) =>
    p.evaluate((g) => [...document.querySelectorAll(`#${g} [data-request-id]`)].map((li: any) => li.dataset.requestId), group);

  it('lists overdue, due and done requests in that order; registers one from a customer page; extends one without a reload', async () => {
    const [late, soon, later, closed] = [await f.customer(), await f.customer(), await f.customer(), await f.customer()];
    const overdue = await register({ kind: 'access', subjectType: 'customer', subjectId: late.id, receivedAt: new Date(Date.now() - 40 * DAY).toISOString() });
    const dueLater = await register({
      kind: 'erasure',
      subjectType: 'customer',
      subjectId: later.id,
      receivedAt: new Date(Date.now() - 2 * DAY).toISOString(),
    });
    const dueSoon = await register({
      kind: 'rectification',
      subjectType: 'customer',
      subjectId: soon.id,
      receivedAt: new Date(Date.now() - 20 * DAY).toISOString(),
    });
    const done = await register({ kind: 'objection', subjectType: 'customer', subjectId: closed.id, identityCheck: 'BankID' });
    expect((await t.request('PATCH', `/api/privacy/requests/${done.id}`, { token: dpo, body: { status: 'done', outcome: 'no more texts' } })).status).toBe(200);

    const page = await session('dpo');
    await page.goto(`${t.baseUrl}/#/privacy`);
    await until(page, () => document.querySelectorAll('#request-register [data-request-id]').length >= 4);
    expect(await ids(page, 'requests-overdue')).toEqual([overdue.id]);
    expect(await ids(page, 'requests-due')).toEqual([dueSoon.id, dueLater.id]);
    expect(await ids(page, 'requests-closed')).toEqual([done.id]);
    // Overdue comes first on the page, and says so.
    const order = await page.evaluate(() => [...document.querySelectorAll('#request-register .request-group')].map((g: any) => g.id));
    expect(order).toEqual(['requests-overdue', 'requests-due', 'requests-closed']);
    const lateItem = page.locator(`[data-request-id="${overdue.id}"]`);
    expect(await lateItem.locator('.pill').textContent()).toBe('overdue');
    expect(await lateItem.locator('.days-left').textContent()).toMatch(/^\d+ days overdue$/);
    expect(await page.locator(`[data-request-id="${dueLater.id}"] .days-left`).textContent()).toMatch(/^(2[89]|30|31) days left$/);
    expect(await page.locator(`[data-request-id="${done.id}"]`).textContent()).toContain('no more texts');
    expect(await audit(page)).toEqual([]);

    // From a customer page: the form opens with that customer chosen.
    const fresh = await f.customer();
    const freshName = (await t.query(`SELECT name FROM customer WHERE id = $1`, [fresh.id]))[0].name;
    await page.goto(`${t.baseUrl}/#/customers/${fresh.id}`);
    await page.locator('#register-request').click();
    await until(page, () => !!document.querySelector('.request-form .picker-chosen:not([hidden])'));
    expect(await page.locator('.request-form .picker-chosen').textContent()).toContain(freshName);
    const form = page.locator('.request-form');
    await form.getByLabel('Kind').selectOption('portability');
    await form.getByLabel('Identity check', { exact: true }).fill('Called back on the number in the contract');
    await page.evaluate(() => (window.notReloaded = true));
    await form.getByRole('button', { name: 'Register request' }).click();
    await until(page, () => document.getElementById('announcer')?.textContent === 'Request registered: Portability (Art. 20)');
    const [created] = await t.query(`SELECT id, kind, subject_type, identity_check FROM privacy_request WHERE subject_id = $1`, [fresh.id]);
    expect(created).toMatchObject({ kind: 'portability', subject_type: 'customer', identity_check: 'Called back on the number in the contract' });
    await page.locator(`#requests-due [data-request-id="${created.id}"]`).waitFor();

    // Extend: it asks for the reason, then shows the new due date and the notice to send.
    const item = page.locator(`[data-request-id="${dueSoon.id}"]`);
    await item.getByText('Extend', { exact: true }).click();
    await item.getByRole('button', { name: 'Extend by two months' }).click();
    // Without one, the API's refusal is shown under the field, in the form's words.
    await until(page, (id) => !!document.querySelector(`[data-request-id="${id}"] [data-error-for="extensionReason"]`)?.textContent, dueSoon.id);
    expect(await item.locator('[data-error-for="extensionReason"]').textContent()).toMatch(/^Why two more months are needed is required to extend a request/);
    await item.getByLabel('Why two more months are needed').fill('Ten years of alarm history to go through');
    await item.getByRole('button', { name: 'Extend by two months' }).click();
    await until(page, (id) => document.querySelector(`[data-request-id="${id}"]`)?.dataset.status === 'extended', dueSoon.id);
    const extended = page.locator(`[data-request-id="${dueSoon.id}"]`);
    expect(await extended.locator('.pill').textContent()).toBe('extended');
    expect(await extended.textContent()).toContain('We received your request for rectification');
    expect(await extended.textContent()).toContain('Ten years of alarm history to go through');
    const [row] = await t.query(`SELECT status, extension_reason FROM privacy_request WHERE id = $1`, [dueSoon.id]);
    expect(row).toEqual({ status: 'extended', extension_reason: 'Ten years of alarm history to go through' });
    // Still the same page: updated in place.
    expect(await page.evaluate(() => window.notReloaded)).toBe(true);
    expect(await audit(page)).toEqual([]);
  });

  it('records the identity check, then runs the erasure after confirming, and shows it on the request', async () => {
    const household = await f.household(1);
    const r = await register({ kind: 'erasure', subjectType: 'customer', subjectId: household.customer.id });
    const page = await session('dpo');
    await page.goto(`${t.baseUrl}/#/privacy`);
    const item = page.locator(`[data-request-id="${r.id}"]`);
    await item.waitFor();
    expect(await item.getByRole('button', { name: /^Run erasure for / }).isDisabled()).toBe(true);
    await item.locator('summary', { hasText: 'Record identity check' }).click();
    await item.getByLabel('How the identity was checked').fill('BankID');
    await item.getByRole('button', { name: 'Record identity check' }).click();
    await until(page, (id) => /BankID/.test(document.querySelector(`[data-request-id="${id}"] dl`)?.textContent ?? ''), r.id);

    // Cancel keeps everything.
    await item.getByRole('button', { name: /^Run erasure for / }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await t.query(`SELECT 1 FROM customer WHERE id = $1`, [household.customer.id])).length).toBe(1);

    await item.getByRole('button', { name: /^Run erasure for / }).click();
    await dialog.getByRole('button', { name: /^Yes, erase / }).click();
    await page.locator('#request-output .erasure-result').waitFor();
    expect((await t.query(`SELECT 1 FROM customer WHERE id = $1`, [household.customer.id])).length).toBe(0);
    // The person is gone; the request stays, with what was done for it.
    await until(page, (id) => /Erasure .* kinds of data erased/.test(document.querySelector(`[data-request-id="${id}"]`)?.textContent ?? ''), r.id);
    expect(await audit(page)).toEqual([]);
  });

  it('ran without a script error or a CSP violation', () => {
    expect(pageErrors).toEqual([]);
  });
});

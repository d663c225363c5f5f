import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { dashboardSuite, haveChromium, until } from './support/chromium.js';
import type { TestApp } from './support/test-app.js';

// Functions passed to page.evaluate/waitForFunction run in the browser; the test's tsconfig has no DOM lib.
declare const document: any;

const haveBrowser = haveChromium('dashboard-operators.e2e-spec');

(haveBrowser ? describe : describe.skip)('dashboard in Chromium: the admin administers operators', () => {
  const suite = dashboardSuite(9800);
  const { pageErrors, session } = suite;
  let t: TestApp;
  let n = 0;
  beforeAll(() => {
    ({ t } = suite);
  });

  /** A new operator account, logged in through the dashboard in a browser session of its own, on the alarm queue. */
  const operatorAtDesk = async (): Promise<{ id: string; name: string; page: Page }> => {
    n += 1;
    const name = `Desk ${n}`;
    const email = `desk-${n}@test.local`;
    const password = `desk-password-${n}`;
    const created = await t.request('POST', '/api/operators', { token: await t.tokenFor('admin'), body: { email, name, role: 'operator', password } });
    expect(created.status).toBe(201);
    const page = await (await suite.context()).newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(t.baseUrl + '/');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#feed-status', { hasText: 'Live' }).waitFor();
    return { id: created.body.id, name, page };
  };
  const operatorRow = (admin: Page, id: string) => admin.locator(`tr[data-operator-id="${id}"]`);

  it('disables an operator after confirming: the list says so, and their open dashboard shows the login page', async () => {
    const desk = await operatorAtDesk();
    const admin = await session('admin');
    await admin.goto(`${t.baseUrl}/#/operators`);
    const row = operatorRow(admin, desk.id);
    await row.waitFor();
    expect(await row.textContent()).toContain('enabled');

    // Cancel keeps them enabled.
    await admin.getByRole('button', { name: `Disable ${desk.name}` }).click();
    const dialog = admin.getByRole('alertdialog', { name: `Disable ${desk.name}?` });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await t.query(`SELECT disabled_at FROM operator WHERE id = $1`, [desk.id]))[0].disabled_at).toBeNull();

    await admin.getByRole('button', { name: `Disable ${desk.name}` }).click();
    await dialog.getByRole('button', { name: `Yes, disable ${desk.name}` }).click();
    await until(admin, (id) => document.querySelector(`tr[data-operator-id="${id}"]`)?.textContent.includes('disabled'), desk.id);
    expect((await t.query(`SELECT disabled_at FROM operator WHERE id = $1`, [desk.id]))[0].disabled_at).not.toBeNull();
    expect(await admin.getByRole('button', { name: `Enable ${desk.name}` }).count()).toBe(1);

    // Their stream ended with the session: the dashboard shows the login page, not "reconnecting" for
    // ever. Before the queue's 15 s safety poll, which would find the 401 too, could be the reason.
    await desk.page.getByRole('button', { name: 'Log in' }).waitFor({ timeout: 10_000 });
    expect(await desk.page.getByRole('alert').textContent()).toContain('Your session has ended');
    expect(pageErrors).toEqual([]);
  });

  it("changes an operator's role: stored, shown, and their session ends", async () => {
    const desk = await operatorAtDesk();
    const admin = await session('admin');
    await admin.goto(`${t.baseUrl}/#/operators`);
    await operatorRow(admin, desk.id).waitFor();
    await admin.getByLabel(`Role of ${desk.name}`, { exact: true }).selectOption('supervisor');
    await admin.getByRole('button', { name: `Change role of ${desk.name}` }).click();
    await until(admin, () => document.getElementById('announcer')?.textContent.includes('is now supervisor'));
    expect((await t.query(`SELECT role FROM operator WHERE id = $1`, [desk.id]))[0].role).toBe('supervisor');
    expect(await admin.getByLabel(`Role of ${desk.name}`, { exact: true }).inputValue()).toBe('supervisor');
    await desk.page.getByRole('button', { name: 'Log in' }).waitFor({ timeout: 10_000 });
  });

  it('says in the page why the last admin cannot lose the role', async () => {
    const admin = await session('admin');
    await admin.goto(`${t.baseUrl}/#/operators`);
    const [{ id, name }] = await t.query(`SELECT id, name FROM operator WHERE email = 'admin@test.local'`);
    await operatorRow(admin, id).waitFor();
    await admin.getByLabel(`Role of ${name}`, { exact: true }).selectOption('operator');
    await admin.getByRole('button', { name: `Change role of ${name}` }).click();
    await until(admin, () => !document.querySelector('.action-error')?.hidden);
    expect(await admin.locator('.action-error').textContent()).toMatch(/last enabled admin/);
    expect((await t.query(`SELECT role FROM operator WHERE id = $1`, [id]))[0].role).toBe('admin');
    expect(pageErrors).toEqual([]);
  });
});

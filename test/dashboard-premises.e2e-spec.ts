import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { type AlarmFixtures } from './support/alarm-fixtures.js';
import { axeFindings } from './support/axe.js';
import { dashboardSuite, haveChromium, until } from './support/chromium.js';
import type { TestApp } from './support/test-app.js';

// Premises facts in the dashboard: edited on the customer page, the secrets revealed on request (and
// logged), the premises box on the alarm page, and zone and user names where zones and users show.

// Functions passed to page.evaluate/waitForFunction run in the browser; the test's tsconfig has no DOM lib.
declare const document: any;

/** The page's serious axe findings (test/support/axe.ts). */
const audit = (p: Page) => axeFindings(p, 20);

const haveBrowser = haveChromium('dashboard-premises.e2e-spec');

(haveBrowser ? describe : describe.skip)('dashboard in Chromium: premises facts', () => {
  const suite = dashboardSuite(9300, { viewport: { width: 1440, height: 900 } });
  const { pageErrors, session } = suite;
  let t: TestApp;
  let f: AlarmFixtures;
  beforeAll(() => {
    ({ t, f } = suite);
  });

  const reveals = async (customerId: string) =>
    (
      await t.query(`SELECT count(*)::int AS n FROM processing_log WHERE operation = 'customers.premises.secrets.reveal' AND $1 = ANY(subject_ids)`, [
        customerId,
      ])
    )[0].n;

  it('an operator edits the premises on the customer page by keyboard, and reveals the verbal password (logged)', async () => {
    const household = await f.household(1);
    const page = await session('operator');
    await page.goto(`${t.baseUrl}/#/customers/${household.customer.id}`);
    const section = page.locator('#premises');
    await section.getByRole('button', { name: 'Edit premises' }).waitFor();
    expect(await section.locator('#premises-password').textContent()).toBe('-');

    await section.getByRole('button', { name: 'Edit premises' }).focus();
    await page.keyboard.press('Enter');
    await page.getByLabel('Notes').fill('Panel in the hall closet.\nCellar door sticks.');
    await page.getByLabel('Animals').fill('Large dog (friendly)');
    await page.getByLabel('Access (key box, codes)').fill('Key box by the garage, code 4711');
    await page.getByLabel('Verbal password').fill('blue heron');
    await page.getByLabel('Duress word').fill('Kalmar');
    // A line the page cannot read is refused in the page, under its field, before anything is sent.
    await page.getByLabel(/^Zone names/).fill('005 = Cellar PIR\nkitchen smoke');
    await page.getByLabel(/^Panel user names/).fill('2 = Erik');
    await page.getByRole('button', { name: 'Save premises' }).click();
    await until(page, () => !!document.querySelector('[data-error-for="zones"]')?.textContent);
    expect(await page.locator('[data-error-for="zones"]').textContent()).toBe('line 2: write it as "5 = Cellar PIR"');
    // The API's refusal, in words: the name of zone 7 is too long.
    await page.getByLabel(/^Zone names/).fill(`005 = Cellar PIR\n7 = ${'x'.repeat(101)}`);
    await page.getByRole('button', { name: 'Save premises' }).click();
    await until(page, () => /^Zone 7: name must be at most 100 characters/.test(document.querySelector('[data-error-for="zones"]')?.textContent ?? ''));
    expect(await page.getByLabel(/^Zone names/).getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel(/^Zone names/).fill('005 = Cellar PIR\nkitchen = Kitchen smoke');
    await page.getByRole('button', { name: 'Save premises' }).focus();
    await page.keyboard.press('Enter');
    await section.locator('#premises-saved').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('premises-saved');
    expect(await section.locator('#premises-notes').textContent()).toBe('Panel in the hall closet.\nCellar door sticks.');
    expect(await section.locator('#premises-zones').textContent()).toBe('Zone 5: Cellar PIRZone kitchen: Kitchen smoke');
    expect(await section.locator('#premises-users').textContent()).toBe('User 2: Erik');
    expect(await section.textContent()).not.toContain('heron');
    expect(await section.textContent()).toContain('Each reveal is written to the processing log');
    expect(await audit(page)).toEqual([]);

    expect(await reveals(household.customer.id)).toBe(0);
    await section.locator('#premises-password').getByRole('button', { name: 'Reveal (logged)' }).click();
    await until(page, () => document.querySelector('#premises-password')?.textContent === 'blue heron');
    expect(await reveals(household.customer.id)).toBe(1);

    // Editing again keeps the secrets unless one is typed anew or removed.
    await section.getByRole('button', { name: 'Edit premises' }).click();
    expect(await page.getByLabel('Verbal password (held; leave empty to keep)').inputValue()).toBe('');
    expect(await page.getByLabel(/^Zone names/).inputValue()).toBe('5 = Cellar PIR\nkitchen = Kitchen smoke');
    await page.getByLabel('Remove the duress word').check();
    expect(await audit(page)).toEqual([]);
    await page.getByRole('button', { name: 'Save premises' }).click();
    await section.locator('#premises-saved').waitFor();
    expect(await section.locator('#premises-duressWord').textContent()).toBe('-');
    expect((await t.request('GET', `/api/customers/${household.customer.id}/premises/secrets`, { token: f.tokens.operator })).body).toEqual({
      access: 'Key box by the garage, code 4711',
      password: 'blue heron',
      duressWord: null,
    });
    expect(pageErrors).toEqual([]);
  });

  it('the queue and the alarm page name the zone; the alarm page shows the premises and reveals the password on request', async () => {
    const household = await f.household(1);
    const premises = {
      notes: 'Panel in the hall closet.',
      animals: 'Large dog',
      access: 'Key box code 4711',
      password: 'blue heron',
      duressWord: 'Kalmar',
      zones: { '5': 'Cellar PIR' },
      users: { '2': 'Erik' },
    };
    expect((await t.request('PUT', `/api/customers/${household.customer.id}/premises`, { token: f.tokens.operator, body: premises })).status).toBe(200);
    const page = await session('operator');
    await page.goto(`${t.baseUrl}/#/queue`);
    const res = await f.post(household.panel, { eventId: 'premises-1', code: 'BA', zone: '005', text: 'PIR' });
    const alarmId = res.body.alarmId;
    const row = page.locator(`tr[data-alarm-id="${alarmId}"]`);
    await row.waitFor();
    expect(await row.locator('.trigger').textContent()).toBe('Cellar PIR (zone 005) · BA: PIR');

    await page.goto(`${t.baseUrl}/#/alarms/${alarmId}`);
    const box = page.locator('#alarm-premises-box');
    await box.locator('#premises-notes').waitFor();
    expect(await page.locator('#alarm-zone').textContent()).toBe('Cellar PIR (zone 005)');
    expect(await page.locator('#timeline').textContent()).toContain('Cellar PIR (zone 005)');
    expect(await box.locator('#premises-notes').textContent()).toBe('Panel in the hall closet.');
    expect(await box.locator('#premises-animals').textContent()).toBe('Large dog');
    expect(await box.textContent()).not.toMatch(/heron|Kalmar|4711/);
    expect(await box.textContent()).toContain('Each reveal is written to the processing log');

    // By keyboard: the verbal password, to verify the caller.
    await box.locator('#premises-password').getByRole('button', { name: 'Reveal (logged)' }).focus();
    await page.keyboard.press('Enter');
    await until(page, () => document.querySelector('#alarm-premises-box #premises-password')?.textContent === 'blue heron');
    expect(await box.locator('#premises-duressWord').textContent()).not.toContain('Kalmar');
    expect(await reveals(household.customer.id)).toBe(1);
    expect(await audit(page)).toEqual([]);

    // A live change of the alarm redraws the page; what was revealed stays shown.
    expect((await f.post(household.panel, { eventId: 'premises-2', code: 'BA', zone: '005' })).status).toBe(202);
    await until(page, () => (document.querySelector('#timeline')?.textContent.match(/Cellar PIR/g) ?? []).length === 2);
    expect(await box.locator('#premises-password').textContent()).toBe('blue heron');
    expect(pageErrors).toEqual([]);
  });

  it('the arming history names the panel user, and a phone shows the premises too', async () => {
    const household = await f.household(0);
    await t.request('PUT', `/api/customers/${household.customer.id}/premises`, {
      token: f.tokens.operator,
      body: { users: { '2': 'Erik' }, notes: 'Side door' },
    });
    expect((await f.post(household.panel, { eventId: 'premises-arm', code: 'CL', user: '2', method: 'keypad' })).status).toBe(202);
    const page = await session('operator', { viewport: { width: 390, height: 844 } });
    await page.goto(`${t.baseUrl}/#/customers/${household.customer.id}`);
    const arming = page.getByRole('table', { name: 'Arm and disarm history' });
    await arming.waitFor();
    expect(await arming.locator('tbody tr td').nth(3).textContent()).toBe('Erik (user 2)');
    expect(await page.locator('#premises #premises-notes').textContent()).toBe('Side door');
    // The premises section itself fits the phone's width.
    expect(await page.locator('#premises').evaluate((el: any) => el.scrollWidth <= el.clientWidth)).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});

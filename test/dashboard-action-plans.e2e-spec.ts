import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { type AlarmFixtures } from './support/alarm-fixtures.js';
import { dashboardSuite, haveChromium, screenshotPath, until } from './support/chromium.js';
import { axeFindings } from './support/axe.js';
import type { TestApp } from './support/test-app.js';

// Action plans in the dashboard: the alarm's checklist (ticked by keyboard, seen live by a second
// operator), the duress page's rules, the central plan's editor and a customer's own plan.

// Functions passed to page.evaluate/waitForFunction run in the browser; the test's tsconfig has no DOM lib.
declare const document: any;

/** The page's serious axe findings (test/support/axe.ts). */
const audit = (p: Page) => axeFindings(p, 10);

const haveBrowser = haveChromium('dashboard-action-plans.e2e-spec');

(haveBrowser ? describe : describe.skip)('dashboard in Chromium: action plans', () => {
  const suite = dashboardSuite(9600, { viewport: { width: 1440, height: 900 } });
  const { pageErrors, session } = suite;
  let t: TestApp;
  let f: AlarmFixtures;
  beforeAll(() => {
    ({ t, f } = suite);
  });

  it('a duress alarm: the warning and the plan on top, no call link to the owner, and a call or text to the contacts asks first, saying why', async () => {
    const household = await f.household(1);
    const [contact] = household.contacts;
    const [{ name: contactName }] = await t.query(`SELECT name FROM contact WHERE id = $1`, [contact.id]);
    const res = await f.post(household.panel, { eventId: 'plan-duress', code: 'HA', user: '2' });
    expect(res.status).toBe(202);
    const page = await session('operator', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(`${t.baseUrl}/#/alarms/${res.body.alarmId}`);
    await page.locator('#timeline').waitFor();

    expect(await page.locator('#silent-alarm-warning').textContent()).toBe(
      'Duress: someone may be forced to disarm. Call the police first. Do not call or text the premises or the owner.',
    );
    // The plan comes before everything else on the page, the police first.
    expect(
      await page.evaluate(() => {
        const plan = document.querySelector('#action-plan');
        return (
          plan &&
          plan.compareDocumentPosition(document.querySelector('#alarm-customer')) === 4 &&
          plan.compareDocumentPosition(document.querySelector('#alarm-actions')) === 4
        );
      }),
    ).toBe(true);
    expect(await page.locator('#action-plan li').first().textContent()).toContain('Call the police (112) first.');
    // The owner's number is there to read (for the police), not to call.
    expect(await page.locator(`a[href="tel:${household.customer.phone}"]`).count()).toBe(0);
    expect(await page.locator('#owner-phone-silent').textContent()).toContain('do not call');

    // Calling a contact asks first, and says why; Cancel stays on the page.
    await page.locator(`a[href="tel:${contact.phone}"]`).click();
    const call = page.getByRole('alertdialog', { name: `Call ${contactName}?` });
    await call.waitFor();
    expect(await call.textContent()).toContain('someone may be forced or threatened, and a call or a text can reveal that the alarm was seen');
    await call.getByRole('button', { name: 'Cancel' }).click();
    await call.waitFor({ state: 'detached' });

    // So does texting the contacts, and Cancel texts nobody.
    await page.getByRole('button', { name: 'Text the contacts', exact: true }).click();
    const text = page.getByRole('alertdialog', { name: /^Text the contacts of / });
    await text.waitFor();
    expect(await text.textContent()).toContain('This is a duress alarm: someone may be forced or threatened');
    expect(await audit(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await text.waitFor({ state: 'detached' });
    expect(await t.query(`SELECT id FROM sms_message WHERE alarm_id = $1`, [res.body.alarmId])).toEqual([]);
    await page.screenshot({ path: screenshotPath('alarm-duress'), fullPage: true });
    // A phone's width: nothing scrolls sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    expect(await audit(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('a burglary alarm: a step ticked by keyboard and one by an action, each seen live by a second operator', async () => {
    const household = await f.household(1);
    const res = await f.post(household.panel, { eventId: 'plan-ba', code: 'BA', zone: '1' });
    const alarmId = res.body.alarmId;
    const steps = (await f.alarm(alarmId)).actionPlan.steps;
    const verify = steps.findIndex((s: any) => s.kind === 'verify_password');
    const callOwner = steps.findIndex((s: any) => s.kind === 'call_owner');

    const watcher = await session('supervisor');
    await watcher.goto(`${t.baseUrl}/#/alarms/${alarmId}`);
    await watcher.locator('#action-plan').waitFor();
    const page = await session('operator');
    await page.goto(`${t.baseUrl}/#/alarms/${alarmId}`);
    await page.locator('#action-plan').waitFor();
    expect(await page.locator('#action-plan-title').textContent()).toBe(`Action plan (the central plan, 0 of ${steps.length} done)`);

    const done = page.getByRole('button', { name: `Done: step ${verify + 1}`, exact: true });
    await done.focus();
    await page.keyboard.press('Enter');
    const step = (p: Page, i: number) => p.locator(`#action-plan li[data-step="${i}"]`);
    await until(page, (i) => document.querySelector(`#action-plan li[data-step="${i}"]`)?.classList.contains('done'), verify);
    expect(await step(page, verify).textContent()).toMatch(/done Test operator, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(await page.locator('#action-done').textContent()).toBe(`Step ${verify + 1} done.`);
    await until(
      page,
      (s) => document.querySelector('#timeline')?.textContent?.includes(s),
      `Plan step ${verify + 1} done by Test operator: ${steps[verify].text}`,
    );
    await until(watcher, (i) => document.querySelector(`#action-plan li[data-step="${i}"]`)?.classList.contains('done'), verify);

    // "Owner reached" ticks the plan's call to the owner by itself.
    await page.getByRole('button', { name: 'Owner reached' }).click();
    await until(watcher, (i) => document.querySelector(`#action-plan li[data-step="${i}"]`)?.classList.contains('done'), callOwner);
    expect(await watcher.locator('#action-plan-title').textContent()).toBe(`Action plan (the central plan, 2 of ${steps.length} done)`);
    await watcher.screenshot({ path: screenshotPath('alarm-action-plan'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('a supervisor edits the central plan of a class by keyboard: changes a text, adds, moves and removes steps, and saves', async () => {
    const page = await session('supervisor');
    await page.goto(`${t.baseUrl}/#/settings`);
    await page.locator('#action-plan-settings').waitFor();
    await page.getByLabel('Alarm class', { exact: true }).selectOption('water');
    const before = (await (await t.request('GET', '/api/settings/action-plans', { token: f.tokens.operator })).body).classes.water.steps;
    await until(page, (text) => document.querySelector('#central-plan-text-0')?.value === text, before[0].text);

    await page.getByLabel('Step 1 text').fill('Call the owner: close the main water valve');
    // Looking at another class keeps the edit, and says it is not saved.
    await page.getByLabel('Alarm class', { exact: true }).selectOption('fire');
    await until(page, () => document.querySelector('#central-plan-text-0')?.value === 'Call 112 (fire and rescue)');
    expect(await page.locator('#central-plan-unsaved').count()).toBe(0);
    await page.getByLabel('Alarm class', { exact: true }).selectOption('water');
    expect(await page.locator('#central-plan-unsaved').textContent()).toBe('The water plan has changes that are not saved yet.');
    expect(await page.getByLabel('Step 1 text').inputValue()).toBe('Call the owner: close the main water valve');
    await page.getByRole('button', { name: 'Add step' }).focus();
    await page.keyboard.press('Enter');
    const added = before.length + 1;
    // The new step's kind has the keyboard.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(`central-plan-kind-${added - 1}`);
    await page.getByLabel(`Step ${added} kind`).selectOption('call_emergency');
    await page.getByLabel(`Step ${added} text`).fill('Water near the fuse box: call 112');
    await page.getByRole('button', { name: `Move step ${added} up` }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Remove step 2' }).click();
    await page.getByRole('button', { name: 'Save plan' }).focus();
    await page.keyboard.press('Enter');
    await until(page, () => document.querySelector('#action-plan-settings .save-status')?.textContent === 'Saved');
    expect(await page.locator('#central-plan-unsaved').count()).toBe(0);

    const after = (await t.request('GET', '/api/settings/action-plans', { token: f.tokens.operator })).body.classes.water.steps;
    // Step 2 was the keyholders; the added step moved up above the guard, then step 2 went.
    expect(after).toEqual([
      { kind: before[0].kind, text: 'Call the owner: close the main water valve' },
      { kind: 'call_emergency', text: 'Water near the fuse box: call 112' },
      ...before.slice(2),
    ]);

    // A blank text is refused with the API's message, named by step.
    await page.getByLabel('Step 1 text').fill(' ');
    await page.getByRole('button', { name: 'Save plan' }).click();
    await until(page, () => /Step 1 text: must not be blank/.test(document.querySelector('#action-plan-settings .form-errors')?.textContent ?? ''));
    expect(await audit(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('a supervisor gives a customer their own fire plan and takes it back; an operator only reads which classes have one', async () => {
    const household = await f.household(0);
    const page = await session('supervisor');
    await page.goto(`${t.baseUrl}/#/customers/${household.customer.id}`);
    await page.locator('#customer-plan-editor').waitFor();
    expect(await page.locator('#customer-own-plans').textContent()).toBe('The central plan for every class.');
    await page.getByLabel('Alarm class', { exact: true }).selectOption('fire');
    await page.getByLabel('Step 2 text').fill('Then call the caretaker, Nils, who has the key');
    await page.getByRole('button', { name: 'Save plan' }).click();
    await until(page, () => document.querySelector('#customer-own-plans')?.textContent === 'Own plan for: fire. Other classes use the central plan.');
    const own = await t.request('GET', `/api/customers/${household.customer.id}/action-plans`, { token: f.tokens.operator });
    expect(own.body.classes.fire.steps[1].text).toBe('Then call the caretaker, Nils, who has the key');

    const reader = await session('operator');
    await reader.goto(`${t.baseUrl}/#/customers/${household.customer.id}`);
    await until(reader, () => document.querySelector('#customer-own-plans')?.textContent === 'Own plan for: fire. Other classes use the central plan.');
    expect(await reader.locator('#customer-plan-editor').count()).toBe(0);

    await page.getByRole('button', { name: 'Back to the central plan' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Yes, use the central plan' }).click();
    await until(page, () => document.querySelector('#customer-own-plans')?.textContent === 'The central plan for every class.');
    expect((await t.request('GET', `/api/customers/${household.customer.id}/action-plans`, { token: f.tokens.operator })).body.classes).toEqual({});
    expect(await audit(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

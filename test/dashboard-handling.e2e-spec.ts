import { beforeAll, describe, expect, it } from '@jest/globals';
import { type AlarmFixtures } from './support/alarm-fixtures.js';
import { dashboardSuite, haveChromium, screenshotPath, until } from './support/chromium.js';
import type { Page } from 'playwright-core';
import { axeFindings } from './support/axe.js';
import type { TestApp } from './support/test-app.js';

// Operators working alarms together, in Chromium: a claim seen live by a second operator, a call
// logged from the alarm page, a storm of alarms handled as one group from the queue.

// Functions passed to page.evaluate/waitForFunction run in the browser; the test's tsconfig has no DOM lib.
declare const document: any;

const haveBrowser = haveChromium('dashboard-handling.e2e-spec');

/** The page's serious axe findings (test/support/axe.ts). */
const seriousAxeViolations = (page: Page) => axeFindings(page, 10);

(haveBrowser ? describe : describe.skip)('dashboard in Chromium: who is handling, calls, storm groups', () => {
  const suite = dashboardSuite(9200, { viewport: { width: 1440, height: 900 } });
  const { session } = suite;
  let t: TestApp;
  let f: AlarmFixtures;
  beforeAll(() => {
    ({ t, f } = suite);
  });

  it("operator A's claim shows live on operator B's open alarm page and queue; B takes over, A sees it", async () => {
    const household = await f.household(1);
    const res = await f.post(household.panel, { eventId: 'handling-claim', code: 'WA', zone: '1' });
    const alarmId = res.body.alarmId as string;
    const a = await session('operator');
    const b = await session('supervisor');
    const bQueue = await session('supervisor');
    await b.goto(`${t.baseUrl}/#/alarms/${alarmId}`);
    await bQueue.goto(`${t.baseUrl}/#/queue`);
    await b.locator('#alarm-handler').waitFor();
    expect(await b.locator('#alarm-handler').textContent()).toBe('Nobody is handling this alarm.');
    await bQueue.locator(`tr[data-alarm-id="${alarmId}"]`).waitFor();

    await a.goto(`${t.baseUrl}/#/alarms/${alarmId}`);
    await a.getByRole('button', { name: 'Claim' }).click();
    await until(a, () => document.querySelector('#alarm-handler')?.textContent === 'You are handling this alarm.');
    // B has not reloaded anything.
    await until(b, () => document.querySelector('#alarm-handler')?.textContent === 'Test operator is handling this alarm.');
    await until(bQueue, (id: string) => document.querySelector(`tr[data-alarm-id="${id}"] .handler`)?.textContent === 'Handled by Test operator', alarmId);
    expect(await b.locator('#timeline').textContent()).toContain('Claimed by Test operator');

    // B takes over by keyboard alone; A's page follows.
    await b.getByRole('button', { name: 'Take over from Test operator' }).focus();
    await b.keyboard.press('Enter');
    await until(b, () => document.querySelector('#alarm-handler')?.textContent === 'You are handling this alarm.');
    await until(a, () => document.querySelector('#alarm-handler')?.textContent === 'Test supervisor is handling this alarm.');
    expect(await b.locator('#timeline').textContent()).toContain('Taken over by Test supervisor from Test operator');
    // Filter B's queue to their own alarms: this one is there; "Unclaimed" hides it.
    await bQueue.getByLabel('Handler').selectOption('mine');
    await until(bQueue, (id: string) => !!document.querySelector(`tr[data-alarm-id="${id}"]`), alarmId);
    await bQueue.getByLabel('Handler').selectOption('unclaimed');
    await until(bQueue, (id: string) => !document.querySelector(`tr[data-alarm-id="${id}"]`), alarmId);
    await bQueue.getByLabel('Handler').selectOption('all');

    // B hands it over to A, chosen by name.
    await b.getByLabel('Hand over to').selectOption({ label: 'Test operator' });
    await b.getByRole('button', { name: 'Hand over' }).click();
    await until(a, () => document.querySelector('#alarm-handler')?.textContent === 'You are handling this alarm.');
    expect(await seriousAxeViolations(b)).toEqual([]);
  });

  it('logs a call from the alarm page: no answer, then reached, which acknowledges; both on the timeline', async () => {
    const household = await f.household(1);
    const res = await f.post(household.panel, { eventId: 'handling-call', code: 'WA', zone: '2' });
    const alarmId = res.body.alarmId as string;
    const page = await session('operator');
    await page.goto(`${t.baseUrl}/#/alarms/${alarmId}`);
    await page.getByRole('button', { name: 'Log call to the owner' }).click();
    await page.locator('#call-form').waitFor();
    // The form opens with the keyboard on its first outcome.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Reached');
    await page.getByLabel('Note (optional)').fill('rang twice');
    await page.getByRole('button', { name: 'No answer' }).click();
    await until(page, () => /Call to the owner: No answer, by Test operator/.test(document.querySelector('#timeline')?.textContent ?? ''));
    expect(await page.locator('#action-done').textContent()).toMatch(/^Call to the owner recorded: No answer/);
    expect(await page.locator('#alarm-stage').textContent()).toBe('Owner stage');

    // The contact's number has its own button; a guard's number is asked for.
    await page.getByRole('button', { name: 'Guard', exact: true }).click();
    await page.getByLabel('Number called (optional)').fill('+46812345678');
    await page.getByRole('button', { name: 'Busy' }).click();
    await until(page, () => /Call to the guard \(\+46812345678\): Busy/.test(document.querySelector('#timeline')?.textContent ?? ''));
    expect(await page.locator('button[aria-label^="Log call to Contact"]').count()).toBe(1);

    await page.getByRole('button', { name: 'Log call to the owner' }).click();
    await page.locator('#call-form').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Reached', exact: true }).click();
    await until(page, () => document.querySelector('#alarm-stage')?.textContent === 'Acknowledged');
    expect(await page.locator('#timeline').textContent()).toContain('Call to the owner: Reached, by Test operator');
    await page.screenshot({ path: screenshotPath('alarm-call-logged'), fullPage: true });
  });

  it('a storm of technical alarms is one group in the queue, resolved in one action with one note on each', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const household = await f.household(0);
      const res = await f.post(household.panel, { eventId: `storm-${i}`, code: 'AT', zone: '1' });
      expect(res.status).toBe(202);
      ids.push(res.body.alarmId);
    }
    const page = await session('operator');
    await page.goto(`${t.baseUrl}/#/queue`);
    await page.getByLabel('Class').selectOption('technical');
    const group = page.locator('tr.alarm-group');
    await group.waitFor();
    expect(await group.textContent()).toContain('Technical: 3 alarms');
    // Collapsed: the three rows are there but folded away until asked for.
    expect(await page.locator('tr.group-member:visible').count()).toBe(0);
    await page.getByRole('button', { name: 'Show alarms' }).click();
    expect(await page.locator('tr.group-member:visible').count()).toBe(3);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('queue-storm-group'), fullPage: true });

    await page.getByLabel('Action', { exact: true }).selectOption('resolved');
    await page.getByLabel('Note for each alarm').fill('mains back after the power cut');
    await page.getByRole('button', { name: 'Apply to all 3' }).click();
    await page.getByRole('button', { name: 'Yes, all 3' }).click();
    await until(page, () => /Resolved: recorded on 3 of 3 technical alarms\./i.test(document.querySelector('#bulk-result')?.textContent ?? ''));
    for (const id of ids) {
      const alarm = await f.alarm(id);
      expect(alarm.status).toBe('closed');
      expect(alarm.timeline).toEqual(
        expect.arrayContaining([expect.objectContaining({ type: 'action', action: 'resolved', note: 'mains back after the power cut' })]),
      );
    }
    await until(page, () => !document.querySelector('tr.alarm-group'));
  });

  it("at a phone's width the alarm page's handling card and call buttons fit the screen", async () => {
    const household = await f.household(1);
    const res = await f.post(household.panel, { eventId: 'handling-phone', code: 'WA', zone: '3' });
    const page = await session('operator', { viewport: { width: 390, height: 844 } });
    await page.goto(`${t.baseUrl}/#/alarms/${res.body.alarmId}`);
    await page.locator('#alarm-handler').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // A storm's group in the queue, opened, fits too.
    for (let i = 0; i < 3; i++) {
      const h = await f.household(0);
      expect((await f.post(h.panel, { eventId: `phone-storm-${i}`, code: 'BT', zone: '1' })).status).toBe(202);
    }
    await page.goto(`${t.baseUrl}/#/queue`);
    // The water alarms of the tests before are a group of their own: this is the technical one.
    const group = page.locator('tr.alarm-group', { hasText: 'Technical: 3 alarms' });
    await group.waitFor();
    await group.getByRole('button', { name: 'Show alarms' }).click();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: screenshotPath('queue-storm-group-phone'), fullPage: true });
  });
});

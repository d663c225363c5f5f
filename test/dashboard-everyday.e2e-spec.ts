import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { type AlarmFixtures } from './support/alarm-fixtures.js';
import { dashboardSuite, haveChromium, until } from './support/chromium.js';
import type { TestApp } from './support/test-app.js';

// The console an operator works in all night: a new alarm is heard until it is opened and its bar
// stays on screen, the keyboard moves through the queue, and the everyday edits (a contact, waits
// not yet saved, errors in the form's words, a restore on the queue row, the phone's width).

// Functions passed to page.evaluate/waitForFunction run in the browser; the test's tsconfig has no DOM lib.
declare const document: any;
declare const location: { hash: string };
declare const window: any;

const haveBrowser = haveChromium('dashboard-everyday.e2e-spec');
const PHONE = { width: 390, height: 844 };

(haveBrowser ? describe : describe.skip)('dashboard in Chromium: never miss an alarm, everyday edits', () => {
  const suite = dashboardSuite(9700, { viewport: { width: 1440, height: 900 } });
  const { pageErrors, session } = suite;
  let t: TestApp;
  let f: AlarmFixtures;
  beforeAll(() => {
    ({ t, f } = suite);
  });

  /** Waits (up to 15 s) for a condition on the test's side. */
  async function waitFor(fn: () => boolean) {
    for (let i = 0; i < 150 && !fn(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(fn()).toBe(true);
  }

  /** Logs in through the form on a page whose Web Audio nodes are counted (Chromium's WebAudio domain). */
  async function listenedSession(viewport = PHONE): Promise<{ page: Page; tones: () => number }> {
    const context = await suite.context({ viewport });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const cdp = await context.newCDPSession(page);
    let oscillators = 0;
    cdp.on('WebAudio.audioNodeCreated', (e: any) => {
      if (e.node.nodeType === 'Oscillator') oscillators += 1;
    });
    await cdp.send('WebAudio.enable');
    await page.goto(suite.t.baseUrl + '/');
    await page.getByLabel('Email').fill('operator@test.local');
    await page.getByLabel('Password').fill('operator-password-123');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#who-name').waitFor({ state: 'visible' });
    return { page, tones: () => oscillators };
  }

  it('sounds a new alarm from the login on, again and again until it is opened; the bar stays on a phone\'s screen and leads to it', async () => {
    const household = await f.household(0);
    const { page, tones } = await listenedSession();
    expect(await page.locator('#sound-toggle').isChecked()).toBe(true);
    // Somewhere else, scrolled down: the bar must still be seen.
    await page.goto(`${t.baseUrl}/#/customers/${household.customer.id}`);
    await page.locator('#contacts').waitFor();
    expect(tones()).toBe(0);
    const res = await f.post(household.panel, { eventId: 'ev-sound-1', code: 'BA', zone: '1' });
    expect(res.status).toBe(202);
    const status = page.locator('#alarm-sound-status');
    await until(page, () => document.querySelector('#alarm-sound-status')?.textContent === 'Alarm sounding (alarm tone): 1 new alarm not opened');
    expect(await status.getAttribute('role')).toBe('status');
    // Three beeps a round; more rounds come while nobody has opened it.
    await waitFor(() => tones() >= 3);
    const firstRound = tones();
    await waitFor(() => tones() >= firstRound + 3);

    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const bar = page.locator('#new-alarms');
    expect(await bar.textContent()).toBe('1 new alarm');
    const box = await page.evaluate(() => {
      const r = document.querySelector('#new-alarms').getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: window.innerWidth, height: window.innerHeight };
    });
    expect(box.top).toBeGreaterThanOrEqual(0);
    expect(box.bottom).toBeLessThanOrEqual(box.height);
    expect(box.right).toBeLessThanOrEqual(box.width);
    await bar.click();
    await page.locator('#timeline').waitFor();
    expect(await page.evaluate(() => location.hash)).toBe(`#/alarms/${res.body.alarmId}`);
    await status.waitFor({ state: 'hidden' });
    await bar.waitFor({ state: 'hidden' });

    // Duress has its own tone, and muting is remembered.
    const duress = await f.post(household.panel, { eventId: 'ev-sound-2', code: 'HA' });
    await until(page, () => document.querySelector('#alarm-sound-status')?.textContent === 'Alarm sounding (panic and duress tone): 1 new alarm not opened');
    await page.locator('#sound-toggle').uncheck();
    await until(page, () => document.querySelector('#alarm-sound-status')?.textContent === 'Sound off: 1 new alarm not opened');
    await page.reload();
    await page.locator('#who-name').waitFor({ state: 'visible' });
    expect(await page.locator('#sound-toggle').isChecked()).toBe(false);
    await page.locator('#sound-toggle').check();
    await page.goto(`${t.baseUrl}/#/alarms/${duress.body.alarmId}`);
    await page.locator('#timeline').waitFor();
    expect(pageErrors).toEqual([]);
  });
});

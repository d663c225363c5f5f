import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { AlarmFixtures } from './support/alarm-fixtures.js';
import { failOnPageErrors, haveChromium, logInAs, openBrowser, until } from './support/chromium.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { createTestAppOnTwilio, type TestApp } from './support/test-app.js';

// SMS with live delivery status: Twilio's delivery report for the owner's SMS shows on the
// open alarm page and in the queue without a reload. The real SDK sends through the fake Twilio,
// which then posts a signed status callback, as Twilio does.

// Functions passed to page.evaluate/waitForFunction run in the browser; the test's tsconfig has no DOM lib.
declare const document: any;
declare const window: any;

const PUBLIC = 'https://alarm.example.test';
const haveBrowser = haveChromium('dashboard-live-sms.e2e-spec');

(haveBrowser ? describe : describe.skip)('dashboard in Chromium: live SMS delivery status', () => {
  let t: TestApp;
  let fake: FakeTwilio;
  let f: AlarmFixtures;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  failOnPageErrors(pageErrors);

  beforeAll(async () => {
    fake = await new FakeTwilio().start();
    t = await createTestAppOnTwilio(fake, PUBLIC, { SMS_RATE_PER_SECOND: '1000' });
    f = await AlarmFixtures.create(t, 9800);
    await t.tokenFor('operator');
    browser = await openBrowser();
    page = await logInAs(browser, t.baseUrl, 'operator', pageErrors);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await fake?.stop();
  });

  it('shows the owner SMS going from sent to delivered on the alarm page and in the queue, without a reload', async () => {
    const household = await f.household(1);
    const res = await f.post(household.panel, { eventId: 'live-sms-1', code: 'BA', zone: '2' });
    const alarmId = res.body.alarmId as string;
    const owner = await fake.waitFor(() => fake.messages.find((m) => m.to === household.customer.phone));

    await page.goto(`${t.baseUrl}/#/alarms/${alarmId}`);
    const sms = page.locator('#timeline li.t-sms').first();
    await sms.waitFor();
    await until(page, () => document.querySelector('#timeline li.t-sms')?.textContent?.includes('sent'));
    await page.evaluate(() => (window.notReloaded = true));

    const report = await fake.sendStatus(owner, 'delivered');
    expect(report.status).toBe(204);
    await until(page, () => document.querySelector('#timeline li.t-sms')?.textContent?.includes('delivered'));
    expect(await page.evaluate(() => window.notReloaded)).toBe(true);

    await page.evaluate(() => (window.location.hash = '#/queue'));
    await until(page, (id) => document.querySelector(`tr[data-alarm-id="${id}"] .texted`)?.textContent?.includes('delivered'), alarmId);
    expect(await page.locator(`tr[data-alarm-id="${alarmId}"] .texted`).textContent()).toContain('Owner');
    expect(pageErrors).toEqual([]);
  });
});

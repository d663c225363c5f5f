import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { SmsOutbox } from '../src/sms/sms-outbox.js';
import { axeFindings } from './support/axe.js';
import { failOnPageErrors, haveChromium, logInAs, openBrowser, screenshotPath, until } from './support/chromium.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { createTestAppOnTwilio, type TestApp } from './support/test-app.js';

// Functions passed to page.evaluate/waitForFunction run in the browser; the test's tsconfig has no DOM lib.
declare const document: any;

const haveBrowser = haveChromium('dashboard-contact-notices.e2e-spec');
const PUBLIC = 'https://alarm.example.test';

// Which contacts were never informed (their onboarding notice failed), as the operator sees it: a
// badge with the reason on the customer page, and the list on the customers page. Failures are
// real delivery reports from the fake Twilio, signed as Twilio signs them.
(haveBrowser ? describe : describe.skip)('dashboard in Chromium: contacts never informed', () => {
  let t: TestApp;
  let fake: FakeTwilio;
  let browser: Browser;
  const pageErrors: string[] = [];
  failOnPageErrors(pageErrors);

  beforeAll(async () => {
    fake = await new FakeTwilio().start();
    t = await createTestAppOnTwilio(fake, PUBLIC, { SMS_RATE_PER_SECOND: '1000' });
    await t.tokenFor('operator');
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await fake?.stop();
  });

  it('shows a failed notice on the contact with its reason, lists them on the customers page, sends it again on request, and to a corrected number', async () => {
    const token = await t.tokenFor('operator');
    const customer = await t.request('POST', '/api/customers', {
      token,
      body: {
        name: 'Ingrid Sand',
        phone: '+46703300001',
        language: 'sv',
        alarmAddress: { street: 'Sjövägen 3', postalCode: '114 55', city: 'Stockholm', country: 'SE' },
      },
    });
    expect(customer.status).toBe(201);
    const add = async (name: string, phone: string) => {
      const res = await t.request('POST', `/api/customers/${customer.body.id}/contacts`, { token, body: { name, phone } });
      expect(res.status).toBe(201);
      return res.body as { id: string; phone: string };
    };
    const dead = await add('Per Sand', '+46703300002');
    const away = await add('Lena Sand', '+46703300003');
    const [deadSms, awaySms] = await Promise.all([dead, away].map((c) => fake.waitFor(() => fake.messages.find((r) => r.to === c.phone))));
    await t.app.get(SmsOutbox).idle();
    expect((await fake.sendStatus(deadSms, 'undelivered', { ErrorCode: '30005' })).status).toBe(204);
    expect((await fake.sendStatus(awaySms, 'undelivered', { ErrorCode: '30003' })).status).toBe(204);

    const page = await logInAs(browser, t.baseUrl, 'operator', pageErrors);
    await page.goto(`${t.baseUrl}/#/customers/${customer.body.id}`);
    const deadRow = page.locator(`tr[data-contact-id="${dead.id}"]`);
    await deadRow.waitFor();
    await until(page, (id: string) => document.querySelector(`tr[data-contact-id="${id}"] .notice-reason`), dead.id);
    expect(await deadRow.locator('.pill.bad', { hasText: 'not informed' }).isVisible()).toBe(true);
    expect(await deadRow.locator('.notice-reason').textContent()).toBe(
      'Never informed: the number cannot receive SMS (error 30005), 1 SMS sent. Correct the number, or send it again if the number is right.',
    );
    const awayRow = page.locator(`tr[data-contact-id="${away.id}"]`);
    expect(await awayRow.locator('.pill').filter({ hasText: 'notice retrying' }).count()).toBe(1);
    expect(await awayRow.locator('.notice-reason').textContent()).toMatch(
      /^Not delivered yet \(error 30003\), 1 SMS sent; (next try \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}|another try is being scheduled)\.$/,
    );
    expect(await axeFindings(page, 10)).toEqual([]);
    await page.screenshot({ path: screenshotPath('contact-notice-failed'), fullPage: true });

    // The customers page lists them, the one given up first, and leads to the customer.
    await page.goto(`${t.baseUrl}/#/customers`);
    const section = page.getByRole('region', { name: /Contacts never informed: 2/ });
    await section.waitFor();
    const rows = section.locator('tbody tr');
    expect(await rows.evaluateAll((trs: any[]) => trs.map((tr) => tr.dataset.contactId))).toEqual([dead.id, away.id]);
    expect(await rows.first().textContent()).toContain('the number cannot receive SMS');
    expect(await axeFindings(page, 10)).toEqual([]);
    await section.getByRole('link', { name: 'Ingrid Sand' }).first().click();
    await deadRow.waitFor();

    // The operator sends it again to the same number (only a given-up notice has the button).
    expect(await awayRow.getByRole('button', { name: /Send notice again/ }).count()).toBe(0);
    await deadRow.getByRole('button', { name: 'Send notice again to Per Sand' }).click();
    await until(page, (id: string) => !document.querySelector(`tr[data-contact-id="${id}"] .pill.bad`), dead.id);
    await fake.waitFor(() => fake.messages.filter((r) => r.to === dead.phone).length === 2);
    expect(await deadRow.locator('.contact-status').textContent()).toMatch(/notice (pending|sent)/);
    expect(await page.locator('#announcer').textContent()).toBe('Onboarding notice sent to Per Sand again');

    // The operator corrects the number: a new notice goes out, and the badge says so.
    await page.getByRole('button', { name: 'Edit Per Sand' }).click();
    const form = page.getByRole('form', { name: 'Edit Per Sand' });
    await form.getByLabel('Mobile phone').fill('+46703300012');
    await form.getByRole('button', { name: 'Save contact' }).click();
    const confirm = page.getByRole('alertdialog', { name: "Change Per Sand's number to +46703300012?" });
    await confirm.getByRole('button', { name: 'Yes, change the number' }).click();
    await until(page, (id: string) => document.querySelector(`tr[data-contact-id="${id}"] a[href="tel:+46703300012"]`), dead.id);
    await fake.waitFor(() => fake.messages.find((r) => r.to === '+46703300012'));
    expect(await deadRow.locator('.pill.bad').count()).toBe(0);
    expect(await deadRow.locator('.contact-status').textContent()).toMatch(/notice (pending|sent)/);
    expect(pageErrors).toEqual([]);
  });
});

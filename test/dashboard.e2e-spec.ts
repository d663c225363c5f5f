import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { AlarmFixtures } from './support/alarm-fixtures.js';
import { failOnPageErrors, haveChromium, openBrowser, screenshotPath, until } from './support/chromium.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// Functions passed to page.evaluate/waitForFunction run in the browser; the test's tsconfig has no DOM lib.
declare const document: any;
declare const location: { hash: string };
declare const window: Record<string, unknown>;

const haveBrowser = haveChromium('dashboard.e2e-spec');

/** The README's screenshots: written to docs/ only with UPDATE_SCREENSHOTS=1 (see screenshotPath). */
const shots: string[] = [];
function shot(name: string): string {
  const file = screenshotPath(name);
  shots.push(file);
  return file;
}

// One app for the file: the static checks only read, so the browser tests start from the same empty app.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

// The static serving and its headers need no browser.
describe('dashboard: served by the service', () => {
  it('serves the page at / with a self-only Content-Security-Policy', async () => {
    const res = await t.request('GET', '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.text).toContain('<script type="module" src="/app.js">');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
  });

  it('serves its modules and loads nothing from elsewhere', async () => {
    for (const file of ['/app.js', '/api.js', '/dom.js', '/alarm-page.js', '/customer-page.js', '/session.js', '/settings.js', '/style.css']) {
      const res = await t.request('GET', file);
      expect({ file, status: res.status }).toEqual({ file, status: 200 });
      expect(res.text).not.toMatch(/https?:\/\/(?!localhost)/);
    }
    expect((await t.request('GET', '/app.js')).headers.get('content-type')).toMatch(/javascript/);
  });

  it('leaves the API its JSON 404 for unknown routes and its access rules', async () => {
    const unknown = await t.request('GET', '/api/no-such-thing');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ statusCode: 404 });
    expect((await t.request('GET', '/api/alarms')).status).toBe(401);
    expect((await t.request('GET', '/index.html/../../package.json')).status).toBe(404);
  });
});

(haveBrowser ? describe : describe.skip)('dashboard in Chromium', () => {
  let f: AlarmFixtures;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  failOnPageErrors(pageErrors);

  beforeAll(async () => {
    f = await AlarmFixtures.create(t, 8000);
    browser = await openBrowser();
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push(m.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function logIn(p: Page, email: string, password: string) {
    await p.goto(t.baseUrl + '/');
    await p.getByLabel('Email').fill(email);
    await p.getByLabel('Password').fill(password);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.locator('#who-name').waitFor({ state: 'visible' });
  }

  it('logs an operator in with the cookie session and shows their name and role', async () => {
    await page.goto(t.baseUrl + '/');
    await page.getByLabel('Email').fill('operator@test.local');
    await page.getByLabel('Password').fill('wrong-password-123');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('wrong');

    await page.getByLabel('Password').fill('operator-password-123');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#who-name').waitFor({ state: 'visible' });
    expect(await page.locator('#who-name').textContent()).toBe('Test operator');
    expect(await page.locator('#who-role').textContent()).toBe('operator');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'keyholder_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await page.getByRole('heading', { name: /Open alarms/ }).waitFor();
  });

  it('an operator does not see the privacy or operator pages', async () => {
    const nav = await page.locator('#nav').textContent();
    expect(nav).toContain('Alarm queue');
    expect(nav).toContain('Customers');
    expect(nav).not.toContain('Privacy');
    expect(nav).not.toContain('Operators');
    await page.goto(t.baseUrl + '/#/privacy');
    await until(page, () => location.hash === '#/queue');
    expect(await page.getByRole('heading', { name: 'Privacy' }).count()).toBe(0);
  });

  let alarmId: string;
  let household: Awaited<ReturnType<AlarmFixtures['household']>>;

  it('shows an event posted by a signed panel in the queue without a reload', async () => {
    household = await f.household(2);
    await page.goto(t.baseUrl + '/#/queue');
    await page.getByText('No open alarms.').waitFor();
    await page.locator('#feed-status', { hasText: 'Live' }).waitFor();
    // Marks this document: a reload would lose it.
    await page.evaluate(() => (window.notReloaded = true));

    const res = await f.post(household.panel, { eventId: 'dash-1', code: 'BA', zone: '3', text: 'Hall PIR' });
    expect(res.status).toBe(202);
    alarmId = res.body.alarmId;

    const row = page.locator(`tr[data-alarm-id="${alarmId}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await page.evaluate(() => window.notReloaded)).toBe(true);
    await expect(row.getAttribute('class')).resolves.toContain('new-alarm');
    const text = await row.textContent();
    expect(text).toContain('NEW');
    expect(text).toContain('burglary');
    expect(await row.locator('.trigger').textContent()).toBe('zone 3 · BA: Hall PIR');
    expect(text).toContain(`Anna Lind ${household.customer.n}`);
    expect(text).toContain(`Storgatan ${household.customer.n}`);
    // The owner's SMS shows as "texted" once the outbox has it.
    await until(page, (id) => document.querySelector(`tr[data-alarm-id="${id}"] .texted`)?.textContent?.includes('Owner'), alarmId);
    expect(await page.title()).toContain('new');
    // The age ticks.
    const age1 = await row.locator('.age').textContent();
    let age2 = age1;
    for (let i = 0; i < 30 && age2 === age1; i++) {
      await page.waitForTimeout(100);
      age2 = await row.locator('.age').textContent();
    }
    expect(age2).not.toBe(age1);
    await page.screenshot({ path: shot('queue') });
  });

  it('opens the alarm: customer, contacts, the owner SMS in the timeline; owner reached, then resolved', async () => {
    await page.locator(`tr[data-alarm-id="${alarmId}"] a`).click();
    await until(page, (id) => location.hash === `#/alarms/${id}`, alarmId);
    await page.locator('#timeline').waitFor();
    expect(await page.locator('.alarm-address').textContent()).toContain(`Storgatan ${household.customer.n}`);
    const contactLinks = page.locator('ol.contacts a[href^="tel:"]');
    expect(await contactLinks.count()).toBe(2);
    expect(await contactLinks.first().getAttribute('href')).toBe(`tel:${household.contacts[0].phone}`);
    const timeline = page.locator('#timeline');
    await timeline.locator('li.t-sms').first().waitFor();
    expect(await timeline.textContent()).toContain(`SMS to owner (${household.customer.phone})`);
    expect(await timeline.textContent()).toContain('Panel event BA');
    expect(await page.locator('#alarm-stage').textContent()).toBe('Owner stage');

    await page.getByRole('button', { name: 'Owner reached' }).click();
    await until(page, () => document.querySelector('#alarm-stage')?.textContent === 'Acknowledged');
    expect(await timeline.textContent()).toContain('Owner reached by Test operator');
    expect((await f.alarm(alarmId)).stage).toBe('acknowledged');
    await page.screenshot({ path: shot('alarm'), fullPage: true });

    // Resolving needs a note: the form says so instead of sending a request the API would refuse.
    await page.getByRole('button', { name: 'Resolve' }).click();
    await expect(page.locator('[data-error-for="note"]').textContent()).resolves.toContain('Note is required');
    await page.getByLabel('Note').fill('Owner forgot to disarm; all well.');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await until(page, () => document.querySelector('#alarm-stage')?.textContent === 'Closed');
    expect((await f.alarm(alarmId)).status).toBe('closed');

    await page.getByRole('link', { name: '← Queue' }).click();
    await page.getByText('No open alarms.').waitFor();
    expect(await page.locator(`tr[data-alarm-id="${alarmId}"]`).count()).toBe(0);
  });

  it('creates a customer after a field error is shown and corrected', async () => {
    await page.goto(t.baseUrl + '/#/customers');
    await page.getByRole('link', { name: 'New customer' }).click();
    await page.getByLabel('Name').fill('Britt Ek');
    await page.getByLabel('Mobile phone (E.164)').fill('+46702009901');
    await page.locator('[name="alarmAddress.street"]').fill('Kungsgatan 7');
    await page.locator('[name="alarmAddress.postalCode"]').fill('1234');
    await page.locator('[name="alarmAddress.city"]').fill('Uppsala');
    await page.getByRole('button', { name: 'Create customer' }).click();
    const error = page.locator('[data-error-for="alarmAddress.postalCode"]');
    await until(page, () => !!document.querySelector('[data-error-for="alarmAddress.postalCode"]')?.textContent);
    expect(await error.textContent()).toContain('Alarm address: postal code is not a postal code of SE');
    expect(await page.locator('[name="alarmAddress.postalCode"]').getAttribute('aria-invalid')).toBe('true');

    await page.locator('[name="alarmAddress.postalCode"]').fill('753 20');
    await page.getByRole('button', { name: 'Create customer' }).click();
    await page.getByRole('heading', { name: 'Britt Ek' }).waitFor();
    const [row] = await t.query(`SELECT id FROM customer WHERE name = 'Britt Ek'`);
    expect(row).toBeDefined();
    expect(await page.evaluate(() => location.hash)).toBe(`#/customers/${row.id}`);
  });

  it('adds a contact and shows its onboarding-notice status', async () => {
    const form = page.locator('form.contact-form');
    await form.getByLabel('Name').fill('Carl Ek');
    await form.getByLabel('Mobile phone').fill('+46702009902');
    await form.getByLabel('Relation').selectOption('partner');
    await form.getByRole('button', { name: 'Add contact' }).click();
    const row = page.locator('#contacts tr', { hasText: 'Carl Ek' });
    await row.waitFor();
    expect(await row.locator('.contact-status').textContent()).toMatch(/notice (pending|sent|delivered)/);
    expect(await row.locator('a[href="tel:+46702009902"]').count()).toBe(1);
    await page.screenshot({ path: shot('customer'), fullPage: true });
  });

  it('shows a new alarm on every page, not only the queue', async () => {
    expect(await page.locator('#new-alarms').isHidden()).toBe(true);
    const res = await f.post(household.panel, { eventId: 'dash-2', code: 'FA', zone: '1' });
    expect(res.status).toBe(202);
    const banner = page.locator('#new-alarms');
    await banner.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await banner.textContent()).toBe('1 new alarm');
    expect(await page.evaluate(() => location.hash)).toMatch(/^#\/customers\//);
    // The bar leads to the new alarm itself; once opened it is no longer new.
    await banner.click();
    await page.locator('#timeline').waitFor();
    expect(await page.evaluate(() => location.hash)).toBe(`#/alarms/${res.body.alarmId}`);
    expect(await page.locator('#new-alarms').isHidden()).toBe(true);
    await page.goto(`${t.baseUrl}/#/queue`);
    await page.locator(`tr[data-alarm-id="${res.body.alarmId}"]`).waitFor();
    expect(await page.locator(`tr[data-alarm-id="${res.body.alarmId}"]`).textContent()).toContain('fire');

    // Keyboard: the row's link takes focus and opens the alarm with Enter.
    await page.locator(`tr[data-alarm-id="${res.body.alarmId}"] a`).focus();
    await page.keyboard.press('Enter');
    await page.locator('#timeline').waitFor();
    expect(await page.locator('#new-alarms').isHidden()).toBe(true);
    // The open alarm follows changes live: a restore from the panel appears without a reload.
    expect(await page.locator('#timeline').textContent()).not.toContain('Panel event FR');
    expect((await f.post(household.panel, { eventId: 'dash-3', code: 'FR', zone: '1' })).status).toBe(202);
    await until(page, () => document.querySelector('#timeline')?.textContent?.includes('Panel event FR'));
    expect(await page.locator('#timeline').textContent()).toContain('restore');
  });

  it("edits a customer, with the API's field error shown under the field", async () => {
    await page.goto(`${t.baseUrl}/#/customers/${household.customer.id}`);
    await page.getByRole('heading', { name: `Anna Lind ${household.customer.n}` }).waitFor();
    await page.getByRole('link', { name: 'Edit' }).click();
    // The customer page has an "Email" field too (add a contact): wait for the edit form itself.
    await page.getByRole('heading', { name: `Edit Anna Lind ${household.customer.n}` }).waitFor();
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('[data-error-for="email"]', { hasText: 'Email must be an email address' }).waitFor();
    expect(await page.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Email').fill('anna@example.se');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('anna@example.se').waitFor();
    expect(await page.evaluate(() => location.hash)).toBe(`#/customers/${household.customer.id}`);
    const [row] = await t.query(`SELECT email FROM customer WHERE id = $1`, [household.customer.id]);
    expect(row.email).toBe('anna@example.se');
  });

  it('filters the messages log', async () => {
    await page.locator('#nav').getByRole('link', { name: 'Messages' }).click();
    await page.getByRole('table', { name: 'Messages' }).waitFor();
    await page.getByLabel('To (phone)').fill(household.customer.phone);
    await page.getByRole('button', { name: 'Filter' }).click();
    await until(
      page,
      (phone) => {
        const rows = [...document.querySelectorAll('#message-results tbody tr')];
        return rows.length > 0 && rows.every((r: any) => r.textContent.includes(phone));
      },
      household.customer.phone,
    );
    expect(await page.locator('#message-results').textContent()).toContain('Alarm SMS to the owner');
    // The address says the filter shown: a reload keeps it, and an old one does not come back.
    expect(await page.evaluate(() => location.hash)).toBe(`#/messages?to=${encodeURIComponent(household.customer.phone)}`);
    await page.getByLabel('Alarm id').fill('not-a-uuid');
    await page.getByRole('button', { name: 'Filter' }).click();
    await until(page, () => !!document.querySelector('[data-error-for="alarmId"]')?.textContent);
    expect(await page.locator('[data-error-for="alarmId"]').textContent()).toContain('Alarm id must be a UUID');

    // From an alarm: its messages, the filter filled in, no id to copy.
    await page.goto(`${t.baseUrl}/#/alarms/${alarmId}`);
    await page.getByRole('link', { name: 'Every SMS about this alarm' }).click();
    await until(
      page,
      (id) => (document.querySelector('[name="alarmId"]') as any)?.value === id && document.querySelectorAll('#message-results tbody tr').length > 0,
      alarmId,
    );
    const [{ n }] = await t.query(`SELECT count(*)::int AS n FROM sms_message WHERE alarm_id = $1`, [alarmId]);
    expect(await page.locator('#message-results tbody tr').count()).toBe(n);
  });

  it('a supervisor registers a panel, sees its secret once with a copy button, and reorders contacts', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, permissions: ['clipboard-read', 'clipboard-write'] });
    const sup = await context.newPage();
    sup.on('pageerror', (e) => pageErrors.push(e.message));
    await logIn(sup, 'supervisor@test.local', 'supervisor-password-123');
    const customer = await f.household(2);
    await sup.goto(`${t.baseUrl}/#/customers/${customer.customer.id}`);
    await sup.getByLabel('Panel label').fill('Front hall');
    await sup.getByRole('button', { name: 'Register panel' }).click();
    const secretBox = sup.locator('#panel-secret');
    await secretBox.waitFor();
    const secret = (await secretBox.locator('code').textContent())!.trim();
    expect(secret.length).toBeGreaterThan(20);
    await secretBox.getByRole('button', { name: 'Copy' }).click();
    await sup.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await sup.evaluate(() => (globalThis as any).navigator.clipboard.readText())).toBe(secret);
    // The secret shown is the panel's: an event signed with it is accepted.
    const [panel] = await t.query(`SELECT id FROM panel WHERE customer_id = $1 AND label = 'Front hall'`, [customer.customer.id]);
    expect((await f.post({ id: panel.id, secret }, { eventId: 'dash-arm-1', code: 'CL', user: '2', method: 'keypad' })).status).toBe(202);
    // Shown once: after a reload it is gone, and the panel shows as seen.
    await sup.reload();
    await sup.locator('#panels table').waitFor();
    expect(await sup.locator('#panel-secret').count()).toBe(0);
    const frontHall = sup.locator('#panels tbody tr', { hasText: 'Front hall' });
    expect(await frontHall.locator('td').nth(1).textContent()).not.toBe('never');
    expect(await frontHall.locator('td').nth(2).textContent()).toBe('ok');

    const names = async () => sup.locator('#contacts tbody tr').evaluateAll((rows: any[]) => rows.map((r) => r.children[1].firstChild.textContent));
    const before = await names();
    expect(before).toHaveLength(2);
    await sup.getByRole('button', { name: `Move ${before[1]} up` }).click();
    await until(sup, (first) => document.querySelector('#contacts tbody tr td:nth-child(2)')?.firstChild?.textContent === first, before[1]);
    expect(await names()).toEqual([before[1], before[0]]);
    const order = await t.query(`SELECT name FROM contact WHERE customer_id = $1 ORDER BY priority`, [customer.customer.id]);
    expect(order.map((r) => r.name)).toEqual([before[1], before[0]]);
    await context.close();
  });

  it('an admin lists and creates operators', async () => {
    const context = await browser.newContext({ viewport: { width: 768, height: 1024 } });
    const admin = await context.newPage();
    admin.on('pageerror', (e) => pageErrors.push(e.message));
    await logIn(admin, 'admin@test.local', 'admin-password-123');
    expect(await admin.locator('#nav').textContent()).toContain('Operators');
    await admin.getByRole('link', { name: 'Operators' }).click();
    const form = admin.locator('form.operator-form');
    await form.waitFor();
    await form.getByLabel('Name').fill('Dana Nilsson');
    await form.getByLabel('Email').fill('dana@test.local');
    await form.getByLabel('Role').selectOption('supervisor');
    await form.getByLabel('Password').fill('short');
    await form.getByRole('button', { name: 'Create operator' }).click();
    await until(admin, () => !!document.querySelector('form.operator-form [data-error-for="password"]')?.textContent);
    await form.getByLabel('Password').fill('dana-password-12345');
    await form.getByRole('button', { name: 'Create operator' }).click();
    await admin.getByRole('cell', { name: 'dana@test.local' }).waitFor();
    const [row] = await t.query(`SELECT role FROM operator WHERE email = 'dana@test.local'`);
    expect(row.role).toBe('supervisor');
    await context.close();
  });

  it('a DPO sees the privacy pages (record of processing, verified log) and no alarm queue', async () => {
    await t.tokenFor('dpo');
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const dpo = await context.newPage();
    dpo.on('pageerror', (e) => pageErrors.push(e.message));
    await logIn(dpo, 'dpo@test.local', 'dpo-password-123');
    const nav = await dpo.locator('#nav').textContent();
    expect(nav).toContain('Privacy');
    expect(nav).not.toContain('Alarm queue');
    // No alarms, so no beep to switch.
    expect(await dpo.locator('.sound').isVisible()).toBe(false);
    // The chain check is slow on a long log: held back here, the page is usable meanwhile and says
    // the check is running; its result fills in when it comes.
    let release = () => undefined as void;
    const held = new Promise<void>((r) => (release = r));
    await dpo.route('**/api/privacy/processing-log/verify*', async (route) => {
      await held;
      await route.continue();
    });
    await dpo.getByRole('link', { name: 'Privacy' }).click();
    await dpo.getByRole('table', { name: 'Processing log' }).waitFor();
    expect(await dpo.locator('#verify-result').textContent()).toBe('Checking the hash chain…');
    expect(await dpo.getByRole('button', { name: 'Check the whole chain' }).isDisabled()).toBe(true);
    release();
    await until(dpo, () => document.querySelector('#verify-result')?.textContent?.startsWith('intact'));
    // No whole check has run in this database yet: the check from the (missing) checkpoint read it all.
    expect(await dpo.locator('#verify-result').textContent()).toMatch(/^intact The whole chain, [\d,]+ entries, checked in \d+\.\d s\.$/);
    // The whole chain on request (the button waits while a check runs); afterwards the page's check starts from where it ended.
    const whole = dpo.getByRole('button', { name: 'Check the whole chain' });
    await whole.click();
    await until(dpo, () => /^intact The whole chain/.test(document.querySelector('#verify-result')?.textContent ?? ''));
    expect(await whole.isEnabled()).toBe(true);
    await dpo.reload();
    await until(dpo, () => document.querySelector('#verify-result')?.textContent?.startsWith('intact'));
    expect(await dpo.locator('#verify-result').textContent()).toMatch(
      /^intact The [\d,]+ entries since the whole check of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \([\d,]+ entries\), checked in \d+\.\d s\.$/,
    );
    expect(await dpo.getByRole('table', { name: 'Record of processing' }).textContent()).toContain('alarms.list');
    // Transfers and Art. 9 categories per operation, and the processors with their own retention.
    const ropaRow = dpo.getByRole('table', { name: 'Record of processing' }).locator('tr', { hasText: 'sms.send.alarm_owner' });
    expect(await ropaRow.textContent()).toMatch(/United States \(Twilio\).*health data: medical alarms/);
    expect(await dpo.getByRole('table', { name: 'Processors' }).textContent()).toMatch(/Twilio Inc\..*until it is deleted through Twilio's API.*Art\. 28/);
    await dpo.getByRole('button', { name: 'Log out' }).click();
    await dpo.getByRole('button', { name: 'Log in' }).waitFor();
    expect((await context.cookies()).find((c) => c.name === 'keyholder_session')).toBeUndefined();
    await context.close();
  });

  it('shows a national id masked; a DPO reveals it (logged), an operator has no reveal button', async () => {
    const created = await t.request('POST', '/api/customers', {
      token: await t.tokenFor('admin'),
      body: {
        name: 'Karin Holm',
        phone: '+46701234599',
        nationalId: '640823-3234',
        alarmAddress: { street: 'Storgatan 9', postalCode: '114 55', city: 'Stockholm', country: 'SE' },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await page.goto(`${t.baseUrl}/#/customers/${id}`);
    await until(page, () => document.querySelector('#national-id')?.textContent?.includes('19640823-****'));
    expect(await page.getByRole('button', { name: 'Reveal (logged)' }).count()).toBe(0);

    await t.tokenFor('dpo');
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const dpo = await context.newPage();
    dpo.on('pageerror', (e) => pageErrors.push(e.message));
    await logIn(dpo, 'dpo@test.local', 'dpo-password-123');
    await dpo.goto(`${t.baseUrl}/#/customers/${id}`);
    await dpo.getByRole('button', { name: 'Reveal (logged)' }).click();
    await until(dpo, () => document.querySelector('#national-id')?.textContent === '19640823-3234');
    // The log entry is written right after the response, so it may trail the page by milliseconds.
    const reveals = async () =>
      (await t.query(`SELECT count(*)::int AS n FROM processing_log WHERE operation = 'customers.national_id.reveal' AND $1 = ANY(subject_ids)`, [id]))[0].n;
    for (let i = 0; i < 50 && (await reveals()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await reveals()).toBe(1);
    await context.close();
  });

  it("took the README's screenshots (into docs/ only with UPDATE_SCREENSHOTS=1)", () => {
    expect(shots.map((f) => f.split('/').pop())).toEqual(['screenshot-queue.png', 'screenshot-alarm.png', 'screenshot-customer.png']);
    for (const file of shots) {
      expect(file.includes(`${process.cwd()}/docs/`)).toBe(process.env.UPDATE_SCREENSHOTS === '1');
      expect(statSync(file).size).toBeGreaterThan(10_000);
    }
  });
});

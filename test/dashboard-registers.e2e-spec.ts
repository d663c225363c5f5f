import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { PanelSupervisionDays } from '../src/alarms/panel-supervision-day.js';
import { type AlarmFixtures, waitUntil } from './support/alarm-fixtures.js';
import { dashboardSuite, haveChromium, until } from './support/chromium.js';
import { axeFindings } from './support/axe.js';
import type { TestApp } from './support/test-app.js';

// The registers: the in-page confirmation (remove a contact, rotate a panel secret, delete a
// customer), a failed action's message on screen, the arm/disarm history, the processing-log filters, a contact's restriction, the
// keyboard alone, and an axe-core audit of the main pages. Same pattern as dashboard.e2e-spec.ts.

// Functions passed to page.evaluate/waitForFunction run in the browser; the test's tsconfig has no DOM lib.
declare const document: any;
declare const location: { hash: string };

const haveBrowser = haveChromium('dashboard-registers.e2e-spec');

(haveBrowser ? describe : describe.skip)('dashboard in Chromium: registers, keyboard, accessibility', () => {
  const suite = dashboardSuite(9500);
  const { pageErrors, session } = suite;
  let t: TestApp;
  let f: AlarmFixtures;
  beforeAll(() => {
    ({ t, f } = suite);
  });

  const nameOf = async (table: 'customer' | 'contact', id: string): Promise<string> => (await t.query(`SELECT name FROM ${table} WHERE id = $1`, [id]))[0].name;
  const focused = (p: Page) => p.evaluate(() => document.activeElement?.getAttribute('aria-label') || document.activeElement?.textContent);

  it('a supervisor removes a contact through the in-page confirmation; Escape and Cancel keep it', async () => {
    const household = await f.household(2);
    const [first, second] = household.contacts;
    const firstName = await nameOf('contact', first.id);
    const page = await session('supervisor');
    await page.goto(`${t.baseUrl}/#/customers/${household.customer.id}`);
    const rows = page.locator('#contacts tbody tr');
    await until(page, () => document.querySelectorAll('#contacts tbody tr').length === 2);
    const stillThere = async () => (await t.query(`SELECT ended_at FROM contact WHERE id = $1`, [first.id]))[0].ended_at === null;

    // The question is in the page, focus is on Cancel (the safe choice), and Escape cancels.
    await page.getByRole('button', { name: `Remove ${firstName}` }).click();
    const dialog = page.getByRole('alertdialog', { name: `Remove ${firstName}?` });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('no longer texted when an alarm goes off');
    expect(await focused(page)).toBe('Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await focused(page)).toBe(`Remove ${firstName}`);
    expect(await rows.count()).toBe(2);
    expect(await stillThere()).toBe(true);

    // Cancel keeps it too.
    await page.getByRole('button', { name: `Remove ${firstName}` }).click();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await rows.count()).toBe(2);
    expect(await stillThere()).toBe(true);

    // Confirmed from the keyboard: gone from the list and from the register; the other moves up.
    await page.getByRole('button', { name: `Remove ${firstName}` }).click();
    await dialog.waitFor();
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toBe(`Yes, remove ${firstName}`);
    await page.keyboard.press('Enter');
    await until(page, () => document.querySelectorAll('#contacts tbody tr').length === 1);
    expect(await rows.first().textContent()).toContain(await nameOf('contact', second.id));
    expect(await page.getByRole('alertdialog').count()).toBe(0);
    expect(await stillThere()).toBe(false);
    const current = await t.query(`SELECT id, priority FROM contact WHERE customer_id = $1 AND ended_at IS NULL`, [household.customer.id]);
    expect(current).toEqual([{ id: second.id, priority: 1 }]);
  });

  it('a supervisor rotates a panel secret after confirming: the new one is shown once with a copy button, the old one is refused', async () => {
    const household = await f.household(0);
    const { panel } = household;
    const page = await session('supervisor', { permissions: ['clipboard-read', 'clipboard-write'] });
    await page.goto(`${t.baseUrl}/#/customers/${household.customer.id}`);
    await page.locator('#panels table').waitFor();

    // Cancelled: nothing changes, the old secret still works.
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    const dialog = page.getByRole('alertdialog', { name: `Rotate the secret of ${panel.id}?` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.locator('#panel-secret').count()).toBe(0);
    expect((await f.post(panel, { eventId: 'rot-1', code: 'RP' })).status).toBe(202);

    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await dialog.getByRole('button', { name: 'Yes, rotate the secret' }).click();
    const box = page.locator('#panel-secret');
    await box.waitFor();
    expect(await box.textContent()).toContain('New secret: this secret is shown once');
    const secret = (await box.locator('code').textContent())!.trim();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secret).not.toBe(panel.secret);
    await box.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText())).toBe(secret);

    // A signed request with the new secret is accepted at once; the old one is refused as soon as
    // the rotation's notification reaches the secret cache (panel-secret-cache.ts).
    expect((await f.post({ id: panel.id, secret }, { eventId: 'rot-2', code: 'RP' })).status).toBe(202);
    let n = 3;
    await waitUntil(async () => (await f.post(panel, { eventId: `rot-${n++}`, code: 'RP' })).status === 401, 3000, 'the old secret to be refused');
    expect((await f.post({ id: panel.id, secret }, { eventId: 'rot-new', code: 'RP' })).status).toBe(202);

    // Shown once: gone after a reload.
    await page.reload();
    await page.locator('#panels table').waitFor();
    expect(await page.locator('#panel-secret').count()).toBe(0);
    expect(await page.locator('body').textContent()).not.toContain(secret);
  });

  it('a supervisor deletes a customer only after confirming in the page', async () => {
    const household = await f.household(0);
    const name = await nameOf('customer', household.customer.id);
    const page = await session('supervisor');
    await page.goto(`${t.baseUrl}/#/customers/${household.customer.id}`);
    await page.getByRole('button', { name: 'Delete customer' }).click();
    const dialog = page.getByRole('alertdialog', { name: `Delete ${name}?` });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => location.hash)).toBe(`#/customers/${household.customer.id}`);
    expect((await t.query(`SELECT ended_at FROM customer WHERE id = $1`, [household.customer.id]))[0].ended_at).toBeNull();

    await page.getByRole('button', { name: 'Delete customer' }).click();
    await dialog.getByRole('button', { name: `Yes, delete ${name}` }).click();
    await until(page, () => location.hash === '#/customers');
    expect((await t.query(`SELECT ended_at FROM customer WHERE id = $1`, [household.customer.id]))[0].ended_at).not.toBeNull();
  });

  it("a failed action shows the API's message in the page: a contact, then the customer, removed elsewhere meanwhile", async () => {
    const household = await f.household(2);
    const [first, second] = household.contacts;
    const customerId = household.customer.id;
    const [firstName, secondName, customerName] = [await nameOf('contact', first.id), await nameOf('contact', second.id), await nameOf('customer', customerId)];
    const page = await session('supervisor');
    await page.goto(`${t.baseUrl}/#/customers/${customerId}`);
    await until(page, () => document.querySelectorAll('#contacts tbody tr').length === 2);
    expect(await page.getByRole('alert').count()).toBe(0);

    // Someone else removes the first contact while this page shows it.
    const removeFirst = () => t.request('DELETE', `/api/customers/${customerId}/contacts/${first.id}`, { token: f.tokens.supervisor });
    expect((await removeFirst()).status).toBe(204);
    const refused = await removeFirst();
    expect(refused.status).toBe(404);

    await page.getByRole('button', { name: `Remove ${firstName}` }).click();
    await page
      .getByRole('alertdialog', { name: `Remove ${firstName}?` })
      .getByRole('button', { name: `Yes, remove ${firstName}` })
      .click();
    const contactsAlert = page.locator('#contacts').getByRole('alert');
    await contactsAlert.waitFor();
    expect(await contactsAlert.textContent()).toBe(`Could not remove ${firstName}: ${refused.body.message}`);
    // The list is shown as it is now, with the message kept above it.
    await until(page, () => document.querySelectorAll('#contacts tbody tr').length === 1);
    expect(await page.locator('#contacts tbody tr').first().textContent()).toContain(secondName);
    expect(await contactsAlert.textContent()).toContain(refused.body.message);

    // Someone else deletes the customer: the page stays, and says why nothing happened.
    expect((await t.request('DELETE', `/api/customers/${customerId}`, { token: f.tokens.supervisor })).status).toBe(204);
    const gone = await t.request('DELETE', `/api/customers/${customerId}`, { token: f.tokens.supervisor });
    expect(gone.status).toBe(404);
    await page.getByRole('button', { name: 'Delete customer' }).click();
    await page
      .getByRole('alertdialog', { name: `Delete ${customerName}?` })
      .getByRole('button', { name: `Yes, delete ${customerName}` })
      .click();
    const customerAlert = page.getByRole('region', { name: 'Customer details' }).getByRole('alert');
    await customerAlert.waitFor();
    expect(await customerAlert.textContent()).toBe(`Could not delete ${customerName}: ${gone.body.message}`);
    expect(await page.evaluate(() => location.hash)).toBe(`#/customers/${customerId}`);
  });

  it('shows arming and disarming posted by a signed panel in the arm/disarm history, newest first', async () => {
    const household = await f.household(0);
    const armedAt = new Date(Date.now() - 120_000).toISOString();
    const disarmedAt = new Date(Date.now() - 60_000).toISOString();
    expect((await f.post(household.panel, { eventId: 'arm-1', code: 'CL', user: '2', method: 'keypad', occurredAt: armedAt })).status).toBe(202);
    expect((await f.post(household.panel, { eventId: 'arm-2', code: 'OP', user: '3', method: 'app', occurredAt: disarmedAt })).status).toBe(202);
    const page = await session('operator');
    await page.goto(`${t.baseUrl}/#/customers/${household.customer.id}`);
    const history = page.getByRole('table', { name: 'Arm and disarm history' });
    await history.waitFor();
    const cells = await history.locator('tbody tr').evaluateAll((rows: any[]) => rows.map((r) => [...r.children].slice(1).map((c: any) => c.textContent)));
    expect(cells).toEqual([
      ['disarm', 'app', '3'],
      ['arm', 'keypad', '2'],
    ]);
    const when = await history.locator('tbody tr td:first-child').allTextContents();
    expect(when[0]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('a DPO filters the processing log by data subject and by date', async () => {
    const household = await f.household(1);
    const subject = household.customer.id;
    // Reading the customer writes an entry naming them (besides the create).
    expect((await t.request('GET', `/api/customers/${subject}`, { token: f.tokens.operator })).status).toBe(200);
    const page = await session('dpo');
    await page.getByRole('link', { name: 'Privacy' }).click();
    const log = page.locator('#processing-log');
    await log.getByRole('table', { name: 'Processing log' }).waitFor();
    const total = async () => Number((await log.locator('p.muted').textContent())!.split(' ')[0]);
    const all = await total();
    const ofSubject = (await t.query(`SELECT count(*)::int AS n FROM processing_log WHERE $1 = ANY(subject_ids)`, [subject]))[0].n;
    expect(ofSubject).toBeGreaterThanOrEqual(2);
    expect(all).toBeGreaterThan(ofSubject);

    await page.getByLabel('Data subject id').fill(subject);
    await page.getByRole('button', { name: 'Search' }).click();
    await until(page, (n) => document.querySelector('#processing-log p.muted')?.textContent === `${n} entries`, ofSubject);
    const subjects = await log.locator('tbody tr td:nth-child(6)').allTextContents();
    expect(subjects.length).toBe(ofSubject);
    // By name, not by id.
    for (const s of subjects) expect(s).toContain(`Anna Lind ${household.customer.n} (customer)`);
    expect(await log.textContent()).toContain('customers.create');

    // A date range after today: nothing.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('From').fill(tomorrow);
    await page.getByRole('button', { name: 'Search' }).click();
    await until(page, () => document.querySelector('#processing-log p.muted')?.textContent === '0 entries');

    // A malformed subject id gets the API's message under the field.
    await page.getByLabel('From').fill('');
    await page.getByLabel('Data subject id').fill('not-a-uuid');
    await page.getByRole('button', { name: 'Search' }).click();
    await until(page, () => !!document.querySelector('[data-error-for="subjectId"]')?.textContent);
    expect(await page.locator('[data-error-for="subjectId"]').textContent()).toContain('Data subject id must be a UUID');
    expect(await page.getByLabel('Data subject id').getAttribute('aria-invalid')).toBe('true');
  });

  it("a DPO finds a panel's day of supervision signals as one entry with its counts, and the log's retention is said with its check", async () => {
    const { panel } = await f.household(0);
    for (const code of ['RP', 'RX', 'RP']) expect((await f.post(panel, { eventId: `day-${randomUUID()}`, code })).status).toBe(202);
    const [counted] = await t.query(`SELECT day::text FROM panel_supervision_day WHERE panel_id = $1`, [panel.id]);
    await t.app.get(PanelSupervisionDays).closeDays(new Date(Date.parse(`${counted.day}T00:00:00Z`) + 25 * 3_600_000));
    const page = await session('dpo');
    await page.getByRole('link', { name: 'Privacy' }).click();
    const log = page.locator('#processing-log');
    await log.getByRole('table', { name: 'Processing log' }).waitFor();
    // The search's answer, not the unfiltered list it replaces (which may hold other panels' days).
    // Counted before the search: the search is logged as processing of the panel too, after it has read.
    const ofPanel = (await t.query(`SELECT count(*)::int AS n FROM processing_log WHERE $1 = ANY(subject_ids)`, [panel.id]))[0].n;
    await page.getByLabel('Data subject id').fill(panel.id);
    await page.getByRole('button', { name: 'Search' }).click();
    await until(page, (n) => document.querySelector('#processing-log p.muted')?.textContent === `${n} entries`, ofPanel);
    const row = log.locator('tbody tr', { hasText: 'panels.supervision.day' });
    expect(await row.allTextContents()).toHaveLength(1);
    expect(await row.locator('.log-detail').textContent()).toMatch(
      new RegExp(`^3 supervision signals on ${counted.day} \\(UTC \\d\\d:\\d\\d:\\d\\d–\\d\\d:\\d\\d:\\d\\d\\)$`),
    );
    expect(await log.textContent()).not.toContain('panels.events.receive');
  });

  it('a DPO restricts one contact (Art. 18) and lifts it; operators and supervisors have no such button', async () => {
    const household = await f.household(2);
    const [first, second] = household.contacts;
    const firstName = await nameOf('contact', first.id);
    const restricted = async (id: string) => (await t.query(`SELECT restricted FROM contact WHERE id = $1`, [id]))[0].restricted;
    const page = await session('dpo');
    await page.goto(`${t.baseUrl}/#/customers/${household.customer.id}`);
    const row = page.locator(`#contacts tr[data-contact-id="${first.id}"]`);
    await row.waitFor();
    expect(await row.textContent()).not.toContain('restricted');

    await page.getByRole('button', { name: `Restrict processing of ${firstName}` }).click();
    await page.getByRole('button', { name: `Lift restriction of ${firstName}` }).waitFor();
    expect(await restricted(first.id)).toBe(true);
    expect(await restricted(second.id)).toBe(false);
    expect((await t.query(`SELECT restricted FROM customer WHERE id = $1`, [household.customer.id]))[0].restricted).toBe(false);
    await row.locator('.contact-status', { hasText: 'restricted: alarm texts only' }).waitFor();
    // The list is redrawn with the flag; focus stays on the (new) button.
    await until(page, (label) => document.activeElement?.getAttribute('aria-label') === label, `Lift restriction of ${firstName}`);
    expect(await page.locator('#announcer').textContent()).toBe(`Processing restricted for ${firstName}`);
    // The processing log has the restriction, naming the contact (written just after the response).
    const logged = async () =>
      (await t.query(`SELECT count(*)::int AS n FROM processing_log WHERE operation = 'privacy.subject.restriction' AND $1 = ANY(subject_ids)`, [first.id]))[0]
        .n;
    await waitUntil(async () => (await logged()) > 0, 5000, 'the restriction in the processing log');
    expect(await logged()).toBe(1);

    // The flag is the server's: still there after a reload, and lifted the same way.
    await page.reload();
    await page.getByRole('button', { name: `Lift restriction of ${firstName}` }).click();
    await page.getByRole('button', { name: 'They have been told: lift it' }).click();
    await page.getByRole('button', { name: `Restrict processing of ${firstName}` }).waitFor();
    expect(await restricted(first.id)).toBe(false);
    await until(page, (id) => !document.querySelector(`#contacts tr[data-contact-id="${id}"] .contact-status`)?.textContent.includes('restricted'), first.id);

    for (const role of ['operator', 'supervisor'] as const) {
      const other = await session(role);
      await other.goto(`${t.baseUrl}/#/customers/${household.customer.id}`);
      await other.locator(`#contacts tr[data-contact-id="${first.id}"]`).waitFor();
      expect(await other.getByRole('button', { name: /Restrict processing/ }).count()).toBe(0);
    }
    const admin = await session('admin');
    await admin.goto(`${t.baseUrl}/#/customers/${household.customer.id}`);
    await admin.getByRole('button', { name: `Restrict processing of ${firstName}` }).waitFor();
  });

  it('an operator logs in and opens an alarm with the keyboard alone (Tab and Enter)', async () => {
    const household = await f.household(1);
    const res = await f.post(household.panel, { eventId: 'kbd-1', code: 'BA', zone: '1' });
    expect(res.status).toBe(202);
    const alarmId = res.body.alarmId as string;
    const context = await suite.context();
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(t.baseUrl + '/');
    // The login page puts focus on the email field.
    await until(page, () => document.activeElement?.id === 'login-email');
    await page.keyboard.type('operator@test.local');
    await page.keyboard.press('Tab');
    await page.keyboard.type('operator-password-123');
    await page.keyboard.press('Enter');
    await page.locator(`tr[data-alarm-id="${alarmId}"]`).waitFor();

    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate((id) => !!document.activeElement?.closest(`tr[data-alarm-id="${id}"]`), alarmId);
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await until(page, (id) => location.hash === `#/alarms/${id}`, alarmId);
    await page.locator('#timeline').waitFor();
    expect(await page.locator('.alarm-address').textContent()).toContain(`Storgatan ${household.customer.n}`);
  });

  describe('axe-core finds no serious or critical violation', () => {
    let page: Page;
    let household: Awaited<ReturnType<AlarmFixtures['household']>>;
    let alarmId: string;

    /** The page's serious axe findings (test/support/axe.ts). */
    const audit = (p: Page) => axeFindings(p, 20);

    beforeAll(async () => {
      household = await f.household(2);
      alarmId = (await f.post(household.panel, { eventId: 'axe-1', code: 'FA', zone: '2', text: 'Kitchen smoke' })).body.alarmId;
      await f.post(household.panel, { eventId: 'axe-2', code: 'CL', user: '1', method: 'tag' });
      // The admin sees every button there is.
      page = await session('admin');
    });

    it('on the alarm queue', async () => {
      await page.goto(`${t.baseUrl}/#/queue`);
      await page.locator(`tr[data-alarm-id="${alarmId}"]`).waitFor();
      expect(await audit(page)).toEqual([]);
    });

    it('on one alarm', async () => {
      await page.goto(`${t.baseUrl}/#/alarms/${alarmId}`);
      await page.locator('#timeline li.t-sms').first().waitFor();
      expect(await audit(page)).toEqual([]);
    });

    it('on a duress alarm, with the decision to text the contacts', async () => {
      const duress = await f.post(household.panel, { eventId: 'axe-3', code: 'HA' });
      expect(duress.status).toBe(202);
      // Opened once it is in the queue, so it is no longer "new" (the same page as the other alarm's).
      await page.locator('#new-alarms').waitFor({ state: 'visible' });
      await page.goto(`${t.baseUrl}/#/alarms/${duress.body.alarmId}`);
      await page.locator('#notify-contacts').waitFor();
      await page.locator('#new-alarms').waitFor({ state: 'hidden' });
      expect(await audit(page)).toEqual([]);
    });

    it('on the customer page, and with the confirmation open', async () => {
      await page.goto(`${t.baseUrl}/#/customers/${household.customer.id}`);
      await page.getByRole('table', { name: 'Arm and disarm history' }).waitFor();
      await page.getByRole('table', { name: 'Contacts' }).waitFor();
      expect(await audit(page)).toEqual([]);
      await page.getByRole('button', { name: 'Rotate secret' }).click();
      await page.getByRole('alertdialog').waitFor();
      expect(await audit(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await page.getByRole('alertdialog').waitFor({ state: 'detached' });
    });

    it('on the privacy page', async () => {
      await page.goto(`${t.baseUrl}/#/privacy`);
      await page.getByRole('table', { name: 'Processing log' }).waitFor();
      expect(await audit(page)).toEqual([]);
    });

    it('on the messages, escalation settings and operators pages, and the login page', async () => {
      for (const [hash, ready] of [
        ['messages', 'Messages'],
        ['settings', 'Escalation waits per alarm class'],
        ['operators', 'Operators'],
      ]) {
        await page.goto(`${t.baseUrl}/#/${hash}`);
        await page.getByRole('table', { name: ready }).waitFor();
        expect({ hash, violations: await audit(page) }).toEqual({ hash, violations: [] });
      }
      const context = await suite.context();
      const login = await context.newPage();
      await login.goto(t.baseUrl + '/');
      await login.getByRole('button', { name: 'Log in' }).waitFor();
      expect(await audit(login)).toEqual([]);
    });

    it('would fail on an unlabelled field or a nameless button (the audit is not a no-op)', async () => {
      await page.goto(`${t.baseUrl}/#/privacy`);
      await page.getByRole('table', { name: 'Processing log' }).waitFor();
      await page.evaluate(() => document.querySelector('#main').append(document.createElement('input'), document.createElement('button')));
      const found = (await audit(page)).join('\n');
      expect(found).toContain('critical label');
      expect(found).toContain('critical button-name');
    });
  });
});

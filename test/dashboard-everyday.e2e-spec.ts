import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { type AlarmFixtures } from './support/alarm-fixtures.js';
import { axeFindings } from './support/axe.js';
import { dashboardSuite, haveChromium, until } from './support/chromium.js';
import type { TestApp } from './support/test-app.js';

// The console an operator works in all night: a new alarm is heard until it is opened and its bar
// stays on screen, the keyboard moves through the queue, and the everyday edits (a contact, waits
// not yet saved, errors in the form's words, a restore on the queue row, the phone's width).

// Functions passed to page.evaluate/waitForFunction run in the browser; the test's tsconfig has no DOM lib.
declare const document: any;
declare const location: { hash: string };
declare const window: any;

/** The page's serious axe findings (test/support/axe.ts). */
const audit = (p: Page) => axeFindings(p, 10);

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

  it("sounds a new alarm from the login on, again and again until it is opened; the bar stays on a phone's screen and leads to it", async () => {
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

  it('lists the shortcuts with ?, moves with j and k, opens with Enter and o, claims with c, and never while typing', async () => {
    const household = await f.household(1);
    const page = await session('operator');
    await page.goto(`${t.baseUrl}/#/queue`);
    await page.locator('#queue').waitFor();
    const opened: string[] = [];
    for (const [i, code] of ['BA', 'FA', 'WA'].entries())
      opened.push((await f.post(household.panel, { eventId: `ev-keys-${i}`, code, zone: String(i + 1) })).body.alarmId);
    // Every one of the three must be in the queue before its order is read: alarms earlier tests left open are
    // there too, so a count alone can be reached while the last of ours is still on its way.
    await until(page, (ids: string[]) => ids.every((id) => document.querySelector(`#queue tr.alarm-row[data-alarm-id="${id}"]`)), opened);
    const order: string[] = await page.evaluate(() => [...document.querySelectorAll('#queue tr.alarm-row')].map((r: any) => r.dataset.alarmId));

    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    for (const what of ['Next alarm', 'Previous alarm', 'Open the chosen alarm', 'Claim the chosen alarm']) expect(await dialog.textContent()).toContain(what);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    const chosen = () => page.evaluate(() => document.activeElement?.closest('tr')?.dataset.alarmId);
    await page.keyboard.press('j');
    expect(await chosen()).toBe(order[0]);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    expect(await chosen()).toBe(order[2]);
    await page.keyboard.press('k');
    expect(await chosen()).toBe(order[1]);
    await page.keyboard.press('o');
    await page.locator('#timeline').waitFor();
    expect(await page.evaluate(() => location.hash)).toBe(`#/alarms/${order[1]}`);

    // On the alarm page, j is the next alarm of the queue; typed into the note it is only a letter.
    await page.getByLabel('Note').fill('');
    await page.getByLabel('Note').press('j');
    expect(await page.getByLabel('Note').inputValue()).toBe('j');
    expect(await page.evaluate(() => location.hash)).toBe(`#/alarms/${order[1]}`);
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press('j');
    await until(page, (id: string) => location.hash === `#/alarms/${id}`, order[2]);
    await page.locator('#timeline').waitFor();

    // c claims the alarm shown, and says what came of it in the page.
    await page.keyboard.press('c');
    const said = page.locator('#shortcut-status');
    await said.waitFor();
    expect(await said.textContent()).toMatch(/^(You are handling the (burglary|fire|water) alarm\.|Could not claim the (burglary|fire|water) alarm: .+)$/);

    // Back in the queue, Enter opens the row the keyboard is on.
    await page.goto(`${t.baseUrl}/#/queue`);
    await page.locator('#queue tr.alarm-row').first().waitFor();
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await until(page, (id: string) => location.hash === `#/alarms/${id}`, order[0]);
    expect(pageErrors).toEqual([]);
  });

  it('shows a restore from the panel on the queue row and in the alarm header', async () => {
    const household = await f.household(0);
    const page = await session('operator');
    // Water, not burglary: the burglaries earlier tests here opened would make a storm group with it, whose rows are folded away.
    const res = await f.post(household.panel, { eventId: 'ev-restore-1', code: 'WA', zone: '3' });
    await page.goto(`${t.baseUrl}/#/queue`);
    const row = page.locator(`tr[data-alarm-id="${res.body.alarmId}"]`);
    await row.waitFor();
    expect(await row.locator('.restored').count()).toBe(0);
    expect((await f.post(household.panel, { eventId: 'ev-restore-2', code: 'WH', zone: '3' })).status).toBe(202);
    await row.locator('.restored').waitFor();
    expect(await row.locator('.restored').textContent()).toMatch(/^Restored \d\d:\d\d:\d\d$/);
    await row.locator('a.class-name').click();
    await page.locator('#alarm-restored').waitFor();
    expect(await page.locator('h1').textContent()).toMatch(/^Water alarm Owner stage Restored \d\d:\d\d:\d\d$/);
  });

  it('edits a contact in place: a new name sends nothing, a new number says it sends the notice again and does', async () => {
    const household = await f.household(1);
    const [contact] = household.contacts;
    const notices = async () =>
      (await t.query(`SELECT count(*)::int AS n FROM sms_message WHERE contact_id = $1 AND purpose = 'contact_notice'`, [contact.id]))[0].n;
    const before = await notices();
    const page = await session('operator');
    await page.goto(`${t.baseUrl}/#/customers/${household.customer.id}`);
    const [{ name }] = await t.query(`SELECT name FROM contact WHERE id = $1`, [contact.id]);
    await page.getByRole('button', { name: `Edit ${name}` }).click();
    const form = page.getByRole('form', { name: `Edit ${name}` });
    await form.getByLabel('Name').fill('Greta Holm');
    await form.getByLabel('Relation').selectOption('neighbour');
    expect(await form.locator('.warn-box').isHidden()).toBe(true);
    await form.getByRole('button', { name: 'Save contact' }).click();
    const row = page.locator(`tr[data-contact-id="${contact.id}"]`);
    await until(page, (id: string) => document.querySelector(`tr[data-contact-id="${id}"]`)?.textContent?.includes('Greta Holm'), contact.id);
    expect(await row.textContent()).toContain('neighbour');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Edit Greta Holm');
    expect(await notices()).toBe(before);

    // A new number: said before saving, asked, and the notice goes to it.
    await page.keyboard.press('Enter');
    const again = page.getByRole('form', { name: 'Edit Greta Holm' });
    await again.getByLabel('Mobile phone').fill('+46709998877');
    await again.locator('.warn-box', { hasText: 'gets the onboarding notice again' }).waitFor();
    await again.getByRole('button', { name: 'Save contact' }).click();
    const confirm = page.getByRole('alertdialog', { name: "Change Greta Holm's number to +46709998877?" });
    await confirm.waitFor();
    await confirm.getByRole('button', { name: 'Yes, change the number' }).click();
    await until(page, (id: string) => document.querySelector(`tr[data-contact-id="${id}"] a[href="tel:+46709998877"]`), contact.id);
    expect(await notices()).toBe(before + 1);
    const [saved] = await t.query(`SELECT name, phone, relation FROM contact WHERE id = $1`, [contact.id]);
    expect(saved).toEqual({ name: 'Greta Holm', phone: '+46709998877', relation: 'neighbour' });
    expect(pageErrors).toEqual([]);
  });

  it("finds a customer by the street of the alarm address and by a contact's name", async () => {
    const household = await f.household(1);
    const [{ name: contactName }] = await t.query(`SELECT name FROM contact WHERE id = $1`, [household.contacts[0].id]);
    const page = await session('operator');
    await page.goto(`${t.baseUrl}/#/customers`);
    for (const search of [`Storgatan ${household.customer.n}`, contactName]) {
      await page.locator('#customer-search').fill(search);
      await page.getByRole('button', { name: 'Search' }).click();
      await until(page, () => /^1 customer$/.test(document.querySelector('#customer-results p')?.textContent ?? ''));
      expect(await page.locator('#customer-results tbody tr').textContent()).toContain(`Anna Lind ${household.customer.n}`);
    }
  });

  it("asks before leaving escalation settings with unsaved waits, and says errors with the form's words", async () => {
    const page = await session('supervisor');
    await page.goto(`${t.baseUrl}/#/settings`);
    const owner = page.getByLabel('burglary owner wait in seconds');
    await owner.fill('0');
    const row = page.locator('tr[data-class="burglary"]');
    await row.getByRole('button', { name: 'Save burglary waits' }).click();
    await until(page, () => !!document.querySelector('tr[data-class="burglary"] [data-error-for="ownerWaitSeconds"]')?.textContent);
    const error = await row.locator('[data-error-for="ownerWaitSeconds"]').textContent();
    expect(error).toContain('Burglary owner wait in seconds must be at least 1');
    expect(error).not.toContain('ownerWaitSeconds');

    await owner.fill('45');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Leave without saving?' });
    await ask.waitFor();
    expect(await ask.textContent()).toContain('burglary');
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await ask.waitFor({ state: 'hidden' });
    // The dialog closes before the router puts the address back: wait for the router, not the dialog.
    await until(page, () => location.hash === '#/settings').catch(() => undefined);
    expect(await page.evaluate(() => location.hash)).toBe('#/settings');
    expect(await owner.inputValue()).toBe('45');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).click();
    await ask.waitFor();
    await ask.getByRole('button', { name: 'Leave without saving' }).click();
    await page.getByRole('heading', { name: 'Customers' }).waitFor();
    expect(await page.evaluate(() => location.hash)).toBe('#/customers');

    // Saved waits leave without a question.
    await page.goto(`${t.baseUrl}/#/settings`);
    await owner.fill('45');
    await row.getByRole('button', { name: 'Save burglary waits' }).click();
    await row.getByText('Saved').waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('heading', { name: 'Customers' }).waitFor();
    expect(await page.locator('dialog').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('the customer page does not scroll sideways on a phone', async () => {
    const household = await f.household(3);
    await t.request('POST', `/api/customers/${household.customer.id}/panels`, {
      token: f.tokens.supervisor,
      body: { label: 'Hall keypad with a rather long label', protocol: 'dc09', dc09: { account: '9A7B' } },
    });
    const page = await session('operator', { viewport: PHONE });
    await page.goto(`${t.baseUrl}/#/customers/${household.customer.id}`);
    await page.getByRole('table', { name: 'Contacts' }).waitFor();
    await page.getByRole('table', { name: 'Panels' }).waitFor();
    await page.locator('#arming h2').waitFor();
    const widths = await page.evaluate(() => ({ scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth }));
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((e: any) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map((e: any) => `${e.tagName}.${e.className}#${e.id}`)
        .slice(0, 12),
    );
    expect({ ...widths, wide }).toEqual({ scroll: widths.inner, inner: widths.inner, wide: [] });
  });

  it('filters the messages by a customer and contact chosen by name, and shows people by name', async () => {
    const household = await f.household(2);
    const other = await f.household(1);
    const [first, second] = household.contacts;
    const [{ name: firstName }] = await t.query(`SELECT name FROM contact WHERE id = $1`, [first.id]);
    await f.post(household.panel, { eventId: 'ev-msg-1', code: 'BA', zone: '1' });
    await f.post(other.panel, { eventId: 'ev-msg-2', code: 'BA', zone: '1' });
    const customerName = `Anna Lind ${household.customer.n}`;
    const page = await session('operator');
    await page.goto(`${t.baseUrl}/#/messages`);
    await page.getByRole('table', { name: 'Messages' }).waitFor();
    const picker = page.getByRole('combobox', { name: 'Customer or contact' });
    await picker.fill(`Storgatan ${household.customer.n}`);
    await page.getByRole('option', { name: new RegExp(`^${customerName} `) }).waitFor();
    await picker.press('ArrowDown');
    await picker.press('Enter');
    await page.locator('.picker-chosen', { hasText: customerName }).waitFor();
    await page.getByRole('button', { name: 'Filter' }).click();
    await until(page, (id: string) => location.hash.includes(`customerId=${id}`), household.customer.id);
    const who = async () => page.locator('#message-results td.message-who').allTextContents();
    // The rows of the filter asked for, not the unfiltered ones still on screen while it loads.
    await until(page, () => !document.querySelector('#message-results').hasAttribute('aria-busy'));
    await until(page, () => document.querySelectorAll('#message-results td.message-who').length > 0);
    const everyone = await who();
    // The owner's alarm SMS and both contacts' notices, each by name; nothing of the other customer, no ids.
    expect(new Set(everyone)).toEqual(new Set([`${customerName} (customer)`, `${firstName} (contact)`, expect.stringMatching(/ \(contact\)$/)]));
    expect(everyone.join(' ')).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(await page.locator('#message-results').textContent()).not.toContain(`Anna Lind ${other.customer.n}`);

    // One contact of theirs.
    await page.getByLabel('Contact', { exact: true }).selectOption(first.id);
    await page.getByRole('button', { name: 'Filter' }).click();
    await until(page, (id: string) => location.hash.includes(`contactId=${id}`), first.id);
    await until(
      page,
      (name: string) => {
        const cells = [...document.querySelectorAll('#message-results td.message-who')];
        return cells.length > 0 && cells.every((c: any) => c.textContent === `${name} (contact)`);
      },
      firstName,
    );
    expect(second.id).not.toBe(first.id);

    // Opened with the filter in the address (as from the customer page): the customer by name.
    await page.goto(`${t.baseUrl}/#/messages?customerId=${household.customer.id}`);
    await page.locator('.picker-chosen', { hasText: customerName }).waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('a DPO pages through the processing log past its first page, actors and subjects by name', async () => {
    const household = await f.household(1);
    // More than a page of entries naming this customer: every read of them is one.
    await Promise.all(Array.from({ length: 55 }, () => t.request('GET', `/api/customers/${household.customer.id}`, { token: f.tokens.operator })));
    const [{ n }] = await t.query(`SELECT count(*)::int AS n FROM processing_log`);
    expect(n).toBeGreaterThan(50);
    const page = await session('dpo');
    await page.goto(`${t.baseUrl}/#/privacy`);
    const log = page.locator('#processing-log');
    await log.getByRole('table', { name: 'Processing log' }).waitFor();
    const pages = log.getByRole('navigation', { name: 'Pages of the processing log' }).first();
    expect(await pages.textContent()).toMatch(/Page 1 of \d+/);
    const firstSeq = await log.locator('tbody tr td:first-child').first().textContent();
    await pages.getByRole('button', { name: 'Next page' }).click();
    await until(page, () => /Page 2 of/.test(document.querySelector('#processing-log nav')?.textContent ?? ''));
    expect(await log.locator('tbody tr td:first-child').first().textContent()).not.toBe(firstSeq);

    // A person chosen by name; the operator who read them named too.
    await page.getByRole('combobox', { name: 'Find a customer or contact' }).fill(`Anna Lind ${household.customer.n}`);
    await page.getByRole('option', { name: new RegExp(`^Anna Lind ${household.customer.n} `) }).click();
    await page.getByRole('button', { name: 'Search' }).click();
    await until(
      page,
      (id: string) =>
        (document.querySelector('[name="subjectId"]') as any)?.value === id && !/Page 2/.test(document.querySelector('#processing-log')?.textContent ?? ''),
      household.customer.id,
    );
    await until(page, () =>
      [...document.querySelectorAll('#processing-log tbody tr td:nth-child(5)')].some((c: any) => c.textContent === 'Test operator (operator)'),
    );
    for (const s of await log.locator('tbody tr td:nth-child(6)').allTextContents()) expect(s).toContain(`Anna Lind ${household.customer.n} (customer)`);
    expect(pageErrors).toEqual([]);
  });

  it('axe-core finds nothing serious: the sounding bar, the shortcuts, a contact being edited, the picker open, paging', async () => {
    const household = await f.household(2);
    const page = await session('admin');
    await page.goto(`${t.baseUrl}/#/queue`);
    await page.locator('#queue').waitFor();
    await f.post(household.panel, { eventId: 'ev-axe-1', code: 'FA', zone: '1' });
    await page.locator('#new-alarms').waitFor();
    await until(page, () => !!document.querySelector('#alarm-sound-status')?.textContent);
    expect(await audit(page)).toEqual([]);
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    expect(await audit(page)).toEqual([]);
    await page.keyboard.press('Escape');

    await page.goto(`${t.baseUrl}/#/customers/${household.customer.id}`);
    await page.getByRole('table', { name: 'Contacts' }).locator('button', { hasText: 'Edit' }).first().click();
    await page.locator('tr.contact-edit form').waitFor();
    expect(await audit(page)).toEqual([]);

    await page.goto(`${t.baseUrl}/#/messages`);
    await page.getByRole('combobox', { name: 'Customer or contact' }).fill(`Storgatan ${household.customer.n}`);
    await page.getByRole('option').first().waitFor();
    await page.getByRole('combobox', { name: 'Customer or contact' }).press('ArrowDown');
    expect(await audit(page)).toEqual([]);
    await page.getByRole('combobox', { name: 'Customer or contact' }).press('Enter');
    await page.locator('.picker-chosen').waitFor();
    expect(await audit(page)).toEqual([]);

    await Promise.all(Array.from({ length: 55 }, () => t.request('GET', `/api/customers/${household.customer.id}`, { token: f.tokens.operator })));
    await page.goto(`${t.baseUrl}/#/privacy`);
    await page.getByRole('navigation', { name: 'Pages of the processing log' }).first().waitFor();
    expect(await audit(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

import { beforeAll, describe, expect, it } from '@jest/globals';
import { type AlarmFixtures } from './support/alarm-fixtures.js';
import { dashboardSuite, downloadedText, haveChromium, until } from './support/chromium.js';
import type { TestApp } from './support/test-app.js';

// Every alarm action, the DPO's export and erasure, escalation settings.
// Same pattern as dashboard.e2e-spec.ts: Debian's chromium, skipped (with a note) when it is missing.

// Functions passed to page.evaluate/waitForFunction run in the browser; the test's tsconfig has no DOM lib.
declare const document: any;
declare const location: { hash: string };
declare const window: any;

const haveBrowser = haveChromium('dashboard-more.e2e-spec');

(haveBrowser ? describe : describe.skip)('dashboard in Chromium: alarm actions, privacy requests, escalation settings', () => {
  const suite = dashboardSuite(9000, { viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const { session } = suite;
  let t: TestApp;
  let f: AlarmFixtures;
  beforeAll(() => {
    ({ t, f } = suite);
  });

  it("an operator records guard dispatched (the API's message when the partner is missing), emergency services, a note, contact reached and false alarm", async () => {
    const household = await f.household(2);
    const res = await f.post(household.panel, { eventId: 'more-1', code: 'BA', zone: '2' });
    expect(res.status).toBe(202);
    const alarmId = res.body.alarmId;
    const page = await session('operator');
    await page.goto(`${t.baseUrl}/#/alarms/${alarmId}`);
    const timeline = page.locator('#timeline');
    await timeline.waitFor();
    expect(await page.locator('#alarm-stage').textContent()).toBe('Owner stage');
    // What set it off, and what happens next, with the time left ticking.
    expect(await page.locator('#alarm-trigger').textContent()).toBe('BA');
    await until(page, () =>
      /^The owner has been texted\. Their wait ends \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \((in \d+m \d\ds|due now)\)\.$/.test(
        document.querySelector('#alarm-next')?.textContent ?? '',
      ),
    );

    // No partner: the form sends it and shows the API's own message under the field.
    await page.getByRole('button', { name: 'Guard dispatched' }).click();
    const partnerError = page.locator('[data-error-for="partner"]');
    await until(page, () => !!document.querySelector('[data-error-for="partner"]')?.textContent);
    // In the form's words: the field's label and the action's name, not the API's.
    expect(await partnerError.textContent()).toContain('Guard company is required for guard dispatched');
    expect(await page.getByLabel('Guard company').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Guard company').fill('Securitas');
    await page.getByRole('button', { name: 'Guard dispatched' }).click();
    await until(page, () => document.querySelector('#timeline')?.textContent?.includes('Guard dispatched by Test operator: Securitas'));
    // Said where the operator is looking, and the keyboard is there (the buttons were redrawn).
    expect(await page.locator('#action-done').textContent()).toMatch(/^Guard dispatched \(Securitas\) recorded at \d\d:\d\d:\d\d\.$/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('action-done');

    await page.getByRole('button', { name: 'Emergency services called' }).click();
    await until(page, () => document.querySelector('#timeline')?.textContent?.includes('Emergency services called by Test operator'));

    // A note alone, typed and sent from the keyboard.
    await page.getByLabel('Note').fill('Neighbour says the back door is open.');
    await page.getByRole('button', { name: 'Add note' }).focus();
    await page.keyboard.press('Enter');
    await until(page, () => document.querySelector('#timeline')?.textContent?.includes('Neighbour says the back door is open.'));
    expect(await page.locator('#alarm-stage').textContent()).toBe('Owner stage');

    // Contact reached, with the second contact chosen: acknowledged, and the timeline names them.
    const [, second] = household.contacts;
    const [{ name: secondName }] = await t.query(`SELECT name FROM contact WHERE id = $1`, [second.id]);
    await page.locator('select[name="contactId"]').selectOption(second.id);
    // A live redraw (here a restore from the panel) keeps the contact chosen.
    await page.evaluate(() => document.activeElement?.blur());
    expect((await f.post(household.panel, { eventId: 'more-2', code: 'BR', zone: '2' })).status).toBe(202);
    await until(page, () => document.querySelector('#timeline')?.textContent?.includes('Panel event BR'));
    expect(await page.locator('select[name="contactId"]').inputValue()).toBe(second.id);
    await page.getByRole('button', { name: 'Contact reached' }).click();
    await until(page, () => document.querySelector('#alarm-stage')?.textContent === 'Acknowledged');
    expect(await timeline.textContent()).toContain(`Contact reached by Test operator: ${secondName}`);
    expect(await timeline.textContent()).toContain(`Acknowledged by ${secondName}`);
    expect(await page.locator('#alarm-acknowledged').textContent()).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d by ${secondName} \\(operator reached them\\)$`),
    );
    expect(await page.locator('#alarm-next').textContent()).toBe('Someone is on it. Close the alarm when it is over.');
    const acked = await f.alarm(alarmId);
    expect(acked.stage).toBe('acknowledged');
    expect(acked.status).toBe('open');

    // It closes for good: asked first, and Cancel leaves it open.
    await page.getByRole('button', { name: 'False alarm' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Close this alarm as a false alarm?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect((await f.alarm(alarmId)).status).toBe('open');
    await page.getByRole('button', { name: 'False alarm' }).click();
    expect(await confirm.textContent()).toContain('It cannot be reopened');
    await confirm.getByRole('button', { name: 'Yes, close as false alarm' }).click();
    await until(page, () => document.querySelector('#alarm-stage')?.textContent === 'Closed');
    expect(await timeline.textContent()).toContain('Closed (False alarm)');
    const closed = await f.alarm(alarmId);
    expect(closed.status).toBe('closed');
    const actions = closed.timeline.filter((e: any) => e.type === 'action').map((e: any) => e.action);
    expect(actions).toEqual(['guard_dispatched', 'emergency_services_called', 'note', 'contact_reached', 'false_alarm']);
    // Closed: only a note can be added.
    expect(await page.getByRole('button', { name: 'Guard dispatched' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Add note' }).count()).toBe(1);
  });

  it('never shows an empty queue when the alarms cannot be read: it says so, keeps the last list with its time, and recovers by itself', async () => {
    const household = await f.household(0);
    const opened = await f.post(household.panel, { eventId: 'queue-down-1', code: 'BA' });
    expect(opened.status).toBe(202);
    const page = await session('operator');
    // The API answers 503, as it does while the database is down.
    const down = (route: any) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ statusCode: 503, error: 'Service Unavailable', message: 'the database is unavailable; retry shortly' }),
      });
    await page.route('**/api/alarms?status=open*', down);
    await page.goto(`${t.baseUrl}/#/queue`);
    await page.reload(); // a fresh page: the queue has never been loaded
    const problem = page.locator('#queue-problem');
    await problem.waitFor();
    expect(await problem.textContent()).toBe('Could not load the open alarms (the database is unavailable; retry shortly). Retrying…');
    expect(await page.getByText('No open alarms.').count()).toBe(0);
    await page.locator('#feed-status', { hasText: 'Not up to date' }).waitFor();

    // Back: the list shows by itself (no reload, no 15 s poll to wait for).
    await page.unroute('**/api/alarms?status=open*', down);
    const row = page.locator(`tr[data-alarm-id="${opened.body.alarmId}"]`);
    await row.waitFor({ timeout: 8000 });
    expect(await problem.count()).toBe(0);
    await page.locator('#feed-status', { hasText: 'Live' }).waitFor();

    // Down again while a list is shown: the list stays, marked as not up to date.
    await page.route('**/api/alarms?status=open*', down);
    expect((await f.post(household.panel, { eventId: 'queue-down-2', code: 'FA' })).status).toBe(202);
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(
      /^Not up to date: the queue could not be reloaded \(the database is unavailable; retry shortly\)\. Shown as it was at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\. Retrying…$/,
    );
    expect(await row.count()).toBe(1);
    await page.unroute('**/api/alarms?status=open*', down);
    await problem.waitFor({ state: 'detached', timeout: 8000 });

    // More open alarms than the queue loads: it says how many are not shown (the total as the API gives it).
    const inflate = async (route: any) => {
      // The queue keeps polling until the page closes: a request caught by the closing page is
      // disposed mid-way, and its error must not surface as an unhandled rejection in later tests.
      try {
        const response = await route.fetch();
        const body = await response.json();
        await route.fulfill({ response, json: { ...body, total: body.items.length + 300 } });
      } catch {
        /* the page is gone */
      }
    };
    await page.route('**/api/alarms?status=open*', inflate);
    expect((await f.post(household.panel, { eventId: 'queue-down-3', code: 'WA' })).status).toBe(202);
    const more = page.locator('#queue-more');
    await more.waitFor();
    expect(await more.textContent()).toMatch(/^Showing the (\d+) worst of \d+ open alarms\.$/);
    const [, shown, total] = /^Showing the (\d+) worst of (\d+)/.exec((await more.textContent()) ?? '')!;
    expect(Number(total) - Number(shown)).toBe(300);
    expect(await page.locator('#queue-count').textContent()).toBe(`(${total})`);
    await page.unroute('**/api/alarms?status=open*', inflate);
  });

  it('on a phone the queue fits the screen: each alarm a card, nothing to scroll sideways', async () => {
    const household = await f.household(0);
    const res = await f.post(household.panel, { eventId: 'phone-1', code: 'FA', zone: '2', text: 'Kitchen smoke detector in the hallway ceiling' });
    expect(res.status).toBe(202);
    const page = await session('operator', { viewport: { width: 390, height: 844 } });
    await page.goto(`${t.baseUrl}/#/queue`);
    const row = page.locator(`tr[data-alarm-id="${res.body.alarmId}"]`);
    await row.waitFor();
    const fits = await page.evaluate(() => {
      const wrap = document.querySelector('#queue .table-wrap');
      return { page: document.documentElement.scrollWidth <= window.innerWidth, table: wrap.scrollWidth <= wrap.clientWidth };
    });
    expect(fits).toEqual({ page: true, table: true });
    // Every cell of the row is on screen, inside the width.
    const boxes = await row
      .locator('td')
      .evaluateAll((tds: any[]) => tds.map((td) => td.getBoundingClientRect()).map((r) => ({ left: r.left >= 0, right: r.right <= 390 })));
    expect(boxes).toEqual(Array(6).fill({ left: true, right: true }));
  });

  it('an alarm acknowledged by a disarm at the panel says who disarmed and how, and that someone is on it', async () => {
    const household = await f.household(1);
    const res = await f.post(household.panel, { eventId: 'disarm-ack-1', code: 'BA', zone: '5', text: 'Back door' });
    expect(res.status).toBe(202);
    expect((await f.post(household.panel, { eventId: 'disarm-ack-2', code: 'OP', user: '2', method: 'keypad' })).status).toBe(202);
    const page = await session('operator');
    await page.goto(`${t.baseUrl}/#/alarms/${res.body.alarmId}`);
    await page.locator('#alarm-acknowledged').waitFor();
    expect(await page.locator('#alarm-stage').textContent()).toBe('Acknowledged');
    expect(await page.locator('#alarm-trigger').textContent()).toBe('BA: Back door');
    expect(await page.locator('#alarm-acknowledged').textContent()).toMatch(/ by a disarm at the panel \(user 2, keypad\)$/);
    expect(await page.locator('#alarm-next').textContent()).toBe('Someone is on it. Close the alarm when it is over.');
    expect(await page.locator('#timeline').textContent()).toContain('Acknowledged by a disarm at the panel (user 2, keypad)');
    // The queue says who is on it too.
    await page.goto(`${t.baseUrl}/#/queue`);
    const row = page.locator(`tr[data-alarm-id="${res.body.alarmId}"]`);
    await row.waitFor();
    expect(await row.locator('.acknowledged-by').textContent()).toBe('by a disarm at the panel (user 2, keypad)');
  });

  it("leaving an alarm for another, the first one's buttons are gone while the next loads (a click cannot land on the wrong alarm)", async () => {
    const household = await f.household(0);
    const first = await f.post(household.panel, { eventId: 'nav-1', code: 'BA', zone: '1' });
    const second = await f.post(household.panel, { eventId: 'nav-2', code: 'WA', zone: '2' });
    const page = await session('operator');
    await page.goto(`${t.baseUrl}/#/alarms/${first.body.alarmId}`);
    await page.getByRole('button', { name: 'False alarm' }).waitFor();
    let release = () => undefined as void;
    const held = new Promise<void>((r) => (release = r));
    await page.route(`**/api/alarms/${second.body.alarmId}`, async (route: any) => {
      await held;
      await route.continue();
    });
    await page.evaluate((id) => (location.hash = `#/alarms/${id}`), second.body.alarmId);
    await page.getByText('Loading…').waitFor();
    expect(await page.getByRole('button', { name: 'False alarm' }).count()).toBe(0);
    release();
    await until(page, () => document.querySelector('h1')?.textContent?.startsWith('Water alarm'));
    expect((await f.alarm(first.body.alarmId)).status).toBe('open');
  });

  it("a customer's page shows an open alarm first, under the name, and the language in words", async () => {
    const household = await f.household(1);
    const res = await f.post(household.panel, { eventId: 'customer-open-1', code: 'BA', zone: '4' });
    expect(res.status).toBe(202);
    const page = await session('operator');
    await page.goto(`${t.baseUrl}/#/customers/${household.customer.id}`);
    const banner = page.locator('#customer-open-alarms .open-alarm');
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/^Open alarm: burglary, zone 4 Owner stage opened \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    // Another alarm of theirs while the page is shown: it appears without a reload.
    expect((await f.post(household.panel, { eventId: 'customer-open-2', code: 'FA', zone: '6' })).status).toBe(202);
    await until(page, () => document.querySelectorAll('#customer-open-alarms .open-alarm').length === 2);
    expect(await page.locator('#customer-open-alarms').textContent()).toContain('Open alarm: fire, zone 6');
    const [{ language }] = await t.query(`SELECT language FROM customer WHERE id = $1`, [household.customer.id]);
    const words: Record<string, string> = { sv: 'Swedish', nb: 'Norwegian', en: 'English' };
    expect(await page.locator('dl.facts').textContent()).toContain(`Language${words[language]}`);
    await page.locator('#customer-open-alarms').getByRole('link', { name: 'burglary, zone 4' }).click();
    await until(page, (id) => location.hash === `#/alarms/${id}`, res.body.alarmId);
  });

  it("the alarm page lists the contacts in the alarm's own order, frozen when it opened; a contact reordered or added since does not change it", async () => {
    const household = await f.household(2);
    const [first, second] = household.contacts;
    const res = await f.post(household.panel, { eventId: 'frozen-1', code: 'BA' });
    expect(res.status).toBe(202);
    const customerId = household.customer.id;
    // After the alarm opened: the customer's order is turned round and a third contact is added.
    const reordered = await t.request('PUT', `/api/customers/${customerId}/contacts/order`, {
      token: f.tokens.operator,
      body: { contactIds: [second.id, first.id] },
    });
    expect(reordered.status).toBe(200);
    const third = await f.contact(customerId);
    const name = async (id: string) => (await t.query(`SELECT name FROM contact WHERE id = $1`, [id]))[0].name as string;
    const [firstName, secondName, thirdName] = [await name(first.id), await name(second.id), await name(third.id)];

    const page = await session('operator');
    await page.goto(`${t.baseUrl}/#/alarms/${res.body.alarmId}`);
    const ordered = page.getByRole('list', { name: "Contacts, in this alarm's order" });
    await ordered.waitFor();
    const items = await ordered.locator('li').allTextContents();
    expect(items).toHaveLength(2);
    expect(items[0]).toContain(firstName);
    expect(items[1]).toContain(secondName);
    const outside = await page.getByRole('list', { name: 'Not in this alarm (added after it opened, or opted out):' }).locator('li').allTextContents();
    expect(outside).toHaveLength(1);
    expect(outside[0]).toContain(thirdName);
    // "Contact reached" offers only the alarm's contacts: the API refuses anyone else.
    const offered = await page.locator('select[name="contactId"] option').evaluateAll((os: any[]) => os.map((o) => o.value));
    expect(offered).toEqual([first.id, second.id]);
  });

  it("an operator texts the contacts of a duress alarm after confirming in the page: the first contact's SMS shows, the button goes; a burglary alarm has none", async () => {
    const household = await f.household(2);
    const [first, second] = household.contacts;
    const [{ name: customerName }] = await t.query(`SELECT name FROM customer WHERE id = $1`, [household.customer.id]);
    const [{ name: firstName }] = await t.query(`SELECT name FROM contact WHERE id = $1`, [first.id]);
    const res = await f.post(household.panel, { eventId: 'duress-1', code: 'HA', user: '1' });
    expect(res.status).toBe(202);
    const alarmId = res.body.alarmId;
    const outbound = () => t.query(`SELECT purpose, contact_id, to_phone FROM sms_message WHERE alarm_id = $1 AND direction = 'outbound'`, [alarmId]);

    const page = await session('operator');
    await page.goto(`${t.baseUrl}/#/alarms/${alarmId}`);
    const timeline = page.locator('#timeline');
    await timeline.waitFor();
    expect(await page.locator('#alarm-stage').textContent()).toBe('Needs operator: nobody texted');
    expect(await page.locator('#alarm-next').textContent()).toBe('Nobody is texted by itself: what happens is your decision.');
    // Nobody has been texted, and the page says so next to the decision.
    expect(await timeline.locator('li.t-sms').count()).toBe(0);
    expect(await page.locator('#notify-contacts').textContent()).toContain('A duress alarm texts nobody by itself.');
    expect(await page.locator('#notify-contacts').textContent()).toContain(`starting with ${firstName}`);

    // It asks first, in the page; Cancel texts nobody.
    const button = page.getByRole('button', { name: 'Text the contacts', exact: true });
    await button.click();
    const dialog = page.getByRole('alertdialog', { name: `Text the contacts of ${customerName}?` });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('The owner is not texted.');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await outbound()).toEqual([]);
    expect(await button.count()).toBe(1);

    await button.click();
    await dialog.getByRole('button', { name: 'Yes, text the contacts' }).click();
    await until(page, (text) => document.querySelector('#timeline')?.textContent?.includes(text), `SMS to ${firstName} (${first.phone})`);
    await until(page, () => document.querySelector('#alarm-stage')?.textContent === 'Contacts stage');
    expect(await timeline.textContent()).toContain('Texting the contacts started by Test operator');
    expect(await timeline.textContent()).not.toContain(`(${second.phone})`);
    expect(await button.count()).toBe(0);
    expect(await page.locator('#notify-contacts').count()).toBe(0);
    // The server agrees: one SMS, to the first contact, never the owner.
    expect(await outbound()).toEqual([{ purpose: 'alarm_contact', contact_id: first.id, to_phone: first.phone }]);
    const alarm = await f.alarm(alarmId);
    expect(alarm.stage).toBe('contacts');
    expect(alarm.escalation.contactId).toBe(first.id);
    // The page says whose wait runs, and marks them in the alarm's order.
    await until(
      page,
      (name) => new RegExp(`^Contact 1 of 2 \\(${name}\\) has been texted\\.`).test(document.querySelector('#alarm-next')?.textContent ?? ''),
      firstName,
    );
    expect(await page.getByRole('list', { name: "Contacts, in this alarm's order" }).locator('li').first().textContent()).toContain('being texted now');
    // Not offered again after a reload either.
    await page.reload();
    await timeline.locator('li.t-sms').first().waitFor();
    expect(await button.count()).toBe(0);

    // A burglary alarm texts its owner and contacts by itself: no such button.
    const other = await f.household(1);
    const burglary = await f.post(other.panel, { eventId: 'duress-ba', code: 'BA', zone: '1' });
    expect(burglary.status).toBe(202);
    await page.goto(`${t.baseUrl}/#/alarms/${burglary.body.alarmId}`);
    // The same document (only the hash changes): wait for this alarm's own timeline.
    await until(page, () => document.querySelector('#timeline')?.textContent?.includes('Panel event BA'));
    expect(await page.locator('#alarm-stage').textContent()).toBe('Owner stage');
    expect(await page.getByRole('button', { name: 'Owner reached' }).count()).toBe(1);
    expect(await button.count()).toBe(0);
    expect(await page.locator('#notify-contacts').count()).toBe(0);
  });

  it('a DPO exports a customer (shown and downloaded as JSON) and erases a contact after confirming', async () => {
    const household = await f.household(2);
    const [{ name: customerName }] = await t.query(`SELECT name FROM customer WHERE id = $1`, [household.customer.id]);
    const [first] = household.contacts;
    const [{ name: contactName }] = await t.query(`SELECT name FROM contact WHERE id = $1`, [first.id]);
    const page = await session('dpo');
    await page.goto(`${t.baseUrl}/#/customers/${household.customer.id}`);
    await page.getByRole('heading', { name: 'Data-subject requests' }).waitFor();

    await page.getByRole('button', { name: 'Export customer data' }).click();
    const shown = page.locator('#export-json');
    await shown.waitFor();
    expect(await shown.textContent()).toContain(customerName);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download JSON' }).click()]);
    expect(download.suggestedFilename()).toBe(`keyholder-export-customer-${household.customer.id}.json`);
    expect(await downloadedText(download)).toContain(customerName);

    // Erasure asks first; cancelling erases nothing.
    await page.getByRole('button', { name: `Erase ${contactName}` }).click();
    await page.getByRole('alertdialog', { name: `Erase ${contactName}?` }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByRole('alertdialog').count()).toBe(0);
    expect(await t.query(`SELECT id FROM contact WHERE id = $1`, [first.id])).toHaveLength(1);

    await page.getByRole('button', { name: `Erase ${contactName}` }).click();
    await page.getByRole('button', { name: `Yes, erase ${contactName}` }).click();
    const result = page.locator('#erasure-result');
    await result.waitFor();
    const text = await result.textContent();
    expect(text).toContain(`${contactName} erased`);
    expect(text).toContain('Erased');
    expect(text).toContain('contact record');
    expect(text).toContain('Retained');
    await until(page, (name) => ![...document.querySelectorAll('#contacts tbody tr')].some((r: any) => r.textContent.includes(name)), contactName);
    expect(await page.locator('#contacts tbody tr').count()).toBe(1);
    expect(await t.query(`SELECT id FROM contact WHERE id = $1`, [first.id])).toHaveLength(0);

    // Restriction toggles both ways.
    // (exact: each contact's row has its own "Restrict processing of <name>".)
    await page.getByRole('button', { name: 'Restrict processing', exact: true }).click();
    await page.getByRole('button', { name: 'Lift restriction', exact: true }).waitFor();
    expect((await t.query(`SELECT restricted FROM customer WHERE id = $1`, [household.customer.id]))[0].restricted).toBe(true);
    expect(await page.locator('#customer-restricted').isVisible()).toBe(true);
    expect(await page.locator('#customer-restricted').textContent()).toBe('restricted: alarm texts only');
    // Lifting asks whether the person was told first (Art. 18(3)).
    await page.getByRole('button', { name: 'Lift restriction', exact: true }).click();
    await page.getByRole('button', { name: 'They have been told: lift it' }).click();
    await page.getByRole('button', { name: 'Restrict processing', exact: true }).waitFor();
    expect(await page.locator('#customer-restricted').isHidden()).toBe(true);
    expect((await t.query(`SELECT restricted FROM customer WHERE id = $1`, [household.customer.id]))[0].restricted).toBe(false);
  });

  it('a DPO erases a whole customer and sees what was erased, anonymised and retained', async () => {
    const household = await f.household(1);
    const [{ name: customerName }] = await t.query(`SELECT name FROM customer WHERE id = $1`, [household.customer.id]);
    const page = await session('dpo');
    await page.goto(`${t.baseUrl}/#/customers/${household.customer.id}`);
    await page.getByRole('button', { name: 'Erase customer' }).click();
    await page.getByRole('button', { name: `Yes, erase ${customerName}` }).click();
    const result = page.locator('#erasure-result');
    await result.waitFor();
    expect(await result.textContent()).toContain(`${customerName} erased`);
    expect(await t.query(`SELECT id FROM customer WHERE id = $1`, [household.customer.id])).toHaveLength(0);
  });

  it("a supervisor changes burglary's owner wait (a field error from the API first); operators and DPOs do not see the page", async () => {
    const page = await session('supervisor');
    expect(await page.locator('#nav').textContent()).toContain('Escalation settings');
    await page.getByRole('link', { name: 'Escalation settings' }).click();
    const owner = page.getByLabel('burglary owner wait in seconds');
    await owner.waitFor();
    await owner.fill('0');
    await page.getByRole('button', { name: 'Save burglary waits' }).click();
    const row = page.locator('tr[data-class="burglary"]');
    await until(page, () => !!document.querySelector('tr[data-class="burglary"] [data-error-for="ownerWaitSeconds"]')?.textContent);
    expect(await row.locator('[data-error-for="ownerWaitSeconds"]').textContent()).toContain('Burglary owner wait in seconds must be at least 1');
    expect(await owner.getAttribute('aria-invalid')).toBe('true');

    await owner.fill('90');
    await owner.press('Enter');
    await row.getByText('Saved').waitFor();
    expect(await row.locator('[data-error-for="ownerWaitSeconds"]').textContent()).toBe('');
    const [saved] = await t.query(`SELECT owner_wait_seconds, contact_wait_seconds FROM escalation_setting WHERE class = 'burglary'`);
    expect(saved.owner_wait_seconds).toBe(90);
    await page.reload();
    await until(page, () => (document.querySelector('#esc-burglary-ownerWaitSeconds') as any)?.value === '90');

    for (const role of ['operator', 'dpo'] as const) {
      const other = await session(role);
      expect(await other.locator('#nav').textContent()).not.toContain('Escalation settings');
      await other.goto(t.baseUrl + '/#/settings');
      await until(other, () => location.hash !== '#/settings');
      expect(await other.getByRole('heading', { name: 'Escalation settings' }).count()).toBe(0);
    }
  });
});

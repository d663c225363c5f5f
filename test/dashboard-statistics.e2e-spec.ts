import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { type AlarmFixtures, waitUntil } from './support/alarm-fixtures.js';
import { dashboardSuite, downloadedText, haveChromium, screenshotPath, until } from './support/chromium.js';
import { axeFindings } from './support/axe.js';
import { parseCsv } from './support/csv.js';
import type { TestApp } from './support/test-app.js';

// The Statistics page: the figures of alarms the test made, live as alarms change, the range picker
// by keyboard, the CSV download, who may see it, a phone's width and an axe-core audit.

// Functions passed to page.evaluate/waitForFunction run in the browser; the test's tsconfig has no DOM lib.
declare const document: any;
declare const location: { hash: string };

const haveBrowser = haveChromium('dashboard-statistics.e2e-spec');
/** The page's way of writing a time (statistics.js fmtMs), to compare with the API's milliseconds. */
function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

(haveBrowser ? describe : describe.skip)('dashboard in Chromium: the Statistics page', () => {
  const suite = dashboardSuite(7300);
  const { pageErrors, session } = suite;
  let t: TestApp;
  let f: AlarmFixtures;
  let falseSiteId: string;
  let falseSitePanel: { id: string; secret: string };

  beforeAll(async () => {
    ({ t, f } = suite);
    const sent = (alarmId: string) =>
      waitUntil(
        async () => (await t.query(`SELECT 1 FROM sms_message WHERE alarm_id = $1 AND sent_at IS NOT NULL`, [alarmId])).length > 0,
        30_000,
        'alarm SMS sent',
      );
    // Two burglaries at one site, both false alarms, one handled 45 s after it opened; a fire handled at once and still open.
    const site = await f.household(1);
    falseSiteId = site.customer.id;
    falseSitePanel = site.panel;
    const b1 = (await f.post(site.panel, { eventId: 's-1', code: 'BA', zone: '1' })).body.alarmId as string;
    await sent(b1);
    expect((await f.act(b1, { action: 'false_alarm' })).status).toBe(201);
    const b2 = (await f.post(site.panel, { eventId: 's-2', code: 'BA', zone: '2' })).body.alarmId as string;
    await sent(b2);
    await t.query(`UPDATE alarm SET opened_at = opened_at - interval '45 seconds' WHERE id = $1`, [b2]);
    expect((await f.act(b2, { action: 'false_alarm' })).status).toBe(201);
    const home = await f.household(0);
    const fire = (await f.post(home.panel, { eventId: 's-3', code: 'FA', zone: '1' })).body.alarmId as string;
    await sent(fire);
    expect((await f.act(fire, { action: 'owner_reached' })).status).toBe(201);
  }, 180_000);

  const cells = (p: Page, selector: string) => p.locator(selector).locator('th, td').allTextContents();

  it('shows per class, per operator and per site the figures the API computes for the alarms the test made', async () => {
    const page = await session('supervisor', { viewport: { width: 1440, height: 900 } });
    await page.getByRole('link', { name: 'Statistics' }).click();
    await until(page, () => location.hash === '#/statistics');
    await page.locator('#stats-by-class tr[data-class="burglary"]').waitFor();
    const api = (await t.request('GET', '/api/statistics', { token: f.tokens.supervisor })).body;
    const b = api.byClass.burglary;
    expect(b).toMatchObject({ alarms: 2, falseAlarms: 2, ackWithin30s: 0.5, ackWithin60s: 1 });
    expect(await cells(page, '#stats-by-class tr[data-class="burglary"]')).toEqual([
      'burglary',
      '2',
      '2 (100 %)',
      fmtMs(b.firstSmsMs.p50),
      fmtMs(b.firstSmsMs.p90),
      fmtMs(b.firstAckMs.p50),
      fmtMs(b.firstAckMs.p90),
      fmtMs(b.closeMs.p50),
      fmtMs(b.closeMs.p90),
      '50 %',
      '100 %',
    ]);
    // The handling that waited 45 s shows in the p90.
    expect(b.firstAckMs.p90).toBeGreaterThan(40_000);
    expect(await cells(page, '#stats-by-class tr[data-class="fire"]')).toEqual([
      'fire',
      '1',
      '0 (0 %)',
      fmtMs(api.byClass.fire.firstSmsMs.p50),
      fmtMs(api.byClass.fire.firstSmsMs.p90),
      fmtMs(api.byClass.fire.firstAckMs.p50),
      fmtMs(api.byClass.fire.firstAckMs.p90),
      '–',
      '–',
      '100 %',
      '100 %',
    ]);
    // Classes without alarms are left out of the table.
    expect(await page.locator('#stats-by-class tbody tr').count()).toBe(2);

    const [operatorId] = Object.keys(api.byOperator);
    expect(await cells(page, `#stats-by-operator tr[data-operator-id="${operatorId}"]`)).toEqual([
      'Test operator',
      '3',
      fmtMs(api.byOperator[operatorId].firstAckMs.p50),
      fmtMs(api.byOperator[operatorId].firstAckMs.p90),
      fmtMs(api.byOperator[operatorId].closeMs.p50),
      fmtMs(api.byOperator[operatorId].closeMs.p90),
    ]);
    const [{ name: siteName }] = await t.query(`SELECT name FROM customer WHERE id = $1`, [falseSiteId]);
    expect(await page.locator('#stats-by-site tbody tr').first().locator('th, td').allTextContents()).toEqual([siteName, '2', '2', '100 %']);
    expect(await page.locator('#stats-by-site tbody tr').first().getByRole('link').getAttribute('href')).toBe(`#/customers/${falseSiteId}`);

    // The charts carry their numbers as text too.
    expect(await page.locator('#chart-by-class desc').textContent()).toBe('burglary: 2 alarms, 2 false; fire: 1 alarms, 0 false');
    expect(await page.locator('#chart-by-class rect.bar-false').count()).toBe(1);
    expect(await page.locator('#chart-timeline desc').textContent()).toMatch(
      /^3 alarms opened and 2 closed in 16[89] hours\. The busiest hour began .+, with \d opened\. 1 still open at the end\.$/,
    );
    expect(await page.locator('#chart-timeline polyline.line-opened').getAttribute('points')).toMatch(/^[\d.]+,[\d.]+( [\d.]+,[\d.]+){167,168}$/);
    await page.screenshot({ path: screenshotPath('statistics'), fullPage: true });

    // A new alarm shows without reloading: the page follows the live stream.
    await f.post(falseSitePanel, { eventId: 's-4', code: 'BA', zone: '3' });
    await until(page, () => document.querySelector('#stats-by-class tr[data-class="burglary"] td')?.textContent === '3');
    expect(await page.locator('#stats-by-site tbody tr').first().locator('td').first().textContent()).toBe('3');
    expect(pageErrors).toEqual([]);
  });

  it('downloads the same figures as CSV', async () => {
    const page = await session('admin');
    await page.goto(`${t.baseUrl}/#/statistics?range=30d`);
    await page.locator('#stats-csv').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#stats-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^keyholder-statistics-\d{8}T\d{6}Z-\d{8}T\d{6}Z\.csv$/);
    const rows = parseCsv(await downloadedText(download));
    const header = rows[0];
    const burglary = rows.find((r) => r[0] === 'class' && r[1] === 'burglary')!;
    const api = (
      await t.request('GET', '/api/statistics?from=' + encodeURIComponent(new Date(Date.now() - 30 * 24 * 3600_000).toISOString()), {
        token: f.tokens.supervisor,
      })
    ).body;
    expect(burglary[header.indexOf('alarms')]).toBe(String(api.byClass.burglary.alarms));
    expect(burglary[header.indexOf('falseAlarms')]).toBe('2');
    expect(rows.filter((r) => r[0] === 'site')[0][1]).toBe(falseSiteId);
  });

  it('picks a custom range by keyboard alone, and says what is missing', async () => {
    const page = await session('supervisor', { timezoneId: 'Europe/Stockholm' });
    await page.goto(`${t.baseUrl}/#/statistics`);
    await page.locator('#stats-by-class').waitFor();
    await page.locator('#stats-range').focus();
    await page.keyboard.press('End');
    expect(await page.locator('#stats-range').inputValue()).toBe('custom');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('stats-from');
    // The fields start at the range shown. Submitting with them emptied: said in the page, focus on the first empty field.
    expect(await page.locator('#stats-to').inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    await page.locator('#stats-from').fill('');
    await page.locator('#stats-to').fill('');
    await page.locator('#stats-to').press('Enter');
    await page.getByRole('alert').filter({ hasText: 'From: choose a date and a time.' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('stats-from');
    // A date input's own segments are typed the way the browser's locale lays them out; fill() types the value itself.
    await page.locator('#stats-from').fill('2020-01-01T00:00');
    await page.locator('#stats-to').fill('2020-01-02T00:00');
    await page.locator('#stats-to').press('Enter');
    await until(page, () => location.hash === '#/statistics?from=2019-12-31T23%3A00%3A00.000Z&to=2020-01-01T23%3A00%3A00.000Z');
    await page.getByText('No alarms were opened in this range.').waitFor();
    expect(await page.locator('#stats-range').inputValue()).toBe('custom');
    // Focus is back on the range, where the keyboard left off.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('stats-range');
    expect(await page.locator('#stats-from').inputValue()).toBe('2020-01-01T00:00');
    expect(await page.locator('#chart-timeline desc').textContent()).toBe('0 alarms opened and 0 closed in 24 hours. 0 still open at the end.');
  });

  it('is not offered to an operator, and its address leads an operator back to the queue', async () => {
    const page = await session('operator');
    await page.locator('#nav a').first().waitFor();
    expect(await page.locator('#nav').getByRole('link', { name: 'Statistics' }).count()).toBe(0);
    await page.goto(`${t.baseUrl}/#/statistics`);
    await until(page, () => location.hash === '#/queue');
  });

  it("at a phone's width (390 px) the page does not scroll sideways; axe-core finds nothing serious", async () => {
    const page = await session('supervisor', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(`${t.baseUrl}/#/statistics`);
    await page.locator('#stats-by-class').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: screenshotPath('statistics-phone'), fullPage: true });
    expect(await axeFindings(page, 20)).toEqual([]);
  });
});

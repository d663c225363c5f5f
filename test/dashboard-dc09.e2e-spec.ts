import { createCipheriv } from 'node:crypto';
import net from 'node:net';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { type AlarmFixtures, waitUntil } from './support/alarm-fixtures.js';
import { dashboardSuite, haveChromium, screenshotPath, until } from './support/chromium.js';
import { axeFindings } from './support/axe.js';
import type { TestApp } from './support/test-app.js';

// The dashboard's panels for SIA DC-09: the register form's protocol and DC-09 fields, the installer's
// card shown once on creation and rotation (receiver, account, key, encryption, clock, link test), the
// list's protocol column, the API's messages under the fields, a phone's width and an axe-core audit.
// The card's host, port, account and key are proved by a frame encrypted with them being ACKed.

// Functions passed to page.evaluate/waitForFunction run in the browser; the test's tsconfig has no DOM lib.
declare const document: any;

const haveBrowser = haveChromium('dashboard-dc09.e2e-spec');
/** CRC-16/ARC (docs/dc09.md#crc-and-length): reflected 0xA001, initial 0. */
function crc16arc(bytes: Buffer): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/**
 * An encrypted link test as a panel sends it, written here from docs/dc09.md#encryption rather than with the server's
 * own frame code: `"*NULL"0000L0#acct[` then hex AES-CBC (zero IV, no padding) of `pad|]_timestamp`.
 */
function encryptedNull(account: string, keyHex: string, at = new Date()): Buffer {
  const two = (n: number) => String(n).padStart(2, '0');
  const stamp = `_${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())},${two(at.getUTCMonth() + 1)}-${two(at.getUTCDate())}-${at.getUTCFullYear()}`;
  const tail = `|]${stamp}`;
  const plain = Buffer.from('0'.repeat((16 - (tail.length % 16)) % 16 || 16) + tail, 'latin1');
  const key = Buffer.from(keyHex, 'hex');
  const cipher = createCipheriv(`aes-${key.length * 8}-cbc`, key, Buffer.alloc(16)).setAutoPadding(false);
  const hex = Buffer.concat([cipher.update(plain), cipher.final()])
    .toString('hex')
    .toUpperCase();
  const body = Buffer.from(`"*NULL"0000L0#${account}[${hex}`, 'latin1');
  const head = crc16arc(body).toString(16).toUpperCase().padStart(4, '0') + body.length.toString(16).toUpperCase().padStart(4, '0');
  return Buffer.concat([Buffer.from(`\n${head}`, 'latin1'), body, Buffer.from('\r', 'latin1')]);
}

/** Sends one frame over TCP and returns the reply (LF and CR dropped), or null when none comes. */
function sendTcp(port: number, frame: Buffer): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.write(frame));
    let got = Buffer.alloc(0);
    const done = (v: string | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(null), 5000);
    socket.on('data', (chunk) => {
      got = Buffer.concat([got, chunk]);
      const end = got.indexOf(0x0d);
      if (end >= 0) done(got.subarray(0, end).toString('latin1').replace(/^\n/, ''));
    });
    socket.on('error', () => done(null));
  });
}

(haveBrowser ? describe : describe.skip)('dashboard in Chromium: DC-09 panels', () => {
  const suite = dashboardSuite(9600);
  const { session } = suite;
  let t: TestApp;
  let f: AlarmFixtures;
  let receiver: { enabled: boolean; listening: boolean; host: string; port: number; timestampWindow: { behindSeconds: number; aheadSeconds: number } };
  beforeAll(async () => {
    ({ t, f } = suite);
    const res = await t.request('GET', '/api/settings/dc09', { token: f.tokens.operator });
    expect(res.status).toBe(200);
    receiver = res.body;
    expect(receiver.enabled && receiver.listening).toBe(true);
  });

  /** The installer's card's facts, as [term, value] pairs in the order shown. */
  const cardFacts = (p: Page) =>
    p.locator('#panel-installer-card dl.facts').evaluate((dl: any) => {
      const out: string[][] = [];
      for (const dt of dl.querySelectorAll('dt')) out.push([dt.textContent, dt.nextElementSibling.textContent]);
      return out;
    });
  const errorFor = (p: Page, name: string) => p.locator(`[data-error-for="${name}"]`);
  const panelRow = (p: Page, label: string) => p.locator('#panels tbody tr', { hasText: label });

  async function openCustomer(p: Page, customerId: string) {
    await p.goto(`${t.baseUrl}/#/customers/${customerId}`);
    await p.locator('#panels table').waitFor();
  }

  async function fillDc09(p: Page, o: { label?: string; account: string; key?: string; encryption?: 'required' | 'optional'; interval?: string }) {
    if (o.label !== undefined) await p.getByLabel('Panel label').fill(o.label);
    await p.getByLabel('Protocol').selectOption('dc09');
    await p.getByLabel('Account', { exact: false }).fill(o.account);
    await p.getByLabel('Key (hex)').fill(o.key ?? '');
    if (o.encryption) await p.getByLabel('Encryption').selectOption(o.encryption);
    if (o.interval !== undefined) await p.getByLabel('Supervision interval (s)').fill(o.interval);
  }

  it("a supervisor registers a DC-09 panel: the installer's card, shown once, has what the panel needs, and it works", async () => {
    const household = await f.household(0);
    const page = await session('supervisor', { permissions: ['clipboard-read', 'clipboard-write'] });
    await openCustomer(page, household.customer.id);

    // HTTP by default: the DC-09 fields are not shown until DC-09 is chosen.
    expect(await page.getByLabel('Protocol').inputValue()).toBe('http');
    expect(await page.getByLabel('Account', { exact: false }).isVisible()).toBe(false);
    await fillDc09(page, { label: 'Hall DC-09', account: '000731', interval: '900' });
    expect(await page.getByLabel('Account', { exact: false }).isVisible()).toBe(true);
    expect(await page.getByLabel('Encryption').inputValue()).toBe('required');
    await page.getByRole('button', { name: 'Register panel' }).click();

    const card = page.locator('#panel-installer-card');
    await card.waitFor();
    expect(await page.locator('#panel-secret').count()).toBe(0);
    expect(await card.getByRole('heading').textContent()).toBe("Installer's card: Hall DC-09");
    await until(page, () => document.activeElement?.id === 'installer-card-title');
    const key = (await card.locator('#installer-key').textContent())!;
    expect(key).toMatch(/^[0-9A-F]{64}$/);
    const { behindSeconds, aheadSeconds } = receiver.timestampWindow;
    expect(await cardFacts(page)).toEqual([
      ['Receiver host', receiver.host],
      ['Port', String(receiver.port)],
      ['Protocol', 'SIA DC-09, TCP or UDP'],
      ['Account', '000731exactly as shown, leading zeros too'],
      ['Key', `${key} Copy key`],
      ['Encryption', 'AES-256, requiredplain (unencrypted) frames are refused with NAK'],
      ['Timestamp window', `${behindSeconds} s behind to ${aheadSeconds} s ahead of the receiver's UTC time`],
      [
        'Panel clock',
        `UTC, kept by time sync (NTP). Encrypted frames with a time outside the window are refused with NAK (more than ${behindSeconds} s behind or ${aheadSeconds} s ahead).`,
      ],
      [
        'Link test',
        "Keyholder reports this panel offline after 15 min without a signal. Set the panel's link test (NULL / polling) interval well below that: at most 5 min.",
      ],
    ]);
    expect(await card.locator('[role="alert"]').count()).toBe(0);
    await card.screenshot({ path: screenshotPath('dc09-installer-card') });

    await card.getByRole('button', { name: 'Copy key' }).click();
    await card.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText())).toBe(key);

    const [row] = await t.query(
      `SELECT id, protocol, dc09_account, dc09_encryption, supervision_interval_seconds FROM panel WHERE customer_id = $1 AND label = 'Hall DC-09'`,
      [household.customer.id],
    );
    expect(row).toMatchObject({ protocol: 'dc09', dc09_account: '000731', dc09_encryption: 'required', supervision_interval_seconds: 900 });

    // The list: the HTTP panel and the DC-09 one, each with its protocol; DC-09 with account and encryption.
    expect(await panelRow(page, household.panel.id).locator('td.panel-protocol').textContent()).toBe('HTTP');
    const dc09Cell = panelRow(page, 'Hall DC-09').locator('td.panel-protocol');
    expect(await dc09Cell.evaluate((td: any) => [...td.childNodes].map((n: any) => n.textContent))).toEqual([
      'SIA DC-09',
      'Account 000731',
      'Encryption required',
    ]);
    expect(await panelRow(page, 'Hall DC-09').locator('td').nth(1).textContent()).toBe('never');

    // What the card says is what the receiver takes: a link test encrypted with that key, from that
    // account, to that port is ACKed (encrypted), and the panel is heard from.
    const reply = await sendTcp(receiver.port, encryptedNull('000731', key));
    expect(reply).toMatch(/^[0-9A-F]{8}"\*ACK"0000L0#000731\[[0-9A-F]+$/);
    await waitUntil(
      async () => (await t.query(`SELECT last_seen_at FROM panel WHERE id = $1`, [row.id]))[0].last_seen_at !== null,
      5000,
      'the panel to be seen',
    );

    // Shown once: gone after a reload; the panel shows as seen.
    await page.reload();
    await page.locator('#panels table').waitFor();
    expect(await page.locator('#panel-installer-card').count()).toBe(0);
    expect(await page.locator('body').textContent()).not.toContain(key);
    expect(await panelRow(page, 'Hall DC-09').locator('td').nth(1).textContent()).not.toBe('never');
    expect(await panelRow(page, 'Hall DC-09').locator('td').nth(2).textContent()).toBe('ok');

    // An operator sees the protocol too, and no form to register or rotate.
    const operator = await session('operator');
    await openCustomer(operator, household.customer.id);
    expect(await panelRow(operator, 'Hall DC-09').locator('td.panel-protocol').textContent()).toBe('SIA DC-09Account 000731Encryption required');
    expect(await operator.getByRole('form', { name: 'Register a panel' }).count()).toBe(0);
    expect(await operator.getByRole('button', { name: /Rotate/ }).count()).toBe(0);
  });

  it("the API's messages go under the fields: an invalid account and key, then an account already taken (409); a given AES-128 key is kept and rotated", async () => {
    const household = await f.household(0);
    const other = await f.customer();
    await f.panel(other.id, { protocol: 'dc09', dc09: { account: '4321' } });
    const page = await session('supervisor');
    await openCustomer(page, household.customer.id);
    const dc09Panels = async () =>
      (await t.query(`SELECT count(*)::int AS n FROM panel WHERE customer_id = $1 AND protocol = 'dc09'`, [household.customer.id]))[0].n;

    // Invalid account and key: the API's own lines, each under its field.
    const refused = await t.request('POST', `/api/customers/${household.customer.id}/panels`, {
      token: f.tokens.supervisor,
      body: { protocol: 'dc09', dc09: { account: '12-34', key: 'XYZ', encryption: 'required' } },
    });
    expect(refused.status).toBe(400);
    const accountLine = (refused.body.message as string[]).find((m) => m.startsWith('dc09.account '));
    const keyLine = (refused.body.message as string[]).find((m) => m.startsWith('dc09.key '));
    expect(accountLine).toBe('dc09.account must be 1 to 16 letters or digits, as the panel sends it (e.g. 1234 or 000110)');
    expect(keyLine).toContain('dc09.key must be 32, 48 or 64 hex digits');
    await fillDc09(page, { label: 'Garage', account: '12-34', key: 'XYZ' });
    await page.getByRole('button', { name: 'Register panel' }).click();
    await until(page, () => !!document.querySelector('[data-error-for="dc09.account"]')?.textContent);
    // Under the field, in the form's words: its group and label instead of the API's field name.
    expect(await errorFor(page, 'dc09.account').textContent()).toBe(accountLine?.replace(/^dc09\.account/, 'SIA DC-09: account'));
    expect(await errorFor(page, 'dc09.key').textContent()).toBe(keyLine?.replace(/^dc09\.key/, 'SIA DC-09: key (hex)'));
    expect(await page.getByLabel('Account', { exact: false }).getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Key (hex)').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.name)).toBe('dc09.account');
    expect(await page.locator('#panel-installer-card').count()).toBe(0);

    // An account another panel has: the 409's message, under the account.
    await fillDc09(page, { account: '4321' });
    await page.getByRole('button', { name: 'Register panel' }).click();
    await until(page, () => document.querySelector('[data-error-for="dc09.account"]')?.textContent?.startsWith('DC-09 account'));
    expect(await errorFor(page, 'dc09.account').textContent()).toBe('DC-09 account 4321 is already used by another panel');
    expect(await errorFor(page, 'dc09.key').textContent()).toBe('');
    expect(await page.getByLabel('Key (hex)').getAttribute('aria-invalid')).toBeNull();
    expect(await page.getByLabel('Account', { exact: false }).getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('form[aria-label="Register a panel"] .form-errors').isHidden()).toBe(true);
    expect(await dc09Panels()).toBe(0);

    // The panel's own AES-128 key, typed in groups, encryption optional: kept (upper case), AES-128.
    const own = '00112233445566778899aabbccddeeff';
    await fillDc09(page, { account: '4322', key: own.replace(/(.{8})/g, '$1 ').trim(), encryption: 'optional' });
    await page.getByRole('button', { name: 'Register panel' }).click();
    const card = page.locator('#panel-installer-card');
    await card.waitFor();
    expect(await card.locator('#installer-key').textContent()).toBe(own.toUpperCase());
    const facts = Object.fromEntries(await cardFacts(page));
    expect(facts.Encryption).toBe('AES-128, optionalplain (unencrypted) frames are accepted too');
    expect(facts.Account).toBe('4322exactly as shown, leading zeros too');
    // The default supervision, 25 h: a link test at most every 8 h 20 min.
    expect(facts['Link test']).toBe(
      "Keyholder reports this panel offline after 25 h without a signal. Set the panel's link test (NULL / polling) interval well below that: at most 8 h 20 min.",
    );
    expect(await dc09Panels()).toBe(1);
    expect(await panelRow(page, 'Garage').locator('td.panel-protocol').textContent()).toBe('SIA DC-09Account 4322Encryption optional');

    // Rotated: a DC-09 panel's key, confirmed in the page, a new card with a new key of the same length.
    await panelRow(page, 'Garage').getByRole('button', { name: 'Rotate key' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Rotate the key of Garage?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('The panel is refused (NAK) until the new key is typed into it.');
    await dialog.getByRole('button', { name: 'Yes, rotate the key' }).click();
    await until(
      page,
      (old) =>
        /^[0-9A-F]{32}$/.test(document.querySelector('#installer-key')?.textContent ?? '') && document.querySelector('#installer-key').textContent !== old,
      own.toUpperCase(),
    );
    expect(await card.locator('.installer-once').textContent()).toMatch(/^New key, shown once, now\./);
    expect(Object.fromEntries(await cardFacts(page)).Encryption).toBe('AES-128, optionalplain (unencrypted) frames are accepted too');
  });

  it('the card says so when the receiver is off or its address cannot be read, and still shows the account and key', async () => {
    const household = await f.household(0);
    const page = await session('supervisor');
    await openCustomer(page, household.customer.id);
    const card = page.locator('#panel-installer-card');

    // The receiver turned off (DC09_PORT=off), as the settings would say it.
    await page.route('**/api/settings/dc09', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ ...receiver, enabled: false, listening: false, port: null }) }),
    );
    await fillDc09(page, { label: 'Off', account: '5550' });
    await page.getByRole('button', { name: 'Register panel' }).click();
    await card.waitFor();
    expect(await card.getByRole('alert').textContent()).toBe(
      'The DC-09 receiver is turned off on this server (DC09_PORT=off): the panel cannot report until it is turned on.',
    );
    expect(Object.fromEntries(await cardFacts(page)).Port).toBe('-');

    // The settings not readable: the account and key are shown all the same, the reason too.
    await page.unroute('**/api/settings/dc09');
    await page.route('**/api/settings/dc09', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ statusCode: 503, error: 'Service Unavailable', message: 'database unavailable' }),
      }),
    );
    await fillDc09(page, { label: 'Unread', account: '5551' });
    await page.getByRole('button', { name: 'Register panel' }).click();
    await until(page, () => document.querySelector('#installer-card-title')?.textContent === "Installer's card: Unread");
    expect(await card.getByRole('alert').textContent()).toBe(
      "The receiver's address could not be read (database unavailable). Copy the account and key below now: they are not shown again. The host and port are the same for every DC-09 panel.",
    );
    const facts = Object.fromEntries(await cardFacts(page));
    expect([facts['Receiver host'], facts.Port, facts['Timestamp window']]).toEqual(['-', '-', '-']);
    expect(facts.Account).toBe('5551exactly as shown, leading zeros too');
    expect(await card.locator('#installer-key').textContent()).toMatch(/^[0-9A-F]{64}$/);
  });

  it("at a phone's width (390 px) the form and the card fit the screen; axe-core finds nothing serious", async () => {
    const household = await f.household(0);
    const page = await session('admin', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await openCustomer(page, household.customer.id);
    await fillDc09(page, { label: 'Phone-registered', account: 'ABC123' });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.getByRole('button', { name: 'Register panel' }).click();
    const card = page.locator('#panel-installer-card');
    await card.waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    // Every fact and the copy button inside the screen, the 64-digit key wrapped rather than cut.
    const outside = await card.evaluate((c: any) =>
      [...c.querySelectorAll('dt, dd, code, button')]
        .filter((e: any) => e.getBoundingClientRect().right > 390 || e.scrollWidth > e.clientWidth + 1)
        .map((e: any) => e.outerHTML.slice(0, 60)),
    );
    expect(outside).toEqual([]);
    expect(await card.locator('#installer-key').textContent()).toMatch(/^[0-9A-F]{64}$/);
    // The list too: every cell of the new panel's row inside the width, each value named.
    const row = panelRow(page, 'Phone-registered');
    const cells = await row.locator('td').evaluateAll((tds: any[]) => tds.map((td) => td.getBoundingClientRect().right <= 390));
    expect(cells).toEqual([true, true, true, true, true]);
    expect(await row.locator('td.panel-protocol').evaluate((td: any) => (globalThis as any).getComputedStyle(td, '::before').content)).toBe('"Protocol: "');
    await page.screenshot({ path: screenshotPath('dc09-installer-card-phone'), fullPage: true });

    // The register form with its DC-09 fields open, and the card, both on screen.
    await page.getByLabel('Protocol').selectOption('dc09');
    expect(await axeFindings(page, 20)).toEqual([]);
  });
});

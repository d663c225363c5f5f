import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';

/** Debian's chromium (STACK.md: never `npx playwright install`); CHROMIUM_PATH only to try the skip. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Without the networking flags Chromium floods this machine's closed network (STACK.md). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Whether the browser tests can run; says plainly why they are skipped when they cannot. */
export function haveChromium(file: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  process.stderr.write(`\n[${file}] browser tests SKIPPED: ${CHROMIUM} is missing (install it with: apt-get install -y chromium)\n\n`);
  return false;
}

/** Waits for a condition in the page (polled every 100 ms). */
export function until(p: Page, fn: (arg: any) => unknown, arg?: unknown) {
  return p.waitForFunction(fn, arg, { polling: 100, timeout: 15_000 });
}

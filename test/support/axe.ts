import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from '@jest/globals';
import type { Page } from 'playwright-core';

// Runs in the browser; the test's tsconfig has no DOM lib.
declare const document: any;
declare const axe: any;

/** axe-core, put into the page by the test (page.evaluate is not subject to the page's CSP); never served by the app. */
const AXE_SOURCE = readFileSync(path.resolve('node_modules/axe-core/axe.min.js'), 'utf8');

/**
 * The serious and critical axe findings (WCAG 2.x A/AA and best practices) on what is on screen.
 * A run that checked nothing would pass: at least `minPasses` rules must have passed on this page.
 */
export async function axeFindings(p: Page, minPasses: number): Promise<string[]> {
  if (!(await p.evaluate(() => typeof (globalThis as any).axe !== 'undefined'))) await p.evaluate(AXE_SOURCE);
  const result = await p.evaluate(() =>
    axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations', 'passes'],
    }),
  );
  expect(result.passes.length).toBeGreaterThan(minPasses);
  return result.violations
    .filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
    .map((v: any) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n: any) => n.target.join(' ')).join(', ')})`);
}

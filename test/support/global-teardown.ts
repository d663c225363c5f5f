import { promises as fs } from 'node:fs';
import type { BrowserServer } from 'playwright-core';
import type { EmbeddedDatabase } from '../../dist/database/embedded-postgres.js';

export default async function globalTeardown(): Promise<void> {
  await ((globalThis as Record<string, unknown>).__keyholderTestBrowser as BrowserServer | undefined)?.close();
  const state = (globalThis as Record<string, unknown>).__keyholderTestDb as { db: EmbeddedDatabase; dir: string } | undefined;
  if (!state) return;
  await state.db.stop();
  await fs.rm(state.dir, { recursive: true, force: true });
}

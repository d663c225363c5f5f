import { promises as fs } from 'node:fs';
import type { EmbeddedDatabase } from '../../dist/database/embedded-postgres.js';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<string, unknown>).__keyholderTestDb as { db: EmbeddedDatabase; dir: string } | undefined;
  if (!state) return;
  await state.db.stop();
  await fs.rm(state.dir, { recursive: true, force: true });
}

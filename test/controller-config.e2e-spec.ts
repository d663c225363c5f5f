import { spawn } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';

// Who is responsible, as `npm start` reads it: outside production a missing controller or DPO
// setting is one warning line at start (the pages show a placeholder); in production it is a refusal.

function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/main.js'], {
      env: { PATH: process.env.PATH ?? '', DC09_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

// A database nobody answers on: start-up gets past the configuration, then stops at the migration.
const NO_DATABASE = 'postgresql://nobody@127.0.0.1:1/none';

describe('start-up: controller and DPO', () => {
  it('warns once, naming what is not set, when not in production', async () => {
    const { code, stderr } = await runMain({ DATABASE_URL: NO_DATABASE, CONTROLLER_NAME: 'Larmbolaget AB', CONTROLLER_CONTACT: 'privacy@larmbolaget.example' });
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(
      '[keyholder] warning: CONTROLLER_ORG_NUMBER, CONTROLLER_ADDRESS, DPO_CONTACT not set: the privacy policy and record of processing ' +
        'show "not configured" placeholders instead (production refuses to start without them)',
    );
    expect(lines.filter((l) => l.includes('warning: CONTROLLER'))).toHaveLength(1);
    expect(code).toBe(1); // the database, not the warning
  });

  it('refuses in production, one line per missing variable', async () => {
    const { code, stderr } = await runMain({ NODE_ENV: 'production', DATABASE_URL: NO_DATABASE, CONTROLLER_NAME: 'Larmbolaget AB' });
    expect(code).toBe(1);
    expect(stderr.trimEnd().split('\n')).toEqual([
      'Invalid configuration:',
      "  CONTROLLER_ORG_NUMBER: is required in production (the controller's organisation number)",
      "  CONTROLLER_ADDRESS: is required in production (the controller's postal address)",
      '  CONTROLLER_CONTACT: is required in production (how data subjects reach the controller)',
      '  DPO_CONTACT: is required in production (how data subjects reach the data protection officer)',
    ]);
  });
});

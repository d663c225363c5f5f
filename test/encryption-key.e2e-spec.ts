// The field-encryption key is checked against the check value stored with the data, as `npm start`
// runs it (`node dist/main.js`), and `npm run rotate-key` re-encrypts the data under a new key.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { keyCheckValue } from '../src/common/encryption-key.js';
import { FieldCipher } from '../src/common/field-cipher.js';
import { AlarmFixtures, type Panel } from './support/alarm-fixtures.js';
import { killAppProcesses, startAppProcess } from './support/app-process.js';
import { ADMIN, createTestApp } from './support/test-app.js';
import { createTestDatabase, sql } from './support/test-db.js';

const KEY = randomBytes(32).toString('hex');
const keyIdOf = (hex: string) => keyCheckValue(Buffer.from(hex, 'hex')).slice(0, 8);

describe('the encryption key is checked against the data before the app serves', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let root: string;
  let panel: Panel;
  let customerId: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'keyholder-key-'));
    const setup = await createTestApp({ ENCRYPTION_KEY: KEY }, { databaseUrl: db.url });
    try {
      const f = await AlarmFixtures.create(setup);
      const household = await f.household(0, { nationalId: '640823-3234' });
      panel = household.panel;
      customerId = household.customer.id;
      expect((await f.post(panel, { eventId: 'before', code: 'BA', zone: '1' })).status).toBe(202);
      const premises = { access: 'Key box code 4711', password: 'blue heron', duressWord: 'Kalmar' };
      expect((await setup.request('PUT', `/api/customers/${customerId}/premises`, { token: f.tokens.operator, body: premises })).status).toBe(200);
    } finally {
      await setup.close();
    }
  });
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    await killAppProcesses();
  });
  afterAll(async () => {
    await db?.drop();
    await fs.rm(root, { recursive: true, force: true });
  });

  /** A DATA_DIR holding `key` as its encryption.key (none when undefined). */
  async function dataDir(key?: string): Promise<string> {
    const dir = await fs.mkdtemp(path.join(root, 'data-'));
    if (key) await fs.writeFile(path.join(dir, 'encryption.key'), `${key}\n`, { mode: 0o600 });
    return dir;
  }

  function env(extra: Record<string, string>): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: db.url,
      DC09_PORT: '0',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'warn',
      ...extra,
    };
  }

  function run(script: string, e: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [script], { env: env(e), stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  it('refuses to start, and makes no key, when the key file is missing but the database holds encrypted data', async () => {
    const dir = await dataDir();
    const { code, stderr } = await run('dist/main.js', { DATA_DIR: dir, PORT: '0' });
    expect(code).toBe(1);
    const file = path.join(dir, 'encryption.key');
    expect(stderr).toContain(
      `[keyholder] start-up failed: the encryption key is missing (${file} does not exist and ENCRYPTION_KEY is not set), but the database holds data encrypted with one (key id ${keyIdOf(KEY)}): restore ${file} from your backup, or set ENCRYPTION_KEY to that key`,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('refuses a key file, or an ENCRYPTION_KEY, that is not the key the data was encrypted with', async () => {
    const other = randomBytes(32).toString('hex');
    const dir = await dataDir(other);
    const fromFile = await run('dist/main.js', { DATA_DIR: dir, PORT: '0' });
    expect(fromFile.code).toBe(1);
    expect(fromFile.stderr).toContain(
      `the encryption key in ${path.join(dir, 'encryption.key')} (key id ${keyIdOf(other)}) is not the key the database's data was encrypted with (key id ${keyIdOf(KEY)}): restore the key file from your backup, or set ENCRYPTION_KEY to the key that encrypted the data (to change keys on purpose, stop the app and run \`npm run rotate-key\`)`,
    );
    const fromEnv = await run('dist/main.js', { DATA_DIR: await dataDir(), PORT: '0', ENCRYPTION_KEY: other });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toContain(`the encryption key in ENCRYPTION_KEY (key id ${keyIdOf(other)}) is not the key`);
  });

  it('on data from before check values were kept, records the key only if it decrypts the data', async () => {
    const client = await sql(db.url);
    try {
      const [{ check_value: recorded }] = (await client.query(`SELECT check_value FROM encryption_key_check`)).rows;
      await client.query(`DELETE FROM encryption_key_check`);
      const wrong = await run('dist/main.js', { DATA_DIR: await dataDir(randomBytes(32).toString('hex')), PORT: '0' });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('does not decrypt the data in the database: restore the key file from your backup');
      expect((await client.query(`SELECT count(*)::int AS n FROM encryption_key_check`)).rows[0].n).toBe(0);
      await client.query(`INSERT INTO encryption_key_check (check_value) VALUES ($1)`, [recorded]);
    } finally {
      await client.end();
    }
  });

  it('starts with the right key and names it on /health (its id, never the key)', async () => {
    const app = await startAppProcess(env({ DATA_DIR: await dataDir(KEY) }), { timeoutMs: 30_000 });
    const health = await fetch(`${app.base}/health`);
    expect(health.status).toBe(200);
    const text = await health.text();
    expect(JSON.parse(text).info.encryption).toEqual({ status: 'up', keyId: keyIdOf(KEY) });
    expect(text).not.toContain(KEY);
  });

  it('rotate-key re-encrypts every field under a new key: events still verify and the national id still reveals', async () => {
    const dir = await dataDir(KEY);
    const file = path.join(dir, 'encryption.key');
    const client = await sql(db.url);
    const before = (await client.query(`SELECT national_id_encrypted, national_id_hash FROM customer WHERE id = $1`, [customerId])).rows[0];
    const premisesBefore = (
      await client.query(`SELECT access_encrypted, password_encrypted, duress_word_encrypted FROM premises WHERE customer_id = $1`, [customerId])
    ).rows[0];
    await client.end();

    // Not while an instance runs: it would go on using the old key.
    const running = await createTestApp({ ENCRYPTION_KEY: KEY }, { databaseUrl: db.url });
    try {
      const refused = await run('dist/common/rotate-key.js', { DATA_DIR: dir });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('instance(s) of the app are connected to this database: stop every instance first');
    } finally {
      await running.close();
    }
    expect((await fs.readFile(file, 'utf8')).trim()).toBe(KEY);

    const rotated = await run('dist/common/rotate-key.js', { DATA_DIR: dir });
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    const newKey = (await fs.readFile(file, 'utf8')).trim();
    expect(newKey).toMatch(/^[0-9a-f]{64}$/);
    expect(newKey).not.toBe(KEY);
    expect((await fs.readFile(`${file}.old`, 'utf8')).trim()).toBe(KEY);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(rotated.stdout).toContain(`from key id ${keyIdOf(KEY)} to key id ${keyIdOf(newKey)}`);
    expect(rotated.stdout).toMatch(
      /re-encrypted \d+ customer\.national_id_encrypted, \d+ panel\.secret_encrypted, 1 premises\.access_encrypted, 1 premises\.password_encrypted, 1 premises\.duress_word_encrypted/,
    );

    const t = await createTestApp({ ENCRYPTION_KEY: newKey }, { databaseUrl: db.url });
    try {
      // The operators were made by the first app on this database: log in as them.
      const supervisor = await t.login('supervisor@test.local', 'supervisor-password-123');
      const f = new AlarmFixtures(t, { operator: await t.login('operator@test.local', 'operator-password-123'), supervisor });
      expect((await f.post(panel, { eventId: 'after', code: 'BA', zone: '2' })).status).toBe(202);
      const revealed = await t.request('GET', `/api/customers/${customerId}/national-id`, { token: supervisor });
      expect(revealed.status).toBe(200);
      expect(revealed.body).toEqual({ nationalId: '19640823-3234' });
      const [after] = await t.query(`SELECT national_id_encrypted, national_id_hash FROM customer WHERE id = $1`, [customerId]);
      expect(after.national_id_encrypted.equals(before.national_id_encrypted)).toBe(false);
      // The premises secrets too: re-encrypted, and they still reveal.
      const secrets = await t.request('GET', `/api/customers/${customerId}/premises/secrets`, { token: supervisor });
      expect(secrets.body).toEqual({ access: 'Key box code 4711', password: 'blue heron', duressWord: 'Kalmar' });
      const [premisesAfter] = await t.query(`SELECT access_encrypted, password_encrypted, duress_word_encrypted FROM premises WHERE customer_id = $1`, [
        customerId,
      ]);
      for (const column of ['access_encrypted', 'password_encrypted', 'duress_word_encrypted'])
        expect(premisesAfter[column].equals(premisesBefore[column])).toBe(false);
      // The blind index is keyed too: recomputed under the new key, so lookups by number still match.
      expect(after.national_id_hash.equals(FieldCipher.forKey(Buffer.from(newKey, 'hex')).blindIndex('196408233234', 'customer.national_id'))).toBe(true);
      expect((await t.request('GET', '/health')).body.info.encryption.keyId).toBe(keyIdOf(newKey));
    } finally {
      await t.close();
    }

    // The old key is refused from now on, and a second rotation does not overwrite the kept old key.
    const old = await run('dist/main.js', { DATA_DIR: await dataDir(), PORT: '0', ENCRYPTION_KEY: KEY });
    expect(old.code).toBe(1);
    expect(old.stderr).toContain('is not the key the database');
    const again = await run('dist/common/rotate-key.js', { DATA_DIR: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${file}.old or ${file}.new exists from an earlier rotation`);
  });

  it('rotate-key with ENCRYPTION_KEY requires NEW_ENCRYPTION_KEY, and a wrong old key changes nothing', async () => {
    const dir = await dataDir();
    const missing = await run('dist/common/rotate-key.js', { DATA_DIR: dir, ENCRYPTION_KEY: KEY });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ENCRYPTION_KEY is set: set NEW_ENCRYPTION_KEY to the new key as well');
    const wrong = await run('dist/common/rotate-key.js', {
      DATA_DIR: dir,
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      NEW_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('is not the one the data was encrypted with');
    expect(wrong.stderr).toContain('nothing was changed');
  });
});

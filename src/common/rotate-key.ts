// `npm run rotate-key`: re-encrypts every encrypted field under a new master key, with every instance
// of the app stopped. The old key comes from ENCRYPTION_KEY or DATA_DIR/encryption.key; the new one
// from NEW_ENCRYPTION_KEY, else it is generated. With a key file, the new key replaces it and the old
// one is kept as encryption.key.old; with ENCRYPTION_KEY, NEW_ENCRYPTION_KEY is required (this command
// cannot change the environment) and every instance must then be started with it.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { ConfigError, loadConfig } from '../config/app-config.js';
import { runMigrations } from '../database/data-source.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../database/embedded-postgres.js';
import { ENCRYPTED_COLUMNS, EncryptionKeyRefused, KEY_FILE, keyCheckValue, keyId, readKeyFile, writeKeyFileOnce } from './encryption-key.js';
import { FieldCipher } from './field-cipher.js';

const say = (line: string) => process.stdout.write(`${line}\n`);
const fail = (line: string): never => {
  throw new EncryptionKeyRefused(line);
};

let embedded: EmbeddedDatabase | undefined;
let exitCode = 0;
let client: pg.Client | undefined;
try {
  const config = loadConfig();
  const file = path.join(config.dataDir, KEY_FILE);
  const fromEnv = Boolean(config.encryptionKey);
  const oldKey = config.encryptionKey ?? readKeyFile(file) ?? fail(`no key to rotate from: ${file} does not exist and ENCRYPTION_KEY is not set`);
  const newHex = process.env.NEW_ENCRYPTION_KEY?.trim();
  if (newHex !== undefined && !/^[0-9a-fA-F]{64}$/.test(newHex)) fail('NEW_ENCRYPTION_KEY: must be 64 hex characters (a 256-bit key)');
  if (fromEnv && !newHex)
    fail('ENCRYPTION_KEY is set: set NEW_ENCRYPTION_KEY to the new key as well (e.g. `openssl rand -hex 32`), then start every instance with it');
  const newKey = newHex ? Buffer.from(newHex, 'hex') : randomBytes(32);
  if (newKey.equals(oldKey)) fail('NEW_ENCRYPTION_KEY is the key in use already');
  if (!fromEnv && (existsSync(`${file}.old`) || existsSync(`${file}.new`))) {
    fail(`${file}.old or ${file}.new exists from an earlier rotation: move it somewhere safe (it may be the only copy of a key) and run this again`);
  }

  // As the schema's owner, like the migrations: the app's own role may be too narrow for a rewrite.
  let url = config.databaseMigrationUrl ?? config.databaseUrl;
  let appUrl = config.databaseUrl;
  if (!url) {
    // Starting the embedded server would stop one a running app uses (it takes it for an orphan).
    if (embeddedServerRunning(config.dataDir)) fail(`the embedded PostgreSQL in ${config.dataDir} is running: stop the app first`);
    embedded = await startEmbeddedPostgres(config.dataDir, (line) => say(line));
    url = embedded.ownerUrl;
    appUrl = embedded.appUrl;
  }
  await runMigrations(url, { appUrl });
  client = new pg.Client({ connectionString: url, application_name: 'keyholder-rotate-key' });
  await client.connect();
  const db = client;

  // A running instance caches panel secrets and encrypts with the old key: it must not be running.
  const running = await db.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'keyholder-listener'`,
  );
  if (running.rows[0].n > 0) fail(`${running.rows[0].n} instance(s) of the app are connected to this database: stop every instance first`);

  const oldCipher = FieldCipher.forKey(oldKey);
  const newCipher = FieldCipher.forKey(newKey);
  const counts: string[] = [];
  await db.query('BEGIN');
  try {
    const recorded = (await db.query(`SELECT check_value FROM encryption_key_check WHERE id = 1 FOR UPDATE`)).rows[0]?.check_value as string | undefined;
    if (recorded && recorded !== keyCheckValue(oldKey)) {
      fail(
        `the key in ${fromEnv ? 'ENCRYPTION_KEY' : file} (key id ${keyId(keyCheckValue(oldKey))}) is not the one the data was encrypted with (key id ${keyId(recorded)}); nothing was changed`,
      );
    }
    for (const c of ENCRYPTED_COLUMNS) {
      const rowId = c.rowId ?? 'id';
      const { rows } = await db.query(`SELECT ${rowId}::text AS id, ${c.column} AS value FROM ${c.table} WHERE ${c.column} IS NOT NULL FOR UPDATE`);
      for (const row of rows as { id: string; value: Buffer }[]) {
        const context = `${c.context}:${row.id}`;
        const plain = oldCipher.decrypt(row.value, context);
        const sets = [`${c.column} = $2`];
        const params: unknown[] = [row.id, newCipher.encrypt(plain, context)];
        if (c.blindIndex) {
          sets.push(`${c.blindIndex.column} = $3`);
          params.push(newCipher.blindIndex(plain.toString('utf8'), c.blindIndex.context));
        }
        await db.query(`UPDATE ${c.table} SET ${sets.join(', ')} WHERE ${rowId} = $1`, params);
      }
      counts.push(`${rows.length} ${c.table}.${c.column}`);
    }
    await db.query(
      `INSERT INTO encryption_key_check (id, check_value) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET check_value = EXCLUDED.check_value, created_at = now()`,
      [keyCheckValue(newKey)],
    );
    // The new key is on disk before the data depends on it: a crash between the two leaves it in
    // encryption.key.new rather than nowhere.
    if (!fromEnv && !writeKeyFileOnce(`${file}.new`, newKey)) fail(`${file}.new appeared while rotating; nothing was changed`);
    await db.query('COMMIT');
  } catch (e) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
  say(`re-encrypted ${counts.join(', ')} from key id ${keyId(keyCheckValue(oldKey))} to key id ${keyId(keyCheckValue(newKey))}`);
  if (fromEnv) {
    say('start every instance with ENCRYPTION_KEY set to the value of NEW_ENCRYPTION_KEY');
  } else {
    renameSync(file, `${file}.old`);
    renameSync(`${file}.new`, file);
    say(`the new key is in ${file}; the old one is in ${file}.old: back up the new key with the database, then delete the old one`);
  }
} catch (e) {
  const message = e instanceof ConfigError || e instanceof EncryptionKeyRefused ? e.message : `key rotation failed: ${(e as Error).message}`;
  process.stderr.write(`${message}\n`);
  exitCode = 1;
} finally {
  await client?.end().catch(() => undefined);
  await embedded?.stop().catch(() => undefined);
}
// Explicitly: embedded-postgres's exit hook would otherwise end the process with 0.
process.exit(exitCode);

function embeddedServerRunning(dataDir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

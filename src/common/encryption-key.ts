import { createHmac, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

/** The file, inside DATA_DIR, that holds the generated key when ENCRYPTION_KEY is not set. */
export const KEY_FILE = 'encryption.key';

/** Runs one SQL statement and returns its rows: a DataSource's or a pg client's `query`, adapted. */
export type Query = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

/**
 * Every column encrypted with FieldCipher. Each value is bound to `<context>:<row id>`, the row id
 * being the `id` column unless `rowId` names another key; a column with a blind index has it computed
 * from the same plaintext. Key rotation re-encrypts exactly these, so a new encrypted column must be
 * added here.
 */
export const ENCRYPTED_COLUMNS: readonly {
  table: string;
  column: string;
  context: string;
  rowId?: string;
  blindIndex?: { column: string; context: string };
}[] = [
  {
    table: 'customer',
    column: 'national_id_encrypted',
    context: 'customer.national_id',
    blindIndex: { column: 'national_id_hash', context: 'customer.national_id' },
  },
  { table: 'panel', column: 'secret_encrypted', context: 'panel.secret' },
  { table: 'premises', column: 'access_encrypted', context: 'premises.access', rowId: 'customer_id' },
  { table: 'premises', column: 'password_encrypted', context: 'premises.password', rowId: 'customer_id' },
  { table: 'premises', column: 'duress_word_encrypted', context: 'premises.duress_word', rowId: 'customer_id' },
];

/** The key was refused at start-up (or by the rotation command): the message says what to do. */
export class EncryptionKeyRefused extends Error {}

/**
 * A keyed hash of the master key, stored with the data to recognise the key that encrypted it. It
 * says nothing about the key itself (HMAC), and 128 bits are plenty to tell two random keys apart.
 */
export function keyCheckValue(key: Buffer): string {
  return createHmac('sha256', key).update('keyholder key check').digest().subarray(0, 16).toString('hex');
}

/** The short form of a check value that /health and messages show: enough to compare two keys by eye. */
export function keyId(checkValue: string): string {
  return checkValue.slice(0, 8);
}

/** The key in `file`, or undefined when there is no such file; throws on a damaged one. */
export function readKeyFile(file: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    // Refuse to start rather than generate a new key: that would make every stored value unreadable.
    throw new EncryptionKeyRefused(`${file} does not hold a 64-hex-character key; restore it from a backup or set ENCRYPTION_KEY`);
  }
  return Buffer.from(text, 'hex');
}

/**
 * Writes `key` to `file` (mode 0600) unless the file exists; returns whether it wrote it. Written to
 * a private temporary file, synced, then hard-linked into place: link() fails if the file exists, so
 * two instances starting together agree on one key and nobody reads half a file.
 */
export function writeKeyFileOnce(file: string, key: Buffer): boolean {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, `${key.toString('hex')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return false;
  } finally {
    unlinkSync(temp);
  }
}

/** The check value recorded with the data, if any. */
export async function recordedCheckValue(query: Query): Promise<string | undefined> {
  const rows = await query<{ check_value: string }>(`SELECT check_value FROM encryption_key_check WHERE id = 1`);
  return rows[0]?.check_value;
}

/** Records `checkValue` unless one is recorded already (the first instance to start wins); returns the recorded one. */
export async function recordCheckValue(query: Query, checkValue: string): Promise<string> {
  await query(`INSERT INTO encryption_key_check (id, check_value) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, [checkValue]);
  return (await recordedCheckValue(query))!;
}

/** One stored ciphertext and its context, to try a key on; undefined when nothing is encrypted yet. */
export async function sampleCiphertext(query: Query): Promise<{ value: Buffer; context: string } | undefined> {
  for (const c of ENCRYPTED_COLUMNS) {
    const rows = await query<{ id: string; value: Buffer }>(
      `SELECT ${c.rowId ?? 'id'}::text AS id, ${c.column} AS value FROM ${c.table} WHERE ${c.column} IS NOT NULL LIMIT 1`,
    );
    if (rows[0]) return { value: rows[0].value, context: `${c.context}:${rows[0].id}` };
  }
  return undefined;
}

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';

/** The file, inside DATA_DIR, that holds the generated key when ENCRYPTION_KEY is not set. */
export const KEY_FILE = 'encryption.key';

/** First byte of every ciphertext, so the format (and later the key) can change without guessing. */
const FORMAT_V1 = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts single fields at rest (national identity numbers, panel secrets) with AES-256-GCM.
 *
 * Each value is bound to a `context` (for example `customer.national_id:<id>`) as GCM associated data,
 * so a ciphertext copied into another row or column does not decrypt. The master key comes from
 * ENCRYPTION_KEY, else from `DATA_DIR/encryption.key`, generated once (mode 0600) and reused: losing
 * that file loses every encrypted field, which is why operators are told to back it up with the data.
 */
@Injectable()
export class FieldCipher {
  private readonly logger = new Logger(FieldCipher.name);
  private readonly encryptionKey: Buffer;
  private readonly indexKey: Buffer;

  constructor(config: AppConfig) {
    const master = config.encryptionKey ?? this.keyFromDataDir(config.dataDir);
    if (master.length !== 32) throw new Error('the encryption key must be 32 bytes (64 hex characters)');
    // Separate keys for separate jobs: a blind index must not be computed with the encryption key.
    this.encryptionKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'keyholder/field-encryption/v1', 32));
    this.indexKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'keyholder/blind-index/v1', 32));
  }

  encrypt(plaintext: string | Buffer, context: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from([FORMAT_V1]), iv, cipher.getAuthTag(), body]);
  }

  /** Throws when the key is wrong, the context differs or the bytes were altered; never returns garbage. */
  decrypt(ciphertext: Buffer, context: string): Buffer {
    if (ciphertext.length < 1 + IV_BYTES + TAG_BYTES || ciphertext[0] !== FORMAT_V1) {
      throw new Error(`cannot decrypt ${contextName(context)}: unknown ciphertext format`);
    }
    const iv = ciphertext.subarray(1, 1 + IV_BYTES);
    const tag = ciphertext.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new Error(`cannot decrypt ${contextName(context)}: wrong encryption key, or the stored value was altered`);
    }
  }

  decryptString(ciphertext: Buffer, context: string): string {
    return this.decrypt(ciphertext, context).toString('utf8');
  }

  /**
   * A keyed hash for finding a row by an encrypted value (equality only) without decrypting every row.
   * Deterministic by design, so only for values with enough entropy and only behind the key.
   */
  blindIndex(value: string, context: string): Buffer {
    return createHmac('sha256', this.indexKey).update(context).update('\0').update(value).digest();
  }

  private keyFromDataDir(dataDir: string): Buffer {
    const file = path.join(dataDir, KEY_FILE);
    const existing = readKeyFile(file);
    if (existing) return existing;
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // Write to a private temporary file, then hard-link it into place: link() fails if the file
    // exists, so two instances starting together agree on one key and nobody reads half a file.
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, `${randomBytes(32).toString('hex')}\n`);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, file);
      this.logger.warn(`ENCRYPTION_KEY is not set: generated a key in ${file}; back it up with the database, or set ENCRYPTION_KEY`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      unlinkSync(temp);
    }
    const key = readKeyFile(file);
    if (!key) throw new Error(`could not read the encryption key from ${file}`);
    return key;
  }
}

function readKeyFile(file: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    // Refuse to start rather than generate a new key: that would make every stored value unreadable.
    throw new Error(`${file} does not hold a 64-hex-character key; restore it from a backup or set ENCRYPTION_KEY`);
  }
  return Buffer.from(text, 'hex');
}

/** The field part of a context (`customer.national_id:<uuid>` -> `customer.national_id`), for messages. */
function contextName(context: string): string {
  return context.split(':')[0];
}

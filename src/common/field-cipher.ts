import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import {
  EncryptionKeyRefused,
  KEY_FILE,
  keyCheckValue,
  keyId,
  readKeyFile,
  recordCheckValue,
  recordedCheckValue,
  sampleCiphertext,
  writeKeyFileOnce,
  type Query,
} from './encryption-key.js';

export { KEY_FILE };

/** First byte of every ciphertext, so the format (and later the key) can change without guessing. */
const FORMAT_V1 = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What to do about a key that does not open the data, said the same way wherever it is refused. */
const RESTORE_ADVICE =
  'restore the key file from your backup, or set ENCRYPTION_KEY to the key that encrypted the data (to change keys on purpose, stop the app and run `npm run rotate-key`)';

/**
 * Encrypts single fields at rest (national identity numbers, panel secrets) with AES-256-GCM.
 *
 * Each value is bound to a `context` (for example `customer.national_id:<id>`) as GCM associated data,
 * so a ciphertext copied into another row or column does not decrypt. The master key comes from
 * ENCRYPTION_KEY, else from `DATA_DIR/encryption.key`. Before the app serves, the key is compared with
 * the check value stored in the database (`encryption_key_check`): a key that did not encrypt the data
 * stops start-up, since otherwise every signed panel event would fail. A key file is generated (mode
 * 0600) only while the database holds nothing encrypted; once it does, a missing file stops start-up.
 */
@Injectable()
export class FieldCipher implements OnModuleInit {
  private readonly logger = new Logger(FieldCipher.name);
  private keys?: { encryption: Buffer; index: Buffer; checkValue: string };

  /** Without a DataSource (scripts, benchmarks) the key must be in `config.encryptionKey` and is not checked. */
  constructor(
    private readonly config: AppConfig,
    private readonly dataSource?: DataSource,
  ) {
    if (config.encryptionKey) this.useKey(config.encryptionKey);
  }

  /** A cipher with this master key, for tools that handle two keys at once (rotation). */
  static forKey(key: Buffer): FieldCipher {
    return new FieldCipher(Object.assign(new AppConfig(), { encryptionKey: key }));
  }

  async onModuleInit(): Promise<void> {
    if (!this.dataSource) return;
    const ds = this.dataSource;
    this.useKey(await this.loadKey((text, params) => ds.query(text, params)));
  }

  /** The short id of the key in use (its check value's start), for /health; never the key. */
  get keyId(): string | undefined {
    return this.keys && keyId(this.keys.checkValue);
  }

  encrypt(plaintext: string | Buffer, context: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.loaded().encryption, iv);
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
    const decipher = createDecipheriv('aes-256-gcm', this.loaded().encryption, iv);
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
    return createHmac('sha256', this.loaded().index).update(context).update('\0').update(value).digest();
  }

  /**
   * The key to use, checked against the one recorded with the data. Several instances starting on one
   * database at once: the first to record its key wins, and any other key is refused.
   */
  private async loadKey(query: Query): Promise<Buffer> {
    const file = path.join(this.config.dataDir, KEY_FILE);
    const source = this.config.encryptionKey ? 'ENCRYPTION_KEY' : file;
    let key = this.config.encryptionKey ?? readKeyFile(file);
    let recorded = await recordedCheckValue(query);
    if (!key) {
      if (recorded || (await sampleCiphertext(query))) {
        throw new EncryptionKeyRefused(
          `the encryption key is missing (${file} does not exist and ENCRYPTION_KEY is not set), but the database holds data encrypted with one` +
            `${recorded ? ` (key id ${keyId(recorded)})` : ''}: restore ${file} from your backup, or set ENCRYPTION_KEY to that key`,
        );
      }
      writeKeyFileOnce(file, randomBytes(32));
      // Another instance on this DATA_DIR may have written it first: use whichever landed.
      key = readKeyFile(file);
      if (!key) throw new Error(`could not read the encryption key from ${file}`);
      this.logger.warn(`ENCRYPTION_KEY is not set: using the key in ${file}; back it up with the database, or set ENCRYPTION_KEY`);
    }
    const check = keyCheckValue(key);
    if (!recorded) {
      // Data written before check values were kept: vouch for the key only if it opens that data.
      const sample = await sampleCiphertext(query);
      if (sample && !FieldCipher.forKey(key).opens(sample.value, sample.context)) {
        throw new EncryptionKeyRefused(`the encryption key in ${source} does not decrypt the data in the database: ${RESTORE_ADVICE}`);
      }
      recorded = await recordCheckValue(query, check);
    }
    if (recorded !== check) {
      throw new EncryptionKeyRefused(
        `the encryption key in ${source} (key id ${keyId(check)}) is not the key the database's data was encrypted with (key id ${keyId(recorded)}): ${RESTORE_ADVICE}`,
      );
    }
    return key;
  }

  private opens(ciphertext: Buffer, context: string): boolean {
    try {
      this.decrypt(ciphertext, context);
      return true;
    } catch {
      return false;
    }
  }

  private useKey(master: Buffer): void {
    if (master.length !== 32) throw new Error('the encryption key must be 32 bytes (64 hex characters)');
    // Separate keys for separate jobs: a blind index must not be computed with the encryption key.
    this.keys = {
      encryption: Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'keyholder/field-encryption/v1', 32)),
      index: Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'keyholder/blind-index/v1', 32)),
      checkValue: keyCheckValue(master),
    };
  }

  private loaded(): NonNullable<FieldCipher['keys']> {
    if (!this.keys) throw new Error('the encryption key is not loaded yet');
    return this.keys;
  }
}

/** The field part of a context (`customer.national_id:<uuid>` -> `customer.national_id`), for messages. */
function contextName(context: string): string {
  return context.split(':')[0];
}

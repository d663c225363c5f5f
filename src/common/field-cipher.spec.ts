import { promises as fs, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppConfig } from '../config/app-config.js';
import { keyCheckValue, readKeyFile, writeKeyFileOnce } from './encryption-key.js';
import { FieldCipher, KEY_FILE } from './field-cipher.js';

function config(dataDir: string, key?: string): AppConfig {
  const c = new AppConfig();
  c.dataDir = dataDir;
  c.encryptionKey = key ? Buffer.from(key, 'hex') : undefined;
  return c;
}

describe('FieldCipher', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'field-cipher-'));
  });
  afterAll(async () => fs.rm(dir, { recursive: true, force: true }));

  it('round-trips a value, with a fresh IV each time, and no plaintext in the ciphertext', () => {
    const cipher = new FieldCipher(config(dir, 'ab'.repeat(32)));
    const a = cipher.encrypt('196408233234', 'customer.national_id:1');
    const b = cipher.encrypt('196408233234', 'customer.national_id:1');
    expect(a.equals(b)).toBe(false);
    expect(a.includes(Buffer.from('196408233234'))).toBe(false);
    expect(cipher.decryptString(a, 'customer.national_id:1')).toBe('196408233234');
  });

  it('refuses a ciphertext moved to another row or field, altered, or read with another key', () => {
    const cipher = new FieldCipher(config(dir, 'ab'.repeat(32)));
    const sealed = cipher.encrypt('secret', 'panel.secret:1');
    expect(() => cipher.decrypt(sealed, 'panel.secret:2')).toThrow(/panel\.secret: wrong encryption key, or the stored value was altered/);
    const altered = Buffer.from(sealed);
    altered[altered.length - 1] ^= 1;
    expect(() => cipher.decrypt(altered, 'panel.secret:1')).toThrow(/altered/);
    expect(() => new FieldCipher(config(dir, 'cd'.repeat(32))).decrypt(sealed, 'panel.secret:1')).toThrow(/wrong encryption key/);
    expect(() => cipher.decrypt(Buffer.from([9, 9, 9]), 'panel.secret:1')).toThrow(/unknown ciphertext format/);
  });

  it('writes a key file once (mode 0600), keeps the first when two write, and refuses a damaged one', async () => {
    const dataDir = path.join(dir, 'data');
    const file = path.join(dataDir, KEY_FILE);
    expect(readKeyFile(file)).toBeUndefined();
    expect(writeKeyFileOnce(file, Buffer.alloc(32, 1))).toBe(true);
    expect(writeKeyFileOnce(file, Buffer.alloc(32, 2))).toBe(false);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readKeyFile(file)).toEqual(Buffer.alloc(32, 1));
    expect((await fs.readdir(dataDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await fs.writeFile(file, 'not a key\n');
    expect(() => readKeyFile(file)).toThrow(/does not hold a 64-hex-character key/);
  });

  it('names a key by a check value that differs between keys and does not contain the key', () => {
    const key = Buffer.from('ab'.repeat(32), 'hex');
    expect(keyCheckValue(key)).toMatch(/^[0-9a-f]{32}$/);
    expect(keyCheckValue(key)).toBe(keyCheckValue(Buffer.from(key)));
    expect(keyCheckValue(key)).not.toBe(keyCheckValue(Buffer.from('cd'.repeat(32), 'hex')));
    expect(keyCheckValue(key)).not.toContain('abab');
    expect(FieldCipher.forKey(key).keyId).toBe(keyCheckValue(key).slice(0, 8));
  });

  it('refuses to encrypt before it has a key', () => {
    expect(() => new FieldCipher(config(dir)).encrypt('x', 'c')).toThrow(/not loaded/);
  });

  it('computes a deterministic blind index that depends on the key and the context', () => {
    const cipher = new FieldCipher(config(dir, 'ab'.repeat(32)));
    expect(cipher.blindIndex('v', 'a').equals(cipher.blindIndex('v', 'a'))).toBe(true);
    expect(cipher.blindIndex('v', 'a').equals(cipher.blindIndex('v', 'b'))).toBe(false);
    expect(cipher.blindIndex('v', 'a').equals(new FieldCipher(config(dir, 'cd'.repeat(32))).blindIndex('v', 'a'))).toBe(false);
  });
});

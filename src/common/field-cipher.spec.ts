import { promises as fs, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppConfig } from '../config/app-config.js';
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

  it('without ENCRYPTION_KEY, generates a key file once (mode 0600) and reuses it', async () => {
    const dataDir = path.join(dir, 'data');
    const first = new FieldCipher(config(dataDir));
    const file = path.join(dataDir, KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const content = await fs.readFile(file, 'utf8');
    expect(content.trim()).toMatch(/^[0-9a-f]{64}$/);
    const sealed = first.encrypt('x', 'c');
    const second = new FieldCipher(config(dataDir));
    expect(second.decryptString(sealed, 'c')).toBe('x');
    expect(await fs.readFile(file, 'utf8')).toBe(content);
    expect((await fs.readdir(dataDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses to start on a damaged key file instead of silently making a new key', async () => {
    const dataDir = path.join(dir, 'damaged');
    await fs.mkdir(dataDir);
    await fs.writeFile(path.join(dataDir, KEY_FILE), 'not a key\n');
    expect(() => new FieldCipher(config(dataDir))).toThrow(/does not hold a 64-hex-character key/);
  });

  it('computes a deterministic blind index that depends on the key and the context', () => {
    const cipher = new FieldCipher(config(dir, 'ab'.repeat(32)));
    expect(cipher.blindIndex('v', 'a').equals(cipher.blindIndex('v', 'a'))).toBe(true);
    expect(cipher.blindIndex('v', 'a').equals(cipher.blindIndex('v', 'b'))).toBe(false);
    expect(cipher.blindIndex('v', 'a').equals(new FieldCipher(config(dir, 'cd'.repeat(32))).blindIndex('v', 'a'))).toBe(false);
  });
});

import { promises as fs } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../src/app.factory.js';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';
import type { Role } from '../../src/auth/access.decorator.js';
import type { FakeTwilio } from './fake-twilio.js';
import { createTestDatabase, sql } from './test-db.js';

export const ADMIN = { email: 'admin@test.local', password: 'admin-password-123' };

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is (a string or bytes), for malformed and oversized bodies. */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

export interface TestAppOptions {
  /** Run on this database (another test app's `databaseUrl`) instead of a fresh clone; it is not dropped on close. */
  databaseUrl?: string;
}

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  baseUrl: string;
  databaseUrl: string;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  /** Logs in and returns a bearer token. */
  login(email?: string, password?: string): Promise<string>;
  /** Creates an operator with this role (through the API, as the admin) and returns their token. */
  tokenFor(role: Role): Promise<string>;
  query<T = any>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * Boots the real AppModule (the same `createApp` as `npm start`) on a random port, against its own
 * database cloned from the migrated template. Only outside systems are swapped, through `env`.
 */
export async function createTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  // A second instance on another's database (several instances, restarts) must not drop it on close.
  const db = options.databaseUrl ? { url: options.databaseUrl, drop: async () => undefined } : await createTestDatabase();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'keyholder-app-'));
  const config = loadConfig({
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    PORT: '0',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'silent',
    // Any free port: test files run in parallel, and each app has its own receiver.
    DC09_PORT: '0',
    ...env,
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const client = await sql(db.url);
  let adminToken: string | undefined;
  const tokens = new Map<Role, string>();

  const request = async <T>(method: string, p: string, o: RequestOptions = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | Buffer | undefined;
    if (o.raw !== undefined) body = o.raw;
    else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(baseUrl + p, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  };

  const login = async (email = ADMIN.email, password = ADMIN.password) => {
    const res = await request<{ accessToken: string }>('POST', '/api/auth/login', { body: { email, password } });
    if (res.status !== 200) throw new Error(`login as ${email} failed: ${res.status} ${res.text}`);
    return res.body.accessToken;
  };

  return {
    app,
    config,
    baseUrl,
    databaseUrl: db.url,
    request,
    login,
    async tokenFor(role) {
      if (role === 'admin') return (adminToken ??= await login());
      const known = tokens.get(role);
      if (known) return known;
      adminToken ??= await login();
      const email = `${role}@test.local`;
      const password = `${role}-password-123`;
      const created = await request('POST', '/api/operators', { token: adminToken, body: { email, name: `Test ${role}`, role, password } });
      if (created.status !== 201) throw new Error(`could not create ${role}: ${created.status} ${created.text}`);
      const token = await login(email, password);
      tokens.set(role, token);
      return token;
    },
    async query(text, params) {
      return (await client.query(text, params as unknown[])).rows;
    },
    async close() {
      await client.end();
      await app.close();
      await db.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * An app whose SMS go to `fake` (the real twilio SDK against the local server), and the fake set to
 * call that app back (status callbacks, inbound SMS) as Twilio would, signed for `publicBaseUrl`.
 */
export async function createTestAppOnTwilio(fake: FakeTwilio, publicBaseUrl: string, env: Record<string, string> = {}): Promise<TestApp> {
  const t = await createTestApp(fake.env(publicBaseUrl, env));
  fake.connect({ baseUrl: t.baseUrl, publicBaseUrl });
  return t;
}

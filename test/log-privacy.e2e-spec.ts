// Nothing personal in any log line, whatever fails. The app runs as a real process (its log is
// standard output, as in production) against a database made to fail on command: a statement
// cancelled (SQLSTATE 57014), an internal error (whose query's parameters hold the person), and a
// provider that refuses the number (its message names it). The log is then searched for the person's data.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitUntil } from './support/alarm-fixtures.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { killAppProcesses, startAppProcess, type AppProcess } from './support/app-process.js';
import { ADMIN } from './support/test-app.js';
import { createTestDatabase, sql } from './support/test-db.js';

const PUBLIC = 'https://alarm.example.test';
const PERSON = { name: 'Cancel Svensson', phone: '+46701112233', email: 'cancel.svensson@example.se', nationalId: '640823-3234', street: 'Hemliga gatan 17' };
const CONTACT = { name: 'Broken Berg', phone: '+46709998877', email: 'broken.berg@example.se' };

describe('no personal data in the log, whatever fails', () => {
  let db: { url: string; drop(): Promise<void> };
  let fake: FakeTwilio;
  let app: AppProcess | undefined;
  /** Everything the app wrote to standard output and error so far. */
  const log = () => app?.output() ?? '';
  let base: string;
  let token: string;

  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(base + p, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: text ? JSON.parse(text) : undefined };
  };
  const customer = (name: string, extra: object = {}) => ({
    name,
    phone: PERSON.phone,
    email: PERSON.email,
    nationalId: PERSON.nationalId,
    alarmAddress: { street: PERSON.street, postalCode: '114 55', city: 'Stockholm', country: 'SE' },
    ...extra,
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await new FakeTwilio().start();
    const c = await sql(db.url);
    // Failures on command, chosen by the name being stored.
    await c.query(`
      CREATE FUNCTION kh_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.name LIKE 'Cancel%' THEN RAISE EXCEPTION 'canceling statement due to statement timeout' USING ERRCODE = 'query_canceled'; END IF;
        IF NEW.name LIKE 'Broken%' THEN RAISE EXCEPTION 'internal failure' USING ERRCODE = 'XX000'; END IF;
        -- PostgreSQL's own errors name the values in their detail, and a data error in its message.
        IF NEW.name LIKE 'Duplicate%' THEN
          RAISE EXCEPTION 'duplicate key value violates unique constraint "kh_test_unique"' USING ERRCODE = 'unique_violation',
            DETAIL = format('Key (name, phone)=(%s, %s) already exists.', NEW.name, NEW.phone), CONSTRAINT = 'kh_test_unique';
        END IF;
        IF NEW.name LIKE 'Invalid%' THEN RAISE EXCEPTION 'invalid value for %: %', NEW.name, NEW.phone USING ERRCODE = '22023'; END IF;
        RETURN NEW;
      END $$`);
    await c.query(`CREATE TRIGGER kh_test_fail BEFORE INSERT ON customer FOR EACH ROW EXECUTE FUNCTION kh_test_fail()`);
    await c.query(`CREATE TRIGGER kh_test_fail BEFORE INSERT ON contact FOR EACH ROW EXECUTE FUNCTION kh_test_fail()`);
    await c.end();
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'keyholder-log-'));
    const env = fake.env(PUBLIC, { SMS_RATE_PER_SECOND: '1000' });
    app = await startAppProcess(
      { ...env, DATABASE_URL: db.url, DATA_DIR: dataDir, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, LOG_LEVEL: 'debug' },
      { timeoutMs: 30_000 },
    );
    base = app.base;
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    token = ((await login.json()) as { accessToken: string }).accessToken;
  });
  afterAll(async () => {
    await killAppProcesses();
    await fake?.stop();
    await db?.drop();
  });

  it('a cancelled statement (57014) while creating a customer: 503 with Retry-After, and the log names the error, not the customer', async () => {
    const res = await call('POST', '/api/customers', customer(PERSON.name));
    expect(res.status).toBe(503);
    expect(Number(res.retryAfter)).toBeGreaterThan(0);
    await waitUntil(async () => /"reason":"57014"/.test(log()), 3000, 'the outage logged');
  });

  it('an internal error and a provider refusing the number: neither logs the person', async () => {
    const created = await call('POST', '/api/customers', customer('Kept Svensson'));
    expect(created.status).toBe(201);
    const broken = await call('POST', `/api/customers/${created.body.id}/contacts`, { name: CONTACT.name, phone: CONTACT.phone, email: CONTACT.email });
    expect(broken.status).toBe(500);
    await waitUntil(async () => /unexpected error/.test(log()) && /XX000/.test(log()), 3000, 'the internal error logged');
    // The provider refuses the contact's number (its message names it).
    fake.failNext(1, 'permanent');
    const contact = await call('POST', `/api/customers/${created.body.id}/contacts`, { name: 'Refused Number', phone: CONTACT.phone, email: CONTACT.email });
    expect(contact.status).toBe(201);
    await waitUntil(async () => /SMS failed/.test(log()), 5000, 'the SMS failure logged');
  });

  it('a unique violation and a data error naming the values, and a provider answering 500 or nothing: none logs the person', async () => {
    const duplicate = await call('POST', '/api/customers', customer(`Duplicate ${PERSON.name}`));
    expect(duplicate.status).toBe(500);
    await waitUntil(async () => /23505/.test(log()), 3000, 'the unique violation logged');
    const invalid = await call('POST', '/api/customers', customer(`Invalid ${PERSON.name}`));
    expect(invalid.status).toBe(400); // a value the database refused: the caller's, not the server's, mistake
    await waitUntil(async () => /22023/.test(log()), 3000, 'the data error logged');
    const created = await call('POST', '/api/customers', customer('Kept Svensson'));
    fake.failNext(1, 500);
    fake.failNext(1, 'reset');
    const contact = await call('POST', `/api/customers/${created.body.id}/contacts`, {
      name: `Retried ${CONTACT.name}`,
      phone: '+46709998866',
      email: CONTACT.email,
    });
    expect(contact.status).toBe(201);
    await waitUntil(async () => (log().match(/SMS send failed; will retry/g) ?? []).length >= 2, 8000, 'both provider failures logged');
  });

  it('the whole log holds none of the names, numbers, emails, national id or address', () => {
    const digits = (phone: string) => phone.replace(/^\+/, '');
    for (const secret of [
      PERSON.name,
      PERSON.phone,
      digits(PERSON.phone),
      PERSON.email,
      PERSON.nationalId,
      '6408233234',
      PERSON.street,
      CONTACT.name,
      CONTACT.phone,
      digits(CONTACT.phone),
      CONTACT.email,
      '+46709998866',
      'Kept Svensson',
    ]) {
      expect({ secret, inLog: log().includes(secret) }).toEqual({ secret, inLog: false });
    }
    // The log is not empty: the failures above are in it.
    expect(log()).toMatch(/database unavailable/);
  });
});

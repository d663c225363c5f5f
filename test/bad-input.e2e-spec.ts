import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Role } from '../src/auth/access.decorator.js';
import { AlarmFixtures } from './support/alarm-fixtures.js';
import { openAlarmStream } from './support/sse.js';
import { createTestApp, type ApiResponse, type TestApp } from './support/test-app.js';

/**
 * Bad input on every public endpoint the audit found untested: malformed ids, oversized fields and
 * bodies, missing and forged tokens, and roles that may not call the route. Each answer is a 4xx
 * that names what is wrong (docs/api-contract.md#errors), never a 500.
 */

const UNKNOWN = '00000000-0000-4000-8000-000000000000';
/** Over the 100 kB body limit (app.factory.ts JSON_BODY_LIMIT). */
const OVERSIZED = 'x'.repeat(120_000);
const JSON_TYPE = { 'content-type': 'application/json' };
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };

const base64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');
/** A well-formed HS256 JWT for the admin, signed with a secret the server never had. */
const jwtSignedElsewhere = () => {
  const head = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify({ sub: 'admin@test.local', role: 'admin', exp: 4102444800 }))}`;
  return `${head}.${createHmac('sha256', 'not-the-server-secret').update(head).digest('base64url')}`;
};
/** A real token with its last character changed. */
const tampered = (token: string) => token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');

const expectStatus = (res: ApiResponse, status: number) => {
  // The body first on failure: a bare status mismatch says nothing about what the server answered.
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text.slice(0, 500)}`);
};
const expectTokenMissing = (res: ApiResponse) => {
  expectStatus(res, 401);
  expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', code: 'token_missing', message: expect.stringMatching(/bearer token is required/) });
};
const expectTokenInvalid = (res: ApiResponse) => {
  expectStatus(res, 401);
  expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', code: 'token_invalid', message: expect.stringMatching(/token is invalid/) });
};
const expectRoleRefused = (res: ApiResponse, role: Role) => {
  expectStatus(res, 403);
  expect(res.body).toMatchObject({
    statusCode: 403,
    error: 'Forbidden',
    code: 'role_not_allowed',
    message: expect.stringMatching(new RegExp(`^role ${role} may not do this`)),
  });
};
const expectTooLarge = (res: ApiResponse) => {
  expectStatus(res, 413);
  expect(res.body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: 'request body is larger than the limit of 102400 bytes' });
};
const expectBadRequest = (res: ApiResponse, message: string | RegExp) => {
  expectStatus(res, 400);
  expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  if (typeof message === 'string') expect(res.body.message).toBe(message);
  // Validation answers one line per failing field (docs/api-contract.md#errors): exactly the one field that is wrong.
  else expect(res.body.message).toEqual([expect.stringMatching(message)]);
};

describe('bad input on public endpoints', () => {
  let t: TestApp;
  let f: AlarmFixtures;
  const tokens = {} as Record<Role, string>;
  let customerId: string;
  let contactId: string;
  let alarmId: string;

  beforeAll(async () => {
    t = await createTestApp();
    f = await AlarmFixtures.create(t, 7000);
    [tokens.admin, tokens.dpo] = await Promise.all([t.tokenFor('admin'), t.tokenFor('dpo')]);
    Object.assign(tokens, f.tokens);
    const h = await f.household(1);
    customerId = h.customer.id;
    contactId = h.contacts[0].id;
    const opened = await f.post(h.panel, { eventId: 'bad-input-1', code: 'BA', zone: '1' });
    expectStatus(opened, 202);
    alarmId = opened.body.alarmId;
  });
  afterAll(async () => t?.close());

  describe('POST /api/operators', () => {
    const operator = (extra: object = {}) => ({ email: 'new@test.local', name: 'New Operator', role: 'operator', password: 'new-password-1234', ...extra });

    it('refuses a name over 120 characters with 400 naming name', async () => {
      const res = await t.request('POST', '/api/operators', { token: tokens.admin, body: operator({ name: 'n'.repeat(121) }) });
      expectBadRequest(res, /^name must be shorter than or equal to 120 characters/);
    });

    it('refuses a body over 100 kB with 413', async () => {
      expectTooLarge(
        await t.request('POST', '/api/operators', { token: tokens.admin, raw: JSON.stringify(operator({ name: OVERSIZED })), headers: JSON_TYPE }),
      );
    });

    it('refuses a request without a token with 401 token_missing', async () => {
      expectTokenMissing(await t.request('POST', '/api/operators', { body: operator() }));
      expect(await t.query(`SELECT 1 FROM operator WHERE email = 'new@test.local'`)).toEqual([]);
    });
  });

  describe('forged bearer tokens on the customer reads', () => {
    const forgeries: Array<[string, () => string]> = [
      ['a random token shaped like a real one', () => randomBytes(32).toString('base64url')],
      ['a real token with one character changed', () => tampered(tokens.operator)],
      ['a JWT signed with another secret', jwtSignedElsewhere],
    ];
    const routes = () => ['/api/customers', `/api/customers/${customerId}`, `/api/customers/${customerId}/contacts`];

    it.each(forgeries)('answers 401 token_invalid to %s', async (_, forge) => {
      for (const path of routes()) expectTokenInvalid(await t.request('GET', path, { token: forge() }));
      // The token that was tampered with still works: the refusal was for the forgery, not the route.
      expectStatus(await t.request('GET', `/api/customers/${customerId}`, { token: tokens.operator }), 200);
    });
  });

  describe('PATCH /api/customers/:id', () => {
    it('refuses a name over 200 characters with 400 naming name, and changes nothing', async () => {
      const res = await t.request('PATCH', `/api/customers/${customerId}`, { token: tokens.operator, body: { name: 'n'.repeat(201) } });
      expectBadRequest(res, /^name must be at most 200 characters/);
      const stored = await t.request('GET', `/api/customers/${customerId}`, { token: tokens.operator });
      expect(stored.body.name).toMatch(/^Anna Lind/);
    });

    it('refuses a body over 100 kB with 413', async () => {
      expectTooLarge(
        await t.request('PATCH', `/api/customers/${customerId}`, { token: tokens.operator, raw: JSON.stringify({ name: OVERSIZED }), headers: JSON_TYPE }),
      );
    });
  });

  describe('malformed ids, with a role the route allows', () => {
    // [method, path (CUSTOMER stands for a real customer), a role the route's @Roles allows, the parameter named]
    const cases: Array<[string, string, Role, string]> = [
      ['DELETE', '/api/customers/nope', 'supervisor', 'id'],
      ['GET', '/api/customers/nope/national-id', 'supervisor', 'id'],
      ['GET', '/api/customers/nope/national-id', 'dpo', 'id'],
      ['DELETE', `/api/customers/nope/contacts/${UNKNOWN}`, 'supervisor', 'id'],
      ['DELETE', '/api/customers/CUSTOMER/contacts/nope', 'supervisor', 'contactId'],
      ['GET', `/api/customers/nope/contacts/${UNKNOWN}/export`, 'dpo', 'id'],
      ['GET', '/api/customers/CUSTOMER/contacts/nope/export', 'dpo', 'contactId'],
      ['POST', '/api/customers/nope/erasure', 'dpo', 'id'],
      ['POST', `/api/customers/nope/contacts/${UNKNOWN}/erasure`, 'dpo', 'id'],
      ['POST', '/api/customers/CUSTOMER/contacts/nope/erasure', 'dpo', 'contactId'],
      ['POST', '/api/customers/nope/restriction', 'dpo', 'id'],
      ['DELETE', '/api/customers/nope/restriction', 'dpo', 'id'],
      ['POST', `/api/customers/nope/contacts/${UNKNOWN}/restriction`, 'dpo', 'id'],
      ['POST', '/api/customers/CUSTOMER/contacts/nope/restriction', 'dpo', 'contactId'],
      ['DELETE', `/api/customers/nope/contacts/${UNKNOWN}/restriction`, 'dpo', 'id'],
      ['DELETE', '/api/customers/CUSTOMER/contacts/nope/restriction', 'dpo', 'contactId'],
      ['GET', '/api/customers/nope/arming-history', 'operator', 'id'],
    ];

    it.each(cases)('%s %s as %s: 400 "%s must be a UUID"', async (method, path, role, param) => {
      const res = await t.request(method, path.replace('CUSTOMER', customerId), { token: tokens[role] });
      expectBadRequest(res, `${param} must be a UUID`);
    });

    it('erased, restricted and deleted nothing on the way', async () => {
      const customer = await t.request('GET', `/api/customers/${customerId}`, { token: tokens.operator });
      expect(customer.body).toMatchObject({ id: customerId, name: expect.stringMatching(/^Anna Lind/), restricted: false });
      const contact = await t.request('GET', `/api/customers/${customerId}/contacts/${contactId}`, { token: tokens.operator });
      expectStatus(contact, 200);
      expect(contact.body.status).toBe('active');
    });
  });

  describe('PUT /api/customers/:id/contacts/order', () => {
    it('refuses more than 10 ids with 400 naming contactIds', async () => {
      const contactIds = Array.from({ length: 11 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
      const res = await t.request('PUT', `/api/customers/${customerId}/contacts/order`, { token: tokens.operator, body: { contactIds } });
      expectBadRequest(res, /^contactIds must not list more than 10 contacts/);
    });

    it('refuses a body over 100 kB with 413', async () => {
      const raw = JSON.stringify({ contactIds: Array.from({ length: 4000 }, () => UNKNOWN) });
      expect(raw.length).toBeGreaterThan(102_400);
      expectTooLarge(await t.request('PUT', `/api/customers/${customerId}/contacts/order`, { token: tokens.operator, raw, headers: JSON_TYPE }));
    });
  });

  describe('alarms', () => {
    it('GET /api/alarms/:id: 401 without a token, 403 role_not_allowed for a dpo', async () => {
      expectTokenMissing(await t.request('GET', `/api/alarms/${alarmId}`));
      expectRoleRefused(await t.request('GET', `/api/alarms/${alarmId}`, { token: tokens.dpo }), 'dpo');
    });

    it.each([
      ['note', { action: 'note', note: 'n'.repeat(2001) }, /^note must be at most 2000 characters/],
      ['partner', { action: 'guard_dispatched', partner: 'p'.repeat(101) }, /^partner must be at most 100 characters/],
    ])('POST /api/alarms/:id/actions: refuses a %s that is too long with 400 naming it', async (_, body, message) => {
      expectBadRequest(await f.act(alarmId, body), message);
    });

    it('POST /api/alarms/:id/actions: 401 without a token, and nothing is recorded', async () => {
      expectTokenMissing(await t.request('POST', `/api/alarms/${alarmId}/actions`, { body: { action: 'false_alarm' } }));
      const alarm = await f.alarm(alarmId);
      expect(alarm.status).toBe('open');
    });

    it('GET /api/alarms/stream: 403 role_not_allowed for a dpo', async () => {
      // Through the stream helper first: were the stream opened, a plain request would never end.
      const stream = await openAlarmStream(t.baseUrl, tokens.dpo);
      await stream.close();
      expect(stream.res.status).toBe(403);
      const res = await t.request('GET', '/api/alarms/stream', { token: tokens.dpo });
      expectRoleRefused(res, 'dpo');
    });
  });

  describe('escalation settings', () => {
    it('GET /api/settings/escalation: 401 without a token, 403 role_not_allowed for a dpo', async () => {
      expectTokenMissing(await t.request('GET', '/api/settings/escalation'));
      expectRoleRefused(await t.request('GET', '/api/settings/escalation', { token: tokens.dpo }), 'dpo');
    });

    it('PUT /api/settings/escalation/:class: 413 over 100 kB, 401 without a token; the setting is unchanged', async () => {
      const before = (await t.request('GET', '/api/settings/escalation', { token: tokens.operator })).body.classes.burglary;
      const raw = JSON.stringify({ ownerWaitSeconds: 5, contactWaitSeconds: 5, padding: OVERSIZED });
      expectTooLarge(await t.request('PUT', '/api/settings/escalation/burglary', { token: tokens.supervisor, raw, headers: JSON_TYPE }));
      expectTokenMissing(await t.request('PUT', '/api/settings/escalation/burglary', { body: { ownerWaitSeconds: 5, contactWaitSeconds: 5 } }));
      expect((await t.request('GET', '/api/settings/escalation', { token: tokens.operator })).body.classes.burglary).toEqual(before);
    });
  });

  describe('Twilio webhooks', () => {
    it.each(['/webhooks/twilio/sms', '/webhooks/twilio/status'])('POST %s: refuses a form body over 100 kB with 413', async (path) => {
      const raw = new URLSearchParams({ From: '+46702000001', To: '+46700000000', MessageSid: 'SM' + '0'.repeat(32), Body: OVERSIZED }).toString();
      expectTooLarge(await t.request('POST', path, { raw, headers: FORM_TYPE }));
    });
  });

  describe('auth', () => {
    it('POST /api/auth/logout: 401 without a token, 401 token_invalid with a forged one', async () => {
      expectTokenMissing(await t.request('POST', '/api/auth/logout'));
      expectTokenInvalid(await t.request('POST', '/api/auth/logout', { token: randomBytes(32).toString('base64url') }));
      expectTokenInvalid(await t.request('POST', '/api/auth/logout', { token: jwtSignedElsewhere() }));
    });

    it('GET /api/auth/me: 401 without a token', async () => {
      expectTokenMissing(await t.request('GET', '/api/auth/me'));
    });
  });

  describe('GET /api/customers/:id/arming-history', () => {
    it('refuses page=0 with 400 naming page', async () => {
      expectBadRequest(await t.request('GET', `/api/customers/${customerId}/arming-history?page=0`, { token: tokens.operator }), /^page must be at least 1/);
    });

    it('answers 401 without a token', async () => {
      expectTokenMissing(await t.request('GET', `/api/customers/${customerId}/arming-history`));
    });
    // "nope" as the id is in the malformed-id table above.
  });

  describe('GET /api/privacy/processing-log/head', () => {
    it('401 without a token, 403 role_not_allowed for an operator', async () => {
      expectTokenMissing(await t.request('GET', '/api/privacy/processing-log/head'));
      expectRoleRefused(await t.request('GET', '/api/privacy/processing-log/head', { token: tokens.operator }), 'operator');
    });
  });

  describe('absurd bodies: refused before validation, on public routes first', () => {
    // 5,000 levels: class-transformer ran out of stack at about 2,350 and answered 500.
    const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    const expectTooDeep = (res: ApiResponse) => {
      expectStatus(res, 400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'request body nests deeper than 32 levels' });
    };

    it('refuses deeply nested JSON with 400 on the login, a customer, and a signed panel event', async () => {
      expectTooDeep(await t.request('POST', '/api/auth/login', { raw: deep, headers: JSON_TYPE }));
      expectTooDeep(await t.request('POST', '/api/customers', { token: tokens.operator, raw: deep, headers: JSON_TYPE }));
      const h = await f.household(0);
      expectTooDeep(await f.post(h.panel, { eventId: 'x', code: 'BA' }, { raw: deep }));
      // Arrays nest the same way; brackets inside strings do not count.
      expectTooDeep(await t.request('POST', '/api/auth/login', { raw: '['.repeat(40) + ']'.repeat(40), headers: JSON_TYPE }));
      const inString = await t.request('POST', '/api/auth/login', { body: { email: 'a@b.se', password: '{['.repeat(100) } });
      expectStatus(inString, 401);
    });

    it('takes JSON nested as deep as the limit allows (the limit is not the validation)', async () => {
      const nested = JSON.stringify({ email: 'a@b.se', password: 'x'.repeat(12), extra: JSON.parse('['.repeat(30) + ']'.repeat(30)) });
      const res = await t.request('POST', '/api/auth/login', { raw: nested, headers: JSON_TYPE });
      expectBadRequest(res, /^property extra should not exist/);
    });

    it('refuses a body that is not UTF-8 with 400 instead of storing U+FFFD', async () => {
      const body = Buffer.concat([
        Buffer.from('{"name":"Anna '),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('","phone":"+46702000001","alarmAddress":{"street":"S 1","postalCode":"11455","city":"Stockholm","country":"SE"}}'),
      ]);
      const res = await t.request('POST', '/api/customers', { token: tokens.operator, raw: body, headers: JSON_TYPE });
      expectStatus(res, 400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'request body is not valid UTF-8' });
      expect(await t.query(`SELECT 1 FROM customer WHERE name LIKE 'Anna %' AND name LIKE '%' || chr(65533) || '%'`)).toEqual([]);
      const form = await t.request('POST', '/webhooks/twilio/sms', {
        raw: Buffer.concat([Buffer.from('Body=hej'), Buffer.from([0xff, 0xfe])]),
        headers: FORM_TYPE,
      });
      expectStatus(form, 400);
    });
  });
});

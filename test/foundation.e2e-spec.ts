import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule, NestFactory } from '@nestjs/core';
import { pino } from 'pino';
import { Public, Roles } from '../src/auth/access.decorator.js';
import { AccessGuard } from '../src/auth/access.guard.js';
import { SessionService } from '../src/auth/session.service.js';
import { HttpErrorFilter } from '../src/common/http-error.filter.js';
import { RouteDeclarations } from '../src/common/route-declarations.js';
import { AppConfig, loadConfig } from '../src/config/app-config.js';
import { REDACTED_PATHS } from '../src/logging/logging.module.js';
import { ProcessingLogInterceptor } from '../src/privacy/processing-log.interceptor.js';
import { NoPersonalData } from '../src/privacy/processing.decorator.js';
import { AlarmFixtures, waitUntil } from './support/alarm-fixtures.js';
import { ADMIN, createTestApp, type TestApp } from './support/test-app.js';
import { sql } from './support/test-db.js';

describe('foundation: HTTP behaviour of the real app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('answers /health with 200 and the database status', async () => {
    const res = await t.request('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('answers /health from a connection of its own: 200 while panels hold every pooled connection, and for 2,000 checks at once', async () => {
    const f = await AlarmFixtures.create(t, 9000);
    const { panel } = await f.household(0);
    // The panel's row locked elsewhere: each of its signals holds a pooled connection, waiting.
    const locker = await sql(t.databaseUrl);
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM panel WHERE id = $1 FOR UPDATE', [panel.id]);
    const stuck = Array.from({ length: 30 }, (_, i) => f.post(panel, { eventId: `held-${i}`, code: 'BA', zone: String(i) }));
    try {
      await waitUntil(
        async () =>
          (await t.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`))[0].n >= 20,
        10_000,
        'the pool to be held',
      );
      // Through the pool, a check waited for a connection and said 503 after 1 s.
      const held = await Promise.all(
        Array.from({ length: 50 }, () =>
          fetch(`${t.baseUrl}/health`).then(
            (r) => r.status,
            () => 0,
          ),
        ),
      );
      expect(held.filter((s) => s !== 200)).toEqual([]);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    expect((await Promise.all(stuck)).map((r) => r.status)).toEqual(Array(30).fill(202));
    const statuses = await Promise.all(
      Array.from({ length: 2000 }, () =>
        fetch(`${t.baseUrl}/health`).then(
          (r) => r.status,
          () => 0,
        ),
      ),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });

  it('refuses a JSON body over 100kb with 413 in the standard shape', async () => {
    const big = JSON.stringify({ email: 'a@b.se', password: 'x'.repeat(101 * 1024) });
    const res = await t.request('POST', '/api/auth/login', { raw: big, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: expect.stringMatching(/larger than the limit of 102400 bytes/) });
    // Just under the limit is parsed (and then judged on its content).
    const fits = JSON.stringify({ email: 'a@b.se', password: 'x'.repeat(99 * 1024) });
    const ok = await t.request('POST', '/api/auth/login', { raw: fits, headers: { 'content-type': 'application/json' } });
    expect(ok.status).not.toBe(413);
  });

  it('answers malformed JSON with 400 saying so', async () => {
    const res = await t.request('POST', '/api/auth/login', { raw: '{"email": "a@b.se", "password": ', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/^malformed JSON in request body/) });
  });

  it('answers a body that is not JSON on a JSON route with 415, saying to send JSON, not 500', async () => {
    const res = await t.request('POST', '/api/auth/login', {
      raw: `email=${ADMIN.email}&password=${ADMIN.password}`,
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type', code: 'body_not_json' });
    expect(res.body.message).toContain('send Content-Type: application/json (got "text/plain")');
  });

  it('answers an unknown route with 404 in the standard error shape', async () => {
    for (const [method, path] of [
      ['GET', '/no-such-route'],
      ['POST', '/api/no-such-thing'],
      ['DELETE', '/health'],
    ]) {
      const res = await t.request(method, path);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.stringContaining(path) });
    }
    // A very long path is said back cut short.
    const long = await t.request('GET', `/api/${'a'.repeat(10_000)}`);
    expect(long.status).toBe(404);
    expect(long.body.message).toBe(`Cannot GET /api/${'a'.repeat(200 - 'Cannot GET /api/'.length)}…`);
  });

  it('answers a URL over 16 KB, and bytes that are not HTTP, in the standard shape (Node refuses them before Express)', async () => {
    const long = await t.request('GET', `/api/customers/${'x'.repeat(20_000)}`);
    expect(long.status).toBe(431);
    expect(long.body).toEqual({ statusCode: 431, error: 'Request Header Fields Too Large', message: expect.stringMatching(/larger than the limit of 16 KB/) });

    const { connect } = await import('node:net');
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(t.baseUrl).port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let answer = '';
      socket.on('data', (d) => (answer += d));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.stringMatching(/^malformed HTTP request/),
    });
  });

  it('keeps an idle keep-alive connection open longer than a load balancer does (Node alone closes it after 5 s)', async () => {
    const { Agent, get } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const ask = () =>
      new Promise<{ status: number; socket: unknown }>((resolve, reject) => {
        const req = get(`${t.baseUrl}/health`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, socket: req.socket }));
        });
        req.on('error', reject);
      });
    try {
      const first = await ask();
      await new Promise((r) => setTimeout(r, 6_000));
      const second = await ask();
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.socket).toBe(first.socket); // the same connection, still open after 6 s idle
    } finally {
      agent.destroy();
    }
  });

  it('echoes a request id, honouring a sane one from a proxy', async () => {
    const given = await t.request('GET', '/health', { headers: { 'x-request-id': 'proxy-abc.123' } });
    expect(given.headers.get('x-request-id')).toBe('proxy-abc.123');
    const made = await t.request('GET', '/health', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves Prometheus metrics with request durations labelled by route pattern', async () => {
    await t.request('POST', '/api/auth/login', { body: { email: 'nobody@test.local', password: 'nobody-password-1' } });
    const res = await t.request('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/^# HELP keyholder_http_request_duration_seconds /m);
    expect(res.text).toMatch(/^# TYPE keyholder_http_request_duration_seconds histogram$/m);
    expect(res.text).toMatch(/^keyholder_http_request_duration_seconds_count\{method="POST",route="\/api\/auth\/login",status="401"\} [1-9]/m);
    expect(res.text).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it('publishes the OpenAPI document and its UI without a token', async () => {
    const json = await t.request('GET', '/api/docs-json');
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toMatch(/application\/json/);
    expect(json.body.openapi).toMatch(/^3\./);
    expect(Object.keys(json.body.paths)).toEqual(expect.arrayContaining(['/api/auth/login', '/api/operators', '/health', '/metrics']));
    expect(json.body.paths['/api/auth/login'].post).toBeDefined();
    const ui = await t.request('GET', '/api/docs');
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toMatch(/text\/html/);
    expect(ui.text).toMatch(/swagger/i);
  });

  it('declares every route of the real app (start-up would have refused otherwise)', () => {
    const routes = t.app.get(RouteDeclarations).routes();
    expect(routes.length).toBeGreaterThan(4);
    expect(t.app.get(RouteDeclarations).undeclared()).toEqual([]);
    expect(routes).toEqual(expect.arrayContaining([expect.objectContaining({ method: 'GET', path: '/health', access: { public: expect.any(String) } })]));
  });
});

// ---------------------------------------------------------------------------------------------
// Deny by default, shown with a tiny app of its own: a route that forgets @Roles/@Public.

@Controller('forgotten')
class ForgetfulController {
  @Get()
  @NoPersonalData('test route')
  open() {
    return { reached: true };
  }

  @Get('declared')
  @Public('test route')
  @NoPersonalData('test route')
  declared() {
    return { reached: true };
  }
}

@Controller('no-basis')
class NoBasisController {
  @Get()
  @Roles('operator')
  list() {
    return [];
  }
}

/** The guard needs a SessionService; nobody logs in here, so every token is unknown. */
const noSessions = { provide: SessionService, useValue: { authenticate: async () => undefined } };
/** And the config, for the name of the session cookie. */
const config = { provide: AppConfig, useValue: loadConfig({}) };
/** And where to report a refused operator; there is none here, and these routes declare no personal data. */
const noProcessingLog = { provide: ProcessingLogInterceptor, useValue: { refusedBeforeHandler: () => undefined } };

@Module({ controllers: [ForgetfulController], providers: [noSessions, config, noProcessingLog, { provide: APP_GUARD, useClass: AccessGuard }] })
class GuardOnlyModule {}

@Module({ imports: [DiscoveryModule], controllers: [ForgetfulController, NoBasisController], providers: [noSessions, RouteDeclarations] })
class CheckedModule {}

describe('foundation: a route without a role declaration cannot be called', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await NestFactory.create(GuardOnlyModule, { logger: false });
    app.useGlobalFilters(new HttpErrorFilter());
    await app.listen(0, '127.0.0.1');
  });
  afterAll(async () => app?.close());

  it('the guard answers 403 to an undeclared route, even with a token, and lets a declared one through', async () => {
    const base = await app.getUrl();
    const res = await fetch(`${base}/forgotten`);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'this route declares no access rule and is closed',
      code: 'route_not_declared',
    });
    expect((await fetch(`${base}/forgotten`, { headers: { authorization: 'Bearer anything' } })).status).toBe(403);
    expect((await fetch(`${base}/forgotten/declared`)).status).toBe(200);
  });

  it('RouteDeclarations lists the undeclared routes and start-up refuses them, naming each', async () => {
    const checked = await NestFactory.create(CheckedModule, { logger: false, abortOnError: false });
    try {
      expect(checked.get(RouteDeclarations).undeclared()).toEqual([
        'GET /forgotten (ForgetfulController.open): no @Roles or @Public',
        'GET /no-basis (NoBasisController.list): no @Processing or @NoPersonalData',
      ]);
      const boot = checked.init();
      await expect(boot).rejects.toThrow(/refusing to start/);
      await expect(boot).rejects.toThrow('GET /forgotten (ForgetfulController.open): no @Roles or @Public');
      await expect(boot).rejects.toThrow('GET /no-basis (NoBasisController.list): no @Processing or @NoPersonalData');
    } finally {
      await checked.close().catch(() => undefined);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('foundation: logs', () => {
  it('redact credentials and personal data wherever the app logs them', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    // The same redaction the app's LoggingModule configures.
    const log = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
    log.info(
      {
        req: {
          method: 'POST',
          headers: {
            authorization: 'Bearer tok-SECRET-1',
            cookie: 'keyholder_session=SECRET-2',
            'x-keyholder-signature': 'sha256=SECRET-3',
            host: 'kept.example',
          },
        },
        password: 'SECRET-4',
        customer: { name: 'kept', phone: '+46701234567', nationalId: '196408233234', email: 'anna@example.se' },
        sms: { message: { to: '+4798765432', from: '+4670000000', body: 'Larm hemma' } },
        twilio: { authToken: 'SECRET-5' },
      },
      'something happened',
    );
    expect(lines).toHaveLength(1);
    const out = lines[0];
    for (const secret of [
      'SECRET-1',
      'SECRET-2',
      'SECRET-3',
      'SECRET-4',
      'SECRET-5',
      '46701234567',
      '196408233234',
      'anna@example.se',
      '4798765432',
      '4670000000',
      'Larm hemma',
    ]) {
      expect(out).not.toContain(secret);
    }
    const parsed = JSON.parse(out);
    expect(parsed.req.headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]', 'x-keyholder-signature': '[redacted]', host: 'kept.example' });
    expect(parsed.password).toBe('[redacted]');
    expect(parsed.customer).toEqual({ name: 'kept', phone: '[redacted]', nationalId: '[redacted]', email: '[redacted]' });
    expect(parsed.sms.message).toEqual({ to: '[redacted]', from: '[redacted]', body: '[redacted]' });
  });
});

// ---------------------------------------------------------------------------------------------

function runMain(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Only what the test sets, so a DATABASE_URL or PORT of the surrounding shell cannot leak in.
    const child = spawn(process.execPath, ['dist/main.js'], {
      env: { PATH: process.env.PATH ?? '', DC09_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('foundation: invalid configuration stops start-up', () => {
  it('exits non-zero with one line per problem, no stack trace and no secret', async () => {
    const { code, stdout, stderr } = await runMain({
      PORT: 'abc',
      DATABASE_URL: 'mysql://root:db-SECRET@x/db',
      PUBLIC_BASE_URL: 'nope',
      ADMIN_PASSWORD: 'SECRET-pw',
      // A token alone would be valid (the outbox, with the token for webhook signatures); a sender
      // without an account SID is not. The token is still here to show it is never echoed back.
      TWILIO_AUTH_TOKEN: 'twilio-token-SECRET',
      TWILIO_FROM: '+46700000001',
    });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toEqual([
      'Invalid configuration:',
      '  PORT: must be a whole number (got "abc")',
      '  DATABASE_URL: must be a postgres:// or postgresql:// connection string',
      '  PUBLIC_BASE_URL: must be an http(s) URL such as https://alarm.example.com (got "nope")',
      '  ADMIN_PASSWORD: must be at least 12 characters',
      '  TWILIO_ACCOUNT_SID: is required when TWILIO_FROM is set (or set SMS_PROVIDER=outbox to store messages without sending)',
    ]);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toContain('SECRET');
  });

  it('the stand-alone migration command reports bad configuration the same way', async () => {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['dist/database/migrate.js'], { env: { PATH: process.env.PATH ?? '', DATABASE_URL: 'mysql://x' } });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (c) => resolve({ code: c, stderr: err }));
    });
    expect(code).toBe(1);
    expect(stderr.trimEnd().split('\n')).toEqual(['Invalid configuration:', '  DATABASE_URL: must be a postgres:// or postgresql:// connection string']);
  });
});

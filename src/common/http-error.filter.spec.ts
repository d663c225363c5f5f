import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger, type ArgumentsHost } from '@nestjs/common';
import { HttpErrorFilter } from './http-error.filter.js';

/** The answer the filter writes for an error, through a minimal Express-like response. */
function answer(error: unknown) {
  const sent: { status?: number; type?: string; body?: any; headers: Record<string, string> } = { headers: {} };
  const res = {
    headersSent: false,
    setHeader: (k: string, v: string) => void (sent.headers[k] = v),
    status(s: number) {
      sent.status = s;
      return this;
    },
    type(t: string) {
      sent.type = t;
      return this;
    },
    json: (b: unknown) => void (sent.body = b),
  };
  const host = { switchToHttp: () => ({ getResponse: () => res, getRequest: () => ({ method: 'POST', path: '/x' }) }) } as unknown as ArgumentsHost;
  new HttpErrorFilter().catch(error, host);
  return sent;
}

/** What TypeORM throws for a statement PostgreSQL refused: pg's error kept as driverError. */
const queryFailed = (code: string, message: string) => Object.assign(new Error(message), { name: 'QueryFailedError', driverError: { code, message } });

describe('HttpErrorFilter', () => {
  // The filter logs what it answers; not wanted in the test output.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

  it('answers a value PostgreSQL refused (SQLSTATE class 22) with 400 naming the reason, not 500', () => {
    const sent = answer(queryFailed('22P05', 'unsupported Unicode escape sequence'));
    expect(sent.status).toBe(400);
    expect(sent.body).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      message: 'a value in the request cannot be stored: unsupported Unicode escape sequence',
    });
    expect(answer(queryFailed('22003', 'integer out of range')).status).toBe(400);
  });

  it('answers a value too large for an index entry (54000) with 400, not 500', () => {
    const sent = answer(queryFailed('54000', 'index row size 3016 exceeds btree version 4 maximum 2704'));
    expect(sent.status).toBe(400);
    expect(sent.body.message).toBe('a value in the request cannot be stored: index row size 3016 exceeds btree version 4 maximum 2704');
  });

  it('still answers other database errors as 500 and an outage as 503', () => {
    expect(answer(queryFailed('23505', 'duplicate key value violates unique constraint')).status).toBe(500);
    const outage = answer(queryFailed('57P01', 'terminating connection due to administrator command'));
    expect(outage.status).toBe(503);
    expect(outage.headers['Retry-After']).toBe('5');
  });

  it('always answers JSON, even on a route that set another type (TwiML)', () => {
    expect(answer(new Error('boom')).type).toBe('application/json');
  });
});

import { randomUUID } from 'node:crypto';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { DomainError, type DomainErrorKind } from './domain-error.js';

const STATUS: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
};

const MAX_NOT_FOUND_MESSAGE = 200;

/**
 * pg/Node codes that mean "the database is not answering", not "the request was wrong". 57014 is a
 * statement cancelled (a statement timeout, a lock wait given up on): the request may well succeed
 * when retried.
 */
const UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', '57014', '57P01', '57P02', '57P03', '53300', '08006', '08001', '08003']);

/**
 * pg and pg-pool say these without a code when the server hangs or drops the connection (a paused
 * container, a network partition): a connection attempt or a query that times out is an outage, not a bug.
 */
const UNAVAILABLE_MESSAGE =
  /^(timeout exceeded when trying to connect|Connection terminated( unexpectedly| due to connection timeout)?|timeout expired|Query read timeout)$/;

/** Why this error means "the database is not answering" (a code or pg's message), or undefined. */
function databaseOutage(e: unknown): string | undefined {
  // TypeORM keeps pg's error as driverError; pg-pool keeps the socket's as cause.
  for (let err = e, depth = 0; err && typeof err === 'object' && depth < 4; err = (err as { cause?: unknown }).cause, depth++) {
    const { code, message, driverError } = err as Partial<QueryFailedError> & { code?: string; driverError?: { code?: string; message?: string } };
    for (const c of [code, driverError?.code]) if (c && UNAVAILABLE.has(c)) return c;
    for (const m of [message, driverError?.message]) if (m && UNAVAILABLE_MESSAGE.test(m)) return m;
  }
  return undefined;
}

/**
 * PostgreSQL's "data exception" (SQLSTATE class 22: bad encoding, out of range, invalid text form),
 * and 54000, a value too large for an index entry: both are input the validation should have named.
 */
function databaseDataError(e: unknown): { code: string; message: string } | undefined {
  const { code, message, driverError } = (e ?? {}) as { code?: string; message?: string; driverError?: { code?: string; message?: string } };
  for (const [c, m] of [
    [driverError?.code, driverError?.message],
    [code, message],
  ]) {
    if (typeof c === 'string' && /^(22[0-9A-Z]{3}|54000)$/.test(c)) return { code: c, message: m ?? c };
  }
  return undefined;
}

/**
 * The one place where errors become HTTP answers, all in NestJS's standard shape
 * `{ statusCode, error, message }` (docs/api-contract.md#errors), plus `code` for domain errors.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    if (res.headersSent) return;
    const { status, body, retryAfter } = this.toAnswer(exception, req);
    // A 404 says back what was not found (the router's "Cannot GET /...", an id): a 10 kB path or id
    // is not worth 10 kB of error.
    if (status === 404 && typeof body.message === 'string' && body.message.length > MAX_NOT_FOUND_MESSAGE) {
      body.message = `${body.message.slice(0, MAX_NOT_FOUND_MESSAGE)}…`;
    }
    if (retryAfter) res.setHeader('Retry-After', String(retryAfter));
    // Explicitly: a route that answers another type (TwiML's text/xml) has set its own already.
    res.status(status).type('application/json').json(body);
  }

  private toAnswer(e: unknown, req: Request): { status: number; body: Record<string, unknown>; retryAfter?: number } {
    // Express's body parser fails with plain errors carrying a `type`; Nest 12's adapter wraps them in
    // an HttpException whose `cause` is the original, with body-parser's terse message
    // ("Unexpected end of JSON input"). Say plainly what was wrong with the body.
    const parser = (e instanceof HttpException && e.cause ? e.cause : e) as { type?: string; status?: number; limit?: number; message?: string };
    if (parser.type === 'entity.too.large') {
      return { status: 413, body: shape(413, `request body is larger than the limit of ${parser.limit} bytes`) };
    }
    if (parser.type === 'entity.parse.failed') {
      return { status: 400, body: shape(400, `malformed JSON in request body: ${parser.message}`) };
    }
    if (e instanceof DomainError) {
      const status = STATUS[e.kind];
      return { status, body: shape(status, e.message, { code: e.code }), retryAfter: e.retryAfterSeconds };
    }
    if (e instanceof HttpException) {
      const status = e.getStatus();
      const response = e.getResponse();
      const body = typeof response === 'string' ? shape(status, response) : { ...(response as object) };
      if (!('statusCode' in body)) Object.assign(body, { statusCode: status });
      return { status, body };
    }
    if (parser.type && parser.status && parser.status >= 400 && parser.status < 500) {
      return { status: parser.status, body: shape(parser.status, parser.message ?? 'bad request') };
    }
    const errorId = randomUUID();
    const dataError = databaseDataError(e);
    if (dataError) {
      // A value PostgreSQL refused (SQLSTATE class 22 or 54000): input the validation let through. The
      // request is still wrong, not the server; logged, because the validation should say it first.
      this.logger.warn({ errorId, sqlstate: dataError.code, method: req.method, path: req.path }, 'a value the database refused reached it');
      return { status: 400, body: shape(400, `a value in the request cannot be stored: ${dataError.message}`, { errorId }) };
    }
    const outage = databaseOutage(e);
    if (outage) {
      this.logger.error({ errorId, reason: outage, path: req.path }, 'database unavailable');
      return { status: 503, body: shape(503, `the database is unavailable; retry shortly (error id ${errorId})`, { errorId }), retryAfter: 5 };
    }
    this.logger.error({ errorId, err: e, method: req.method, path: req.path }, 'unexpected error');
    return { status: 500, body: shape(500, `internal error (error id ${errorId})`, { errorId }) };
  }
}

function shape(status: number, message: string, extra: Record<string, unknown> = {}) {
  return { statusCode: status, error: HttpStatus[status] ? reason(status) : 'Error', message, ...extra };
}

/** "NOT_FOUND" -> "Not Found", the way NestJS spells its `error` field. */
function reason(status: number): string {
  if (status === 413) return 'Payload Too Large';
  return String(HttpStatus[status])
    .toLowerCase()
    .split('_')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
}

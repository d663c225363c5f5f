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
  rate_limited: 429,
  unavailable: 503,
};

/** pg/Node codes that mean "the database is not answering", not "the request was wrong". */
const UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300', '08006', '08001', '08003']);

/**
 * The one place where errors become HTTP answers, all in NestJS's standard shape
 * `{ statusCode, error, message }` (API.md), plus `code` for domain errors.
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
    if (retryAfter) res.setHeader('Retry-After', String(retryAfter));
    res.status(status).json(body);
  }

  private toAnswer(e: unknown, req: Request): { status: number; body: Record<string, unknown>; retryAfter?: number } {
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
    // Errors from express's body parser arrive as plain errors carrying a status.
    const parser = e as { type?: string; status?: number; limit?: number; message?: string };
    if (parser.type === 'entity.too.large') {
      return { status: 413, body: shape(413, `request body is larger than the limit of ${parser.limit} bytes`) };
    }
    if (parser.type === 'entity.parse.failed') {
      return { status: 400, body: shape(400, `malformed JSON in request body: ${parser.message}`) };
    }
    if (parser.type && parser.status && parser.status >= 400 && parser.status < 500) {
      return { status: parser.status, body: shape(parser.status, parser.message ?? 'bad request') };
    }
    const code = (e as { code?: string; driverError?: { code?: string } }).code ?? (e as QueryFailedError & { driverError?: { code?: string } }).driverError?.code;
    const errorId = randomUUID();
    if (code && UNAVAILABLE.has(code)) {
      this.logger.error({ errorId, code, path: req.path }, 'database unavailable');
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

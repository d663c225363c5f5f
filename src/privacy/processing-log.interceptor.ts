import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { Counter } from 'prom-client';
import { catchError, mergeMap, Observable, throwError } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/authenticated-operator.js';
import { Metrics } from '../metrics/metrics.js';
import { PROCESSING_KEY, type ProcessingDeclaration } from './processing.decorator.js';
import { ProcessingLog, type ProcessingActor, type ProcessingLogEntry } from './processing-log.service.js';

/**
 * What the interceptor reads from a request. A guard that authenticates something other than an
 * operator (a panel's signature check) sets `processingActor`, e.g. `{ type: 'panel', id }`.
 */
export type ProcessingRequest = AuthenticatedRequest & {
  processingActor?: ProcessingActor;
  id?: unknown;
  /** Set by a handler that wrote its own success entry in its transaction (so it is not written twice). */
  processingLogged?: boolean;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Logs every execution of a route declaring @Processing (routes with @NoPersonalData are not
 * logged): who, which operation under which basis, whose data (ids), and the outcome.
 *
 * On success the entry is written after the handler and before the response leaves, so a client
 * that has its answer can already find the entry. If that write fails, the response still goes
 * out, and the failure is logged with the entry (ids only) and counted in
 * keyholder_processing_log_failures_total. Why not a 500: the processing has already happened and
 * committed; a 500 would not undo it, would make clients retry writes that succeeded, and would let
 * a log outage stop the alarm central, which is a safety service. The error log line carries what
 * the entry would have said, so accountability has a trail, and the counter is what to alert on.
 * Where an entry must exist if and only if the processing happened, the handler should write it
 * with `ProcessingLog.record(entry, { manager })` inside its own transaction, and set
 * `req.processingLogged` so it is not written again here (the panel events do: it is also one
 * commit fewer per signal).
 *
 * On failure (the handler or a pipe threw) the error is rethrown unchanged, and the entry is
 * written once the error filter has answered, with the status it chose (4xx: refused, 5xx: error).
 */
@Injectable()
export class ProcessingLogInterceptor implements NestInterceptor {
  private readonly logger = new Logger(ProcessingLogInterceptor.name);
  private readonly failures: Counter;

  constructor(
    private readonly reflector: Reflector,
    private readonly log: ProcessingLog,
    metrics: Metrics,
  ) {
    this.failures = new Counter({
      name: 'keyholder_processing_log_failures_total',
      help: 'Executions of declared operations whose processing-log entry could not be written',
      registers: [metrics.registry],
    });
  }

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const handler = ctx.getHandler();
    const declaration = this.reflector.getAllAndOverride<ProcessingDeclaration | undefined>(PROCESSING_KEY, [handler, ctx.getClass()]);
    if (!declaration) return next.handle();

    const http = ctx.switchToHttp();
    const req = http.getRequest<ProcessingRequest>();
    const res = http.getResponse<Response>();
    const entry = (subjectIds: string[], outcome: ProcessingLogEntry['outcome'], httpStatus: number | null): ProcessingLogEntry => ({
      actor: actorOf(req),
      operation: declaration.operation,
      legalBasis: declaration.legalBasis,
      purpose: declaration.purpose,
      subjectIds,
      outcome,
      httpStatus,
      requestId: typeof req.id === 'string' ? req.id.slice(0, 100) : null,
    });
    const successStatus = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, handler) ?? (req.method === 'POST' ? 201 : 200);

    return next.handle().pipe(
      mergeMap(async (body: unknown) => {
        if (req.processingLogged) return body;
        await this.write(entry(subjectIdsOf(req.params, req.query, body), 'success', successStatus));
        return body;
      }),
      catchError((err: unknown) => {
        res.once('close', () => {
          const status = res.headersSent ? res.statusCode : null;
          const outcome = status !== null && status < 500 ? 'refused' : 'error';
          void this.write(entry(subjectIdsOf(req.params, req.query, undefined), outcome, status));
        });
        return throwError(() => err);
      }),
    );
  }

  private async write(entry: ProcessingLogEntry): Promise<void> {
    try {
      await this.log.record(entry);
    } catch (e) {
      this.failures.inc();
      const { actor, operation, legalBasis, subjectIds, outcome, httpStatus, requestId } = entry;
      this.logger.error(
        { err: e, lostEntry: { actor, operation, legalBasis, subjectIds, outcome, httpStatus, requestId } },
        'processing log entry could not be written',
      );
    }
  }
}

function actorOf(req: ProcessingRequest): ProcessingActor {
  if (req.processingActor) return req.processingActor;
  if (req.operator) return { type: 'operator', id: req.operator.id };
  return { type: 'public', id: null };
}

/**
 * Whose data a request touched, as far as an HTTP exchange shows it: UUIDs in the route params and
 * the query string, the `id` of the response body and the ids of its `items` (list responses).
 */
export function subjectIdsOf(params: unknown, query: unknown, body: unknown): string[] {
  const ids = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string' && UUID.test(v)) ids.add(v.toLowerCase());
  };
  for (const source of [params, query]) {
    if (!source || typeof source !== 'object') continue;
    for (const v of Object.values(source as Record<string, unknown>)) {
      if (Array.isArray(v)) v.forEach(add);
      else add(v);
    }
  }
  if (body && typeof body === 'object') {
    const b = body as { id?: unknown; items?: unknown };
    add(b.id);
    if (Array.isArray(b.items)) for (const item of b.items) add((item as { id?: unknown } | null)?.id);
  }
  return [...ids];
}

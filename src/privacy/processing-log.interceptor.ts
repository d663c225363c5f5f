import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { Counter } from 'prom-client';
import { catchError, mergeMap, Observable, throwError } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/authenticated-operator.js';
import { Metrics } from '../metrics/metrics.js';
import { PROCESSING_KEY, type ProcessingDeclaration } from './processing.decorator.js';
import { ProcessingLog, type ProcessingActor, type ProcessingLogEntry } from './processing-log.service.js';
import { UnidentifiedRefusals } from './unidentified-refusals.js';
import { isUuid } from '../common/uuid.js';

/**
 * What the interceptor reads from a request. A guard that authenticates something other than an
 * operator (a panel's or Twilio's signature check) sets `processingActor`, e.g. `{ type: 'panel', id }`;
 * so does a handler that identifies its caller itself (the login).
 */
export type ProcessingRequest = AuthenticatedRequest & {
  processingActor?: ProcessingActor;
  /** Whose data the handler acted on besides its route params and its answer's ids: see `nameSubjects`. */
  processingSubjects?: string[];
  id?: unknown;
  /** Set by a handler that wrote its own success entry in its transaction (so it is not written twice). */
  processingLogged?: boolean;
};

/**
 * Logs every execution of a route declaring @Processing (routes with @NoPersonalData are not
 * logged) by an identified caller: who (an operator, a panel or Twilio that proved who it is), which
 * operation under which basis, whose data (ids), and the outcome. Whose data is what the handler
 * acted on: its route params, the ids of its answer, and what it named with `nameSubjects`; never the
 * query string, which says only what the caller asked for.
 *
 * A refusal of a caller nobody identified (a failed login, a webhook without a valid signature) is
 * not processing of anyone's data and is no one's accountability: it goes to the app log, capped
 * (UnidentifiedRefusals), so that anyone on the internet cannot fill the append-only log, let alone
 * with rows naming whom they like. An identified operator's refusals (a role not allowed, an unknown
 * id, a conflict, invalid input) are written, with the outcome `refused`: that is staff accountability.
 * A guard that refuses, which runs before any interceptor, reports it with `refusedBeforeHandler`.
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
  private readonly unidentified = new UnidentifiedRefusals(this.logger);

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
    const declaration = this.declarationOf(ctx);
    if (!declaration) return next.handle();
    const http = ctx.switchToHttp();
    const req = http.getRequest<ProcessingRequest>();
    const handler = ctx.getHandler();
    const successStatus = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, handler) ?? (req.method === 'POST' ? 201 : 200);

    return next.handle().pipe(
      mergeMap(async (body: unknown) => {
        // Written whoever the caller is: the processing happened. Every declared route that
        // succeeds for a caller has identified it by then (a token, a signature, a password).
        if (req.processingLogged) return body;
        await this.write(entryOf(req, declaration, subjectIdsOf(req.params, req.processingSubjects, body), 'success', successStatus));
        return body;
      }),
      catchError((err: unknown) => {
        this.afterRefusal(req, http.getResponse<Response>(), declaration);
        return throwError(() => err);
      }),
    );
  }

  /**
   * For a guard that refuses a request to a declared route: guards run before interceptors, so
   * `intercept` never sees it. Call it, then throw as usual; the refusal is logged like a handler's.
   */
  refusedBeforeHandler(ctx: ExecutionContext): void {
    const declaration = this.declarationOf(ctx);
    if (!declaration) return;
    const http = ctx.switchToHttp();
    this.afterRefusal(http.getRequest<ProcessingRequest>(), http.getResponse<Response>(), declaration);
  }

  private declarationOf(ctx: ExecutionContext): ProcessingDeclaration | undefined {
    if (ctx.getType() !== 'http') return undefined;
    return this.reflector.getAllAndOverride<ProcessingDeclaration | undefined>(PROCESSING_KEY, [ctx.getHandler(), ctx.getClass()]);
  }

  /** Once the error filter has answered, with the status it chose. */
  private afterRefusal(req: ProcessingRequest, res: Response, declaration: ProcessingDeclaration): void {
    res.once('close', () => {
      const status = res.headersSent ? res.statusCode : null;
      const actor = identifiedActorOf(req);
      if (!actor) {
        this.unidentified.refused({ operation: declaration.operation, httpStatus: status, requestId: requestIdOf(req) });
        return;
      }
      const outcome = status !== null && status < 500 ? 'refused' : 'error';
      void this.write(entryOf(req, declaration, subjectIdsOf(req.params, req.processingSubjects, undefined), outcome, status));
    });
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

/**
 * For a handler: names whose data it acted on (customers, contacts, alarms, by id) when neither its
 * route params nor its answer show it, e.g. a webhook whose message turned out to be a customer's,
 * or a list filtered by a customer. Ids that are not UUIDs, and null or undefined, are left out.
 */
export function nameSubjects(req: Request, ...ids: Array<string | null | undefined>): void {
  const r = req as ProcessingRequest;
  r.processingSubjects = [...(r.processingSubjects ?? []), ...ids.filter((id): id is string => typeof id === 'string')];
}

function entryOf(
  req: ProcessingRequest,
  declaration: ProcessingDeclaration,
  subjectIds: string[],
  outcome: ProcessingLogEntry['outcome'],
  httpStatus: number | null,
): ProcessingLogEntry {
  return {
    actor: identifiedActorOf(req) ?? { type: 'public', id: null },
    operation: declaration.operation,
    legalBasis: declaration.legalBasis,
    purpose: declaration.purpose,
    subjectIds,
    outcome,
    httpStatus,
    requestId: requestIdOf(req),
  };
}

const requestIdOf = (req: ProcessingRequest): string | null => (typeof req.id === 'string' ? req.id.slice(0, 100) : null);

/** Who the caller proved to be (a guard or the handler said so), or undefined for nobody yet. */
function identifiedActorOf(req: ProcessingRequest): ProcessingActor | undefined {
  if (req.processingActor) return req.processingActor;
  if (req.operator) return { type: 'operator', id: req.operator.id };
  return undefined;
}

/**
 * Whose data a request touched: UUIDs in the route params, the ids the handler named
 * (`nameSubjects`), the `id` of the response body and the ids of its `items` (list responses).
 * Never the query string: anyone can put any id there, and a lookup that found nothing touched no one.
 */
export function subjectIdsOf(params: unknown, named: readonly unknown[] | undefined, body: unknown): string[] {
  const ids = new Set<string>();
  const add = (v: unknown) => {
    if (isUuid(v)) ids.add(v.toLowerCase());
  };
  if (params && typeof params === 'object') {
    for (const v of Object.values(params as Record<string, unknown>)) {
      if (Array.isArray(v)) v.forEach(add);
      else add(v);
    }
  }
  named?.forEach(add);
  if (body && typeof body === 'object') {
    const b = body as { id?: unknown; items?: unknown };
    add(b.id);
    if (Array.isArray(b.items)) for (const item of b.items) add((item as { id?: unknown } | null)?.id);
  }
  return [...ids];
}

import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus's text exposition format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** One registry per app instance, so several apps in one test process do not collide. */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'keyholder_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  /**
   * SMS not sent because of what the central decided, by reason: a send policy refusal code (stored
   * as `refused`, e.g. `country_not_allowed`, `opted_out`), or a daily cap (`operator_cap`,
   * `central_cap`: nothing stored, the operator's request answered 429, or a reply refused).
   */
  readonly smsRefused = new Counter({
    name: 'keyholder_sms_refused_total',
    help: 'Outbound SMS refused before reaching the provider, by reason (send policy refusal code, operator_cap, central_cap)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * The database pool as a storm shows it: connections in use, and callers waiting for one, people
   * apart from machines (PeopleFirstPool). Read at each scrape.
   */
  watchConnections(pool: { inUse: number; waiting: { people: number; machines: number } }): void {
    new Gauge({
      name: 'keyholder_db_connections_in_use',
      help: 'Pooled database connections in use',
      registers: [this.registry],
      collect() {
        this.set(pool.inUse);
      },
    });
    new Gauge({
      name: 'keyholder_db_connections_waiting',
      help: 'Callers waiting for a pooled database connection: people (served first) and machines',
      labelNames: ['for'] as const,
      registers: [this.registry],
      collect() {
        this.set({ for: 'people' }, pool.waiting.people);
        this.set({ for: 'machines' }, pool.waiting.machines);
      },
    });
  }
}

@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: Metrics) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const end = this.metrics.httpDuration.startTimer();
    res.on('finish', () => {
      // The route pattern (/api/customers/:id), never the concrete path: ids would explode cardinality.
      const route = (req.route as { path?: string } | undefined)?.path;
      end({ method: req.method, route: route ? `${req.baseUrl}${route}` : 'unmatched', status: String(res.statusCode) });
    });
    next();
  }
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { DomainError } from '../common/domain-error.js';
import { MetricsAccess } from './metrics-access.js';
import { Metrics, METRICS_CONTENT_TYPE } from './metrics.js';

/**
 * With METRICS_PORT, /metrics is served on a listener of its own (and PORT answers 404 for it), so
 * the port the world reaches (panels, Twilio, operators) does not show it: the scraper reaches this
 * one over a network the operator chooses. It serves nothing else.
 */
@Injectable()
export class MetricsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsListener.name);
  private server?: Server;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
    private readonly access: MetricsAccess,
  ) {}

  /** The port it listens on (METRICS_PORT=0 picks a free one), while it does. */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { port, host } = this.config.metrics;
    if (port === null) return;
    const server = createServer((req, res) => void this.answer(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.logger.log(`/metrics is served on ${host ?? 'every interface'}, port ${this.port}, and not on PORT`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    // A scraper's kept-alive connection would hold close() open until it timed out.
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    await closed;
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method !== 'GET' || path !== '/metrics') throw new DomainError('not_found', 'not_found', `Cannot ${req.method} ${path.slice(0, 200)}`);
      this.access.check(req.headers.authorization);
      const text = await this.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE }).end(text);
    } catch (e) {
      const status = e instanceof DomainError ? (e.kind === 'unauthenticated' ? 401 : 404) : 500;
      const error = { 401: 'Unauthorized', 404: 'Not Found', 500: 'Internal Server Error' }[status];
      const message = e instanceof DomainError ? e.message : 'the metrics could not be collected';
      if (status === 500) this.logger.error({ err: e }, 'collecting metrics failed');
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ statusCode: status, error, message }));
    }
  }
}

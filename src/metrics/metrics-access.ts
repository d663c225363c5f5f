import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { DomainError } from '../common/domain-error.js';

/**
 * Who may scrape /metrics: anyone (docs/api-contract.md#operations), or with METRICS_TOKEN only a scraper sending
 * `Authorization: Bearer <token>`, wherever /metrics is served (PORT or METRICS_PORT).
 */
@Injectable()
export class MetricsAccess {
  private readonly expected?: Buffer;

  constructor(config: AppConfig) {
    this.expected = config.metrics.token === undefined ? undefined : digest(config.metrics.token);
  }

  /** Throws 401 unless this Authorization header may scrape. */
  check(authorization: string | undefined): void {
    if (this.expected === undefined) return;
    const presented = /^Bearer (\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
    // Compared as digests: equal lengths whatever was sent, so the time taken says nothing about the token.
    if (presented === undefined || !timingSafeEqual(digest(presented), this.expected)) {
      throw new DomainError('unauthenticated', 'metrics_token_required', 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>');
    }
  }
}

const digest = (token: string) => createHash('sha256').update(token).digest();

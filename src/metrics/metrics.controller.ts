import { Controller, Get, Header, Headers } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/access.decorator.js';
import { DomainError } from '../common/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { NoPersonalData } from '../privacy/processing.decorator.js';
import { MetricsAccess } from './metrics-access.js';
import { Metrics, METRICS_CONTENT_TYPE } from './metrics.js';

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly access: MetricsAccess,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Public('Prometheus scrapes it; counters only (METRICS_TOKEN restricts it to a scraper with the token)')
  @NoPersonalData('aggregate counters and timings, labelled by route pattern, never by id or phone')
  @Header('Content-Type', METRICS_CONTENT_TYPE)
  scrape(@Headers('authorization') authorization?: string): Promise<string> {
    // Served on METRICS_PORT instead (MetricsListener): here it is as absent as any unknown path.
    if (this.config.metrics.port !== null) throw new DomainError('not_found', 'not_found', 'Cannot GET /metrics');
    this.access.check(authorization);
    return this.metrics.registry.metrics();
  }
}

import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../auth/access.decorator.js';
import { NoPersonalData } from '../privacy/processing.decorator.js';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
  ) {}

  /** 200 when the database answers within a second, 503 (with Retry-After) when it does not. */
  @Get()
  @Public('load balancers and container health checks')
  @NoPersonalData('reports only whether the database answers')
  async check(@Res({ passthrough: true }) res: Response) {
    try {
      return await this.health.check([() => this.db.pingCheck('database', { timeout: 1000 })]);
    } catch (e) {
      res.setHeader('Retry-After', '5');
      throw e;
    }
  }
}

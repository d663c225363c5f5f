import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Roles } from '../auth/access.decorator.js';
import { nameSubjects } from '../privacy/processing-log.interceptor.js';
import { Processing } from '../privacy/processing.decorator.js';
import { StatisticsQueryDto } from './statistics.dto.js';
import { STATISTICS_READ } from './statistics.processing.js';
import { compactInstant, StatisticsService, statisticsToCsv } from './statistics.service.js';

const DESCRIPTION = `Figures over the alarms opened in [from, to) (default: the last 7 days; at most 366 days).
Every time is in milliseconds from the alarm's opening, as { p50, p90, p99 } (PostgreSQL percentile_cont), or null when nothing could be measured:
- firstSmsMs: to the first alarm SMS (to the owner or a contact) handed to the SMS provider (its sent_at); alarms that texted nobody are not measured.
- firstAckMs: to an operator's first handling, the first entry an operator wrote on the alarm's timeline (an action, a call, a claim, a close). A reply code or a disarm acknowledges an alarm but is no operator's handling.
- closeMs: to closing; open alarms are not measured.
ackWithin30s / ackWithin60s: the share (0..1) of all the class's alarms an operator handled within 30 s / 60 s; null when there were none.
falseAlarms: closed as false_alarm. byOperator counts each alarm for the operator who handled it first.
bySite: the 10 premises (customers) with the most false alarms, rate = falseAlarms / alarms.
timeline: alarms opened and closed per UTC hour (ranges up to 31 days) or day, and how many were still open at its end.
format=csv: one row per class, operator and site.`;

@ApiTags('statistics')
@ApiBearerAuth()
@Controller('api/statistics')
export class StatisticsController {
  constructor(private readonly statistics: StatisticsService) {}

  @Get()
  @Roles('supervisor')
  @Processing(STATISTICS_READ)
  @ApiOperation({ summary: 'Response-time figures of the alarm central (EN 50518 style), per class, operator and site', description: DESCRIPTION })
  async read(@Query() q: StatisticsQueryDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { from, to } = this.statistics.range(q.from, q.to);
    const figures = await this.statistics.compute(from, to);
    // The operators and customers the figures name are the subjects of this read.
    nameSubjects(req, ...Object.keys(figures.byOperator), ...figures.bySite.map((s) => s.customerId));
    if (q.format !== 'csv') return figures;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="keyholder-statistics-${compactInstant(figures.from)}-${compactInstant(figures.to)}.csv"`);
    return statisticsToCsv(figures);
  }
}

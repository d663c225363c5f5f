import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Roles } from '../auth/access.decorator.js';
import { DomainError } from '../common/domain-error.js';
import { NoPersonalData, Processing } from './processing.decorator.js';
import { nameSubjects } from './processing-log.interceptor.js';
import { ProcessingLog } from './processing-log.service.js';
import { ProcessingLogSealer } from './processing-log.sealer.js';
import { ProcessingLogVerifier } from './processing-log.verifier.js';
import { PROCESSING_LOG_READ, PROCESSING_LOG_VERIFY, RECORD_OF_PROCESSING } from './privacy.processing.js';
import { ProcessingLogQueryDto, RopaQueryDto, searchWindow, VerifyQueryDto } from './privacy.dto.js';
import { RecordOfProcessing, ropaToCsv } from './record-of-processing.js';

@ApiTags('privacy')
@ApiBearerAuth()
@Controller('api/privacy')
export class PrivacyController {
  constructor(
    private readonly log: ProcessingLog,
    private readonly sealer: ProcessingLogSealer,
    private readonly verifier: ProcessingLogVerifier,
    private readonly ropa: RecordOfProcessing,
  ) {}

  @Get('processing-log')
  @Roles('dpo')
  @Processing(PROCESSING_LOG_READ)
  search(@Query() q: ProcessingLogQueryDto, @Req() req: Request) {
    // Reading a subject's entries is processing of that subject, whether or not any are found.
    nameSubjects(req, q.subjectId);
    const { from, to } = searchWindow(q.from, q.to);
    // ISO 8601 allows forms (week dates, ordinal dates) that JavaScript cannot read as an instant.
    if (from && isNaN(from.getTime())) throw new DomainError('invalid', 'bad_date', 'from must be a calendar date or date-time, e.g. 2025-01-31');
    if (to && isNaN(to.getTime())) throw new DomainError('invalid', 'bad_date', 'to must be a calendar date or date-time, e.g. 2025-01-31');
    if (from && to && from >= to) throw new DomainError('invalid', 'bad_date_range', 'from must be before to');
    return this.log.search({ subjectId: q.subjectId, from, to, page: q.page ?? 1, limit: q.limit ?? 50 });
  }

  @Get('processing-log/verify')
  @Roles('dpo')
  @Processing(PROCESSING_LOG_VERIFY)
  verify(@Query() q: VerifyQueryDto) {
    if ((q.position === undefined) !== (q.hash === undefined)) {
      throw new DomainError('invalid', 'anchor_incomplete', 'position and hash go together: both from the same head, or neither');
    }
    if (q.from && q.position !== undefined) {
      throw new DomainError('invalid', 'anchor_with_checkpoint', 'an anchor is checked against the whole chain: leave out from=checkpoint');
    }
    return this.verifier.verify(q.position !== undefined ? { position: q.position, hash: q.hash! } : undefined, { fromCheckpoint: q.from === 'checkpoint' });
  }

  /** The chain's head now: note it outside the database (an anchor), and verify can later tell a cut tail. */
  @Get('processing-log/head')
  @Roles('dpo')
  @NoPersonalData('a chain position and a hash: nothing about anyone')
  async head() {
    return (await this.sealer.head()) ?? { position: 0, hash: null };
  }

  @Get('ropa')
  @Roles('dpo')
  @Processing(RECORD_OF_PROCESSING)
  record(@Query() q: RopaQueryDto, @Res({ passthrough: true }) res: Response) {
    const ropa = this.ropa.build();
    if (q.format !== 'csv') return ropa;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="record-of-processing-${ropa.generatedAt.slice(0, 10)}.csv"`);
    return ropaToCsv(ropa);
  }
}

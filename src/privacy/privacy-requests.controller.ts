import { Body, Controller, Get, Header, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Roles } from '../auth/access.decorator.js';
import { CurrentOperator, type AuthenticatedOperator } from '../auth/authenticated-operator.js';
import { uuidParam } from '../common/uuid-param.js';
import { CreatePrivacyRequestDto, PrivacyRequestQueryDto, UpdatePrivacyRequestDto } from './privacy-requests.dto.js';
import {
  PRIVACY_REQUEST_ERASURE,
  PRIVACY_REQUEST_EXPORT,
  PRIVACY_REQUEST_READ,
  PRIVACY_REQUEST_REGISTER,
  PRIVACY_REQUEST_UPDATE,
} from './privacy-requests.processing.js';
import { PrivacyRequests } from './privacy-requests.service.js';
import { Processing } from './processing.decorator.js';
import { nameSubjects } from './processing-log.interceptor.js';

/** The register of data subjects' requests (docs/api-contract.md#privacy). Each write names the request's subject in the processing log. */
@ApiTags('privacy')
@ApiBearerAuth()
@Controller('api/privacy/requests')
export class PrivacyRequestsController {
  constructor(private readonly requests: PrivacyRequests) {}

  @Post()
  @Roles('dpo')
  @Processing(PRIVACY_REQUEST_REGISTER)
  async register(@Body() dto: CreatePrivacyRequestDto, @CurrentOperator() operator: AuthenticatedOperator, @Req() req: Request) {
    const created = await this.requests.register(dto, operator.id);
    nameSubjects(req, created.subjectId);
    return created;
  }

  @Get()
  @Roles('dpo')
  @Processing(PRIVACY_REQUEST_READ)
  list(@Query() q: PrivacyRequestQueryDto) {
    return this.requests.list(q);
  }

  @Get(':id')
  @Roles('dpo')
  @Processing(PRIVACY_REQUEST_READ)
  async get(@Param('id', uuidParam('id')) id: string, @Req() req: Request) {
    const request = await this.requests.get(id);
    nameSubjects(req, request.subjectId);
    return request;
  }

  @Patch(':id')
  @Roles('dpo')
  @Processing(PRIVACY_REQUEST_UPDATE)
  async update(@Param('id', uuidParam('id')) id: string, @Body() dto: UpdatePrivacyRequestDto, @Req() req: Request) {
    const updated = await this.requests.update(id, dto);
    nameSubjects(req, updated.subjectId);
    return updated;
  }

  @Post(':id/export')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Roles('dpo')
  @Processing(PRIVACY_REQUEST_EXPORT)
  async export(@Param('id', uuidParam('id')) id: string, @CurrentOperator() operator: AuthenticatedOperator, @Req() req: Request) {
    const { request, document } = await this.requests.export(id, operator.id);
    nameSubjects(req, request.subject_id);
    return document;
  }

  @Post(':id/erasure')
  @HttpCode(200)
  @Roles('dpo')
  @Processing(PRIVACY_REQUEST_ERASURE)
  async erase(@Param('id', uuidParam('id')) id: string, @CurrentOperator() operator: AuthenticatedOperator, @Req() req: Request) {
    const { request, result } = await this.requests.erase(id, operator.id);
    nameSubjects(req, request.subject_id);
    return result;
  }
}

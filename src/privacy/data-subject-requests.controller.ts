import { Controller, Delete, Get, Header, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles } from '../auth/access.decorator.js';
import { CurrentOperator, type AuthenticatedOperator } from '../auth/authenticated-operator.js';
import { uuidParam } from '../common/uuid-param.js';
import { Erasure } from './erasure.js';
import { SUBJECT_ERASURE, SUBJECT_EXPORT, SUBJECT_RESTRICTION } from './privacy-rights.processing.js';
import { Processing } from './processing.decorator.js';
import { Restriction } from './restriction.js';
import { SubjectAccess } from './subject-access.js';

/** Data-subject requests (API.md, Privacy): export, erasure, restriction, for a customer or one contact. */
@ApiTags('privacy')
@ApiBearerAuth()
@Controller('api/customers/:id')
export class DataSubjectRequestsController {
  constructor(
    private readonly access: SubjectAccess,
    private readonly erasure: Erasure,
    private readonly restriction: Restriction,
  ) {}

  @Get('export')
  @Header('Cache-Control', 'no-store')
  @Roles('dpo')
  @Processing(SUBJECT_EXPORT)
  async exportCustomer(@Param('id', uuidParam('id')) id: string, @Res({ passthrough: true }) res: Response) {
    const data = await this.access.customer(id);
    attachment(res, `customer-${id}`, data.generatedAt);
    return data;
  }

  @Get('contacts/:contactId/export')
  @Header('Cache-Control', 'no-store')
  @Roles('dpo')
  @Processing(SUBJECT_EXPORT)
  async exportContact(
    @Param('id', uuidParam('id')) id: string,
    @Param('contactId', uuidParam('contactId')) contactId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    const data = await this.access.contact(id, contactId);
    attachment(res, `contact-${contactId}`, data.generatedAt);
    return data;
  }

  @Post('erasure')
  @HttpCode(200)
  @Roles('dpo')
  @Processing(SUBJECT_ERASURE)
  eraseCustomer(@Param('id', uuidParam('id')) id: string, @CurrentOperator() operator: AuthenticatedOperator) {
    return this.erasure.eraseCustomer(id, { type: 'operator', id: operator.id });
  }

  @Post('contacts/:contactId/erasure')
  @HttpCode(200)
  @Roles('dpo')
  @Processing(SUBJECT_ERASURE)
  eraseContact(
    @Param('id', uuidParam('id')) id: string,
    @Param('contactId', uuidParam('contactId')) contactId: string,
    @CurrentOperator() operator: AuthenticatedOperator,
  ) {
    return this.erasure.eraseContact(id, contactId, { type: 'operator', id: operator.id });
  }

  @Post('restriction')
  @HttpCode(200)
  @Roles('dpo')
  @Processing(SUBJECT_RESTRICTION)
  restrictCustomer(@Param('id', uuidParam('id')) id: string) {
    return this.restriction.setCustomer(id, true);
  }

  @Delete('restriction')
  @Roles('dpo')
  @Processing(SUBJECT_RESTRICTION)
  liftCustomer(@Param('id', uuidParam('id')) id: string) {
    return this.restriction.setCustomer(id, false);
  }

  @Post('contacts/:contactId/restriction')
  @HttpCode(200)
  @Roles('dpo')
  @Processing(SUBJECT_RESTRICTION)
  restrictContact(@Param('id', uuidParam('id')) id: string, @Param('contactId', uuidParam('contactId')) contactId: string) {
    return this.restriction.setContact(id, contactId, true);
  }

  @Delete('contacts/:contactId/restriction')
  @Roles('dpo')
  @Processing(SUBJECT_RESTRICTION)
  liftContact(@Param('id', uuidParam('id')) id: string, @Param('contactId', uuidParam('contactId')) contactId: string) {
    return this.restriction.setContact(id, contactId, false);
  }
}

function attachment(res: Response, name: string, generatedAt: string): void {
  res.setHeader('Content-Disposition', `attachment; filename="keyholder-export-${name}-${generatedAt.slice(0, 10)}.json"`);
}

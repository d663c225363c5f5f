import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Roles } from '../auth/access.decorator.js';
import { CurrentOperator, type AuthenticatedOperator } from '../auth/authenticated-operator.js';
import { uuidParam } from '../common/uuid-param.js';
import { Erasure } from './erasure.js';
import { SUBJECT_ERASURE, SUBJECT_EXPORT, SUBJECT_RESTRICTION } from './privacy-rights.processing.js';
import { nameSubjects } from './processing-log.interceptor.js';
import { Processing } from './processing.decorator.js';
import { Restriction } from './restriction.js';
import { LiftRestrictionDto, RestrictDto } from './restriction.dto.js';
import { SubjectAccess } from './subject-access.js';

/** Data-subject requests (docs/api-contract.md#privacy): export, erasure, restriction, for a customer or one contact. */
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
  async restrictCustomer(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: RestrictDto,
    @CurrentOperator() operator: AuthenticatedOperator,
    @Req() req: Request,
  ) {
    const view = await this.restriction.restrict({ type: 'customer', id }, { ground: body?.ground, by: operator.id });
    // Art. 19: the log entry names the contacts who were told.
    nameSubjects(req, ...view.recipientsInformed.map((r) => r.contactId));
    return view;
  }

  @Delete('restriction')
  @Roles('dpo')
  @Processing(SUBJECT_RESTRICTION)
  liftCustomer(@Param('id', uuidParam('id')) id: string, @Body() body: LiftRestrictionDto, @CurrentOperator() operator: AuthenticatedOperator) {
    return this.restriction.lift({ type: 'customer', id }, { notifiedAt: body?.notifiedAt, by: operator.id });
  }

  @Post('contacts/:contactId/restriction')
  @HttpCode(200)
  @Roles('dpo')
  @Processing(SUBJECT_RESTRICTION)
  restrictContact(
    @Param('id', uuidParam('id')) id: string,
    @Param('contactId', uuidParam('contactId')) contactId: string,
    @Body() body: RestrictDto,
    @CurrentOperator() operator: AuthenticatedOperator,
  ) {
    return this.restriction.restrict({ type: 'contact', id: contactId, customerId: id }, { ground: body?.ground, by: operator.id });
  }

  @Delete('contacts/:contactId/restriction')
  @Roles('dpo')
  @Processing(SUBJECT_RESTRICTION)
  liftContact(
    @Param('id', uuidParam('id')) id: string,
    @Param('contactId', uuidParam('contactId')) contactId: string,
    @Body() body: LiftRestrictionDto,
    @CurrentOperator() operator: AuthenticatedOperator,
  ) {
    return this.restriction.lift({ type: 'contact', id: contactId, customerId: id }, { notifiedAt: body?.notifiedAt, by: operator.id });
  }
}

function attachment(res: Response, name: string, generatedAt: string): void {
  res.setHeader('Content-Disposition', `attachment; filename="keyholder-export-${name}-${generatedAt.slice(0, 10)}.json"`);
}

import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Roles } from '../auth/access.decorator.js';
import { CurrentOperator, type AuthenticatedOperator } from '../auth/authenticated-operator.js';
import { uuidParam } from '../common/uuid-param.js';
import { nameSubjects } from '../privacy/processing-log.interceptor.js';
import { Processing } from '../privacy/processing.decorator.js';
import { AlarmsService } from '../alarms/alarms.service.js';
import { AlarmBulkActions } from './alarm-bulk-actions.service.js';
import { AlarmCalls } from './alarm-calls.service.js';
import { AlarmClaims } from './alarm-claims.service.js';
import { AlarmCallDto, BulkAlarmActionDto, ClaimAlarmDto } from './alarm-handling.dto.js';
import { ALARM_BULK_ACTIONS, ALARM_CALLS, ALARM_CLAIMS, ALARM_HANDLERS_LIST } from './alarm-handling.processing.js';

/** How operators work alarms together: calls, who is handling, one action on many (docs/api-contract.md#operator-procedures). */
@ApiTags('alarms')
@ApiBearerAuth()
@Controller('api/alarms')
export class AlarmHandlingController {
  constructor(
    private readonly alarms: AlarmsService,
    private readonly calls: AlarmCalls,
    private readonly claims: AlarmClaims,
    private readonly bulk: AlarmBulkActions,
  ) {}

  /** One result per alarm, in the order asked; an alarm that cannot take the action does not fail the others. */
  @Post('actions')
  @HttpCode(200)
  @Roles('operator', 'supervisor')
  @Processing(ALARM_BULK_ACTIONS)
  async bulkAct(@Body() dto: BulkAlarmActionDto, @CurrentOperator() operator: AuthenticatedOperator, @Req() req: Request) {
    const { items, total, customerIds } = await this.bulk.act(dto, operator);
    nameSubjects(req, ...customerIds, ...items.filter((i) => i.status === 'ok').map((i) => i.alarmId));
    return { items, total };
  }

  /** Answers the call's id and the alarm as it is now, with its timeline. */
  @Post(':id/calls')
  @Roles('operator', 'supervisor')
  @Processing(ALARM_CALLS)
  async call(@Param('id', uuidParam('id')) id: string, @Body() dto: AlarmCallDto, @CurrentOperator() operator: AuthenticatedOperator) {
    const { callId } = await this.calls.record(id, dto, operator);
    return { callId, alarm: await this.alarms.get(id) };
  }

  /** Claims the alarm, or hands it to `operatorId`; answers the alarm as it is now. */
  @Post(':id/claim')
  @HttpCode(200)
  @Roles('operator', 'supervisor')
  @Processing(ALARM_CLAIMS)
  async claim(@Param('id', uuidParam('id')) id: string, @Body() dto: ClaimAlarmDto, @CurrentOperator() operator: AuthenticatedOperator) {
    await this.claims.claim(id, operator, dto.operatorId);
    return this.alarms.get(id);
  }

  @Delete(':id/claim')
  @Roles('operator', 'supervisor')
  @Processing(ALARM_CLAIMS)
  async release(@Param('id', uuidParam('id')) id: string, @CurrentOperator() operator: AuthenticatedOperator) {
    await this.claims.release(id, operator);
    return this.alarms.get(id);
  }
}

/**
 * Whom an alarm can be handed to: enabled accounts that work the queue, by name. The operators
 * register itself is the admin's; this is all a hand-over needs of it.
 */
@ApiTags('alarms')
@ApiBearerAuth()
@Controller('api/alarm-handlers')
export class AlarmHandlersController {
  constructor(private readonly claims: AlarmClaims) {}

  @Get()
  @Roles('operator', 'supervisor')
  @Processing(ALARM_HANDLERS_LIST)
  async list() {
    const items = await this.claims.handlers();
    return { items, total: items.length };
  }
}

import { Body, Controller, Get, Param, Post, Query, Req, Sse, type MessageEvent } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { Roles } from '../auth/access.decorator.js';
import { CurrentOperator, CurrentSession, type AuthenticatedOperator, type OperatorSessionRef } from '../auth/authenticated-operator.js';
import { SessionWatch } from '../auth/session-watch.js';
import { uuidParam } from '../common/uuid-param.js';
import { nameSubjects } from '../privacy/processing-log.interceptor.js';
import { Processing } from '../privacy/processing.decorator.js';
import { AlarmActions } from './alarm-actions.service.js';
import { AlarmFeed } from './alarm-feed.js';
import { AlarmActionDto, ListAlarmsQuery } from './alarms.dto.js';
import { ALARM_ACTIONS, ALARM_HANDLING } from './alarms.processing.js';
import { AlarmsService } from './alarms.service.js';

@ApiTags('alarms')
@ApiBearerAuth()
@Controller('api/alarms')
export class AlarmsController {
  constructor(
    private readonly alarms: AlarmsService,
    private readonly actions: AlarmActions,
    private readonly feed: AlarmFeed,
    private readonly sessionWatch: SessionWatch,
  ) {}

  /** Open alarms first, worst first (unreached, panic/duress, fire/gas/medical, the rest, technical), oldest first. */
  @Get()
  @Roles('operator', 'supervisor')
  @Processing({ ...ALARM_HANDLING, operation: 'alarms.list', purpose: "Show the operators' queue of alarms, worst first, so none is missed" })
  list(@Query() query: ListAlarmsQuery, @Req() req: Request) {
    // A filter by customer reads that customer's alarms, even when there are none.
    nameSubjects(req, query.customerId);
    return this.alarms.list(query);
  }

  /**
   * Server-sent events: one `alarm` event per change of any alarm, with the alarm as the list shows it,
   * for as long as the session that opened the stream lasts; then one `session_ended` event, and the end.
   */
  @Sse('stream')
  @Roles('operator', 'supervisor')
  @Processing({ ...ALARM_HANDLING, operation: 'alarms.stream', purpose: "Keep the operators' queue live: every change of an alarm as it happens" })
  stream(@CurrentSession() session: OperatorSessionRef): Observable<MessageEvent> {
    return this.sessionWatch.whileAlive(session, this.feed.events$, { type: 'session_ended', data: { message: 'the session has ended; log in again' } });
  }

  @Get(':id')
  @Roles('operator', 'supervisor')
  @Processing({ ...ALARM_HANDLING, operation: 'alarms.read', purpose: 'Show one alarm with its whole timeline, to handle it' })
  get(@Param('id', uuidParam('id')) id: string) {
    return this.alarms.get(id);
  }

  /** Records an outcome; answers the alarm as it is now, with its timeline. */
  @Post(':id/actions')
  @Roles('operator', 'supervisor')
  @Processing(ALARM_ACTIONS)
  async act(@Param('id', uuidParam('id')) id: string, @Body() dto: AlarmActionDto, @CurrentOperator() operator: AuthenticatedOperator) {
    await this.actions.act(id, dto, operator);
    return this.alarms.get(id);
  }
}

import { Module } from '@nestjs/common';
import { AlarmsModule } from '../alarms/alarms.module.js';
import { ClockModule } from '../common/clock.js';
import { AlarmBulkActions } from './alarm-bulk-actions.service.js';
import { AlarmCalls } from './alarm-calls.service.js';
import { AlarmClaims } from './alarm-claims.service.js';
import { AlarmHandlersController, AlarmHandlingController } from './alarm-handling.controller.js';
import { RetainedTables } from '../privacy/retention-rule.js';
import { ALARM_HANDLING_RETENTION } from './alarm-handling.retention.js';

/** Operators working alarms together: phone calls and their outcomes, who is handling, bulk actions. */
@RetainedTables(...ALARM_HANDLING_RETENTION)
@Module({
  imports: [AlarmsModule, ClockModule],
  controllers: [AlarmHandlingController, AlarmHandlersController],
  providers: [AlarmCalls, AlarmClaims, AlarmBulkActions],
})
export class AlarmHandlingModule {}

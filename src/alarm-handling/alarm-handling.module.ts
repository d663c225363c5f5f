import { Module } from '@nestjs/common';
import { AlarmsModule } from '../alarms/alarms.module.js';
import { AlarmBulkActions } from './alarm-bulk-actions.service.js';
import { AlarmCalls } from './alarm-calls.service.js';
import { AlarmClaims } from './alarm-claims.service.js';
import { AlarmHandlersController, AlarmHandlingController } from './alarm-handling.controller.js';

/** Operators working alarms together: phone calls and their outcomes, who is handling, bulk actions. */
@Module({
  imports: [AlarmsModule],
  controllers: [AlarmHandlingController, AlarmHandlersController],
  providers: [AlarmCalls, AlarmClaims, AlarmBulkActions],
})
export class AlarmHandlingModule {}

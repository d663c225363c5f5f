import { Module } from '@nestjs/common';
import { AlarmModelModule } from '../alarm-model/alarm-model.module.js';
import { SessionsModule } from '../auth/sessions.module.js';
import { ClockModule } from '../common/clock.js';
import { CustomersModule } from '../customers/customers.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { EscalationModule } from '../escalation/escalation.module.js';
import { PanelsModule } from '../panels/panels.module.js';
import { AlarmActions } from './alarm-actions.service.js';
import { AlarmFeed } from './alarm-feed.js';
import { AlarmOpening } from './alarm-opening.js';
import { AlarmsController } from './alarms.controller.js';
import { AlarmsService } from './alarms.service.js';
import { ArmingHistoryController } from './arming-history.controller.js';
import { PanelEventsController } from './panel-events.controller.js';
import { PanelEvents } from './panel-events.service.js';
import { PanelSignalBatch } from './panel-signal-batch.js';
import { PanelSecretCache } from './panel-secret-cache.js';
import { PanelSignatureGuard } from './panel-signature.guard.js';
import { PanelSupervision } from './panel-supervision.js';
import { PanelSupervisionDays } from './panel-supervision-day.js';
import { RetainedTables } from '../privacy/retention-rule.js';
import { ALARM_RETENTION } from './alarms.retention.js';

/**
 * Panel signals in and the alarms they open: signed panel events over HTTP (DC-09 frames reach the
 * same PanelEvents), alarms opened and joined by class and zone, the operators' alarm API and live
 * stream, arm/disarm history and panel supervision. Opening an alarm starts its escalation
 * (EscalationModule); the alarm row, its log and change announcements are the shared alarm model.
 */
@RetainedTables(...ALARM_RETENTION)
@Module({
  imports: [EscalationModule, AlarmModelModule, DatabaseModule, CustomersModule, PanelsModule, SessionsModule, ClockModule],
  controllers: [PanelEventsController, AlarmsController, ArmingHistoryController],
  providers: [
    PanelSecretCache,
    PanelSignatureGuard,
    PanelEvents,
    PanelSignalBatch,
    AlarmOpening,
    AlarmFeed,
    AlarmsService,
    AlarmActions,
    PanelSupervision,
    PanelSupervisionDays,
  ],
  exports: [AlarmsService, AlarmActions, PanelEvents],
})
export class AlarmsModule {}

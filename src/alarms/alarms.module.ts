import { Module } from '@nestjs/common';
import { SessionsModule } from '../auth/sessions.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { DatabaseNotifications } from '../database/database-notifications.js';
import { ClockModule } from '../common/clock.js';
import { Escalation } from '../escalation/escalation.js';
import { EscalationEngine } from '../escalation/escalation-engine.js';
import { EscalationSettings, EscalationSettingsController } from '../escalation/escalation-settings.js';
import { PanelsModule } from '../panels/panels.module.js';
import { AlarmActions } from './alarm-actions.service.js';
import { AlarmChanges } from './alarm-changes.js';
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
import { SMS_MODULE } from './sms-ports.js';
import { RetainedTables } from '../privacy/retention-rule.js';
import { ALARM_RETENTION } from './alarms.retention.js';

/**
 * Panel events, alarms and their escalation (issue 5): signed panel signals in, alarms opened by
 * class, the owner-first escalation by SMS (src/escalation/), the operators' alarm API and live
 * stream, arm/disarm history and panel supervision. Plugs the escalation into the SMS module's
 * ports (sms-ports.ts).
 */
@RetainedTables(...ALARM_RETENTION)
@Module({
  imports: [SMS_MODULE, CustomersModule, PanelsModule, SessionsModule, ClockModule],
  controllers: [PanelEventsController, AlarmsController, ArmingHistoryController, EscalationSettingsController],
  providers: [
    DatabaseNotifications,
    PanelSecretCache,
    PanelSignatureGuard,
    PanelEvents,
    PanelSignalBatch,
    AlarmOpening,
    AlarmChanges,
    AlarmFeed,
    AlarmsService,
    AlarmActions,
    Escalation,
    EscalationEngine,
    EscalationSettings,
    PanelSupervision,
    PanelSupervisionDays,
  ],
  exports: [AlarmsService, AlarmActions, EscalationEngine, ClockModule, PanelEvents, DatabaseNotifications],
})
export class AlarmsModule {}

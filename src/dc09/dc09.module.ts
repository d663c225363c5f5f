import { Module } from '@nestjs/common';
import { AlarmsModule } from '../alarms/alarms.module.js';
import { ClockModule } from '../common/clock.js';
import { DatabaseModule } from '../database/database.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { PanelsModule } from '../panels/panels.module.js';
import { Dc09Accounts } from './dc09-accounts.js';
import { Dc09Intake } from './dc09-intake.js';
import { Dc09Metrics } from './dc09-metrics.js';
import { Dc09Receiver } from './dc09-receiver.js';
import { Dc09SettingsController } from './dc09-settings.controller.js';

/**
 * Panels reporting over SIA DC-09 (TCP and UDP on DC09_PORT). Only the transport lives here: a
 * frame's events are handed to the same PanelEvents as an HTTP panel's.
 */
@Module({
  imports: [AlarmsModule, PanelsModule, MetricsModule, DatabaseModule, ClockModule],
  controllers: [Dc09SettingsController],
  providers: [Dc09Accounts, Dc09Intake, Dc09Metrics, Dc09Receiver],
  exports: [Dc09Receiver],
})
export class Dc09Module {}

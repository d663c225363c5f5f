import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from './auth/auth.module.js';
import { RouteDeclarations } from './common/route-declarations.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { appDataSourceOptions } from './database/data-source.js';
import { EmbeddedDatabaseModule, type EmbeddedDatabaseState } from './database/embedded-database-state.js';
import { HealthModule } from './health/health.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { OperatorsModule } from './operators/operators.module.js';
import { PrivacyModule } from './privacy/privacy.module.js';
import { CustomersModule } from './customers/customers.module.js';
import { ContactsModule } from './contacts/contacts.module.js';
import { PanelsModule } from './panels/panels.module.js';
import { AlarmsModule } from './alarms/alarms.module.js';
import { AlarmHandlingModule } from './alarm-handling/alarm-handling.module.js';
import { SmsModule } from './sms/sms.module.js';
import { EscalationModule } from './escalation/escalation.module.js';
import { EscalationContactGate } from './escalation/escalation-contact-gate.js';
import { AlarmReplyCodes } from './escalation/reply-codes.js';
import { PrivacyPolicyModule } from './privacy-policy/privacy-policy.module.js';
import { PrivacyRightsModule } from './privacy/privacy-rights.module.js';
import { Dc09Module } from './dc09/dc09.module.js';
import { ActionPlansModule } from './action-plans/action-plans.module.js';
import { PremisesModule } from './premises/premises.module.js';
import { StatisticsModule } from './statistics/statistics.module.js';
import { NamesModule } from './names/names.module.js';

@Module({})
export class AppModule {
  /**
   * `config.databaseUrl` must be resolved (embedded or given) before the app is built; with the
   * embedded database, its supervisor's state is shared with the app (/health reads it).
   */
  static forRoot(config: AppConfig, runtime: { embeddedDatabase?: EmbeddedDatabaseState } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        TypeOrmModule.forRoot({ ...appDataSourceOptions(config.databaseUrl!), autoLoadEntities: true }),
        ...(runtime.embeddedDatabase ? [EmbeddedDatabaseModule.forRoot(runtime.embeddedDatabase)] : []),
        DiscoveryModule,
        // Once for the whole app: the outbox sweeper, the log sealer and panel supervision all use it.
        ScheduleModule.forRoot(),
        MetricsModule,
        HealthModule,
        OperatorsModule,
        AuthModule,
        PrivacyModule,
        CustomersModule,
        ContactsModule,
        PanelsModule,
        // SMS for the whole app (a global module), answering its two ports with the escalation's rules.
        SmsModule.forRoot({ imports: [EscalationModule], alarmContactGate: EscalationContactGate, replyCodeHandler: AlarmReplyCodes }),
        AlarmsModule,
        AlarmHandlingModule,
        Dc09Module,
        PrivacyPolicyModule,
        PrivacyRightsModule,
        ActionPlansModule,
        PremisesModule,
        StatisticsModule,
        NamesModule,
      ],
      providers: [RouteDeclarations],
    };
  }
}

import { DynamicModule, Global, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config.js';
import { ClockModule } from '../common/clock.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { OutboxSmsSender } from './adapters/outbox-sms-sender.js';
import { TwilioSmsSender } from './adapters/twilio-sms-sender.js';
import { AlarmContactGate, NoAlarmContactGate } from './alarm-contact-gate.js';
import { SmsDailyCaps } from './daily-caps.js';
import { InboundSms } from './inbound-sms.js';
import { MessagesController } from './messages.controller.js';
import { MessagesService } from './messages.service.js';
import { ReplyCodeGuard } from './reply-code-guard.js';
import { ReplyCodeHandler, UnknownReplyCodeHandler } from './reply-code-handler.js';
import { SendPolicy } from './send-policy.js';
import { SmsMessage } from './sms-message.entity.js';
import { SmsOptOut } from './sms-opt-out.entity.js';
import { SmsDeliveryStatus } from './sms-delivery-status.js';
import { SmsDispatcher } from './sms-dispatcher.js';
import { SmsOutbox } from './sms-outbox.js';
import { SmsSender } from './sms-sender.js';
import { SmsSweeper } from './sms-sweeper.js';
import { TwilioSignatureGuard } from './twilio-signature.guard.js';
import { TwilioWebhooksController } from './twilio-webhooks.controller.js';
import { RetainedTables } from '../privacy/retention-rule.js';
import { SMS_RETENTION } from './sms.retention.js';

export interface SmsModuleOptions {
  /** The modules that provide and export the port implementations below (the escalation module). */
  imports?: ModuleMetadata['imports'];
  /** Answers "may contact X be texted for alarm Y now?"; default: never (NoAlarmContactGate). */
  alarmContactGate?: Type<AlarmContactGate>;
  /** Handles reply codes; default: every code is unknown (UnknownReplyCodeHandler). */
  replyCodeHandler?: Type<ReplyCodeHandler>;
}

/**
 * SMS in and out: the send policy every outbound SMS passes, the durable outbox it is written to
 * (SmsOutbox), the dispatcher that hands it to the provider (SmsDispatcher), its status as the
 * provider reports it (SmsDeliveryStatus) and the sweeper behind them (SmsSweeper); the provider
 * itself (Twilio, or the outbox adapter that sends nothing), Twilio's webhooks and GET /api/messages.
 * Global: configured once, in AppModule, and every module uses SmsOutbox (enqueue, statusChanges$)
 * and InboundSms (optOuts$) without importing it. SMS knows nothing of alarms: the escalation
 * answers its two ports (sms/alarm-contact-gate.ts, sms/reply-code-handler.ts), e.g.
 * `SmsModule.forRoot({ imports: [EscalationModule], alarmContactGate: EscalationContactGate, replyCodeHandler: AlarmReplyCodes })`.
 */
@RetainedTables(...SMS_RETENTION)
@Global()
@Module({})
export class SmsModule {
  static forRoot(options: SmsModuleOptions = {}): DynamicModule {
    return {
      module: SmsModule,
      global: true,
      imports: [TypeOrmModule.forFeature([SmsMessage, SmsOptOut]), ClockModule, MetricsModule, ...(options.imports ?? [])],
      controllers: [MessagesController, TwilioWebhooksController],
      providers: [
        {
          provide: SmsSender,
          inject: [AppConfig],
          useFactory: (config: AppConfig): SmsSender =>
            config.sms.provider === 'twilio' && config.sms.twilio ? new TwilioSmsSender(config.sms.twilio) : new OutboxSmsSender(),
        },
        options.alarmContactGate
          ? { provide: AlarmContactGate, useExisting: options.alarmContactGate }
          : { provide: AlarmContactGate, useClass: NoAlarmContactGate },
        options.replyCodeHandler
          ? { provide: ReplyCodeHandler, useExisting: options.replyCodeHandler }
          : { provide: ReplyCodeHandler, useClass: UnknownReplyCodeHandler },
        SendPolicy,
        SmsDailyCaps,
        SmsOutbox,
        SmsDispatcher,
        SmsDeliveryStatus,
        SmsSweeper,
        InboundSms,
        ReplyCodeGuard,
        MessagesService,
        TwilioSignatureGuard,
      ],
      exports: [SmsOutbox, InboundSms, SendPolicy, SmsSender],
    };
  }
}

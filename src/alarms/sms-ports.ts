import { SmsModule, type SmsModuleOptions } from '../sms/sms.module.js';
import { EscalationContactGate } from '../escalation/escalation-contact-gate.js';
import { AlarmReplyCodes } from '../escalation/reply-codes.js';

/**
 * The escalation's implementations of the SMS module's two ports. Both need nothing but the
 * transaction they are called in (and AppConfig), so the SMS module builds them itself.
 */
export const ALARM_SMS_PORTS: SmsModuleOptions = {
  alarmContactGate: EscalationContactGate,
  replyCodeHandler: AlarmReplyCodes,
};

/**
 * The one SmsModule of the app, with the escalation's ports. Nest 12 tells dynamic modules apart by
 * object reference: every module that needs SmsOutbox imports this same object (AppModule and
 * AlarmsModule do), so there is one outbox, one sweeper and one webhook controller.
 */
export const SMS_MODULE = SmsModule.forRoot(ALARM_SMS_PORTS);

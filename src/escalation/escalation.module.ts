import { Module } from '@nestjs/common';
import { AlarmModelModule } from '../alarm-model/alarm-model.module.js';
import { ClockModule } from '../common/clock.js';
import { RetainedTables } from '../privacy/retention-rule.js';
import { EscalationContactGate } from './escalation-contact-gate.js';
import { Escalation } from './escalation.js';
import { EscalationEngine } from './escalation-engine.js';
import { EscalationRepository } from './escalation.repository.js';
import { ESCALATION_RETENTION } from './escalation.retention.js';
import { EscalationSettings, EscalationSettingsController } from './escalation-settings.js';
import { AlarmReplyCodes } from './reply-codes.js';

/**
 * The owner-first escalation of an open alarm by SMS: the first text to the owner, then the contacts
 * one at a time when nobody acknowledges (Escalation, run on time by EscalationEngine), the waits per
 * alarm class (EscalationSettings, under /api/settings/escalation), and the two SMS ports it
 * answers: which contact may be texted now (EscalationContactGate) and what a reply code does
 * (AlarmReplyCodes). It sends through the global SMS module and never imports the alarms module: the
 * alarms module imports this one to start an alarm's escalation.
 */
@RetainedTables(...ESCALATION_RETENTION)
@Module({
  imports: [AlarmModelModule, ClockModule],
  controllers: [EscalationSettingsController],
  providers: [Escalation, EscalationRepository, EscalationEngine, EscalationSettings, EscalationContactGate, AlarmReplyCodes],
  exports: [Escalation, EscalationEngine, EscalationSettings, EscalationContactGate, AlarmReplyCodes],
})
export class EscalationModule {}

import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { AlarmChanges } from './alarm-changes.js';

/**
 * The alarm as alarms, escalation and alarm handling share it. Most of the model is plain functions
 * over the caller's transaction (alarm-state.ts, event-classification.ts); the one provider is the
 * stream of committed alarm changes, which the escalation engine and the operators' live feed both hear.
 */
@Module({
  imports: [DatabaseModule],
  providers: [AlarmChanges],
  exports: [AlarmChanges],
})
export class AlarmModelModule {}

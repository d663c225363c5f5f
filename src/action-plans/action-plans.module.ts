import { Module } from '@nestjs/common';
import { ActionPlanSettingsController, CustomerActionPlansController } from './action-plans.controller.js';
import { ActionPlansRepository } from './action-plans.repository.js';
import { ActionPlans } from './action-plans.service.js';
import { RetainedTables } from '../privacy/retention-rule.js';
import { ACTION_PLAN_RETENTION } from './action-plans.retention.js';

/**
 * Action plans: the central's procedure per alarm class, a customer's own per class, and (alarm-plan.ts)
 * the plan an alarm froze when it opened, whose steps actions tick off.
 */
@RetainedTables(...ACTION_PLAN_RETENTION)
@Module({
  controllers: [ActionPlanSettingsController, CustomerActionPlansController],
  providers: [ActionPlansRepository, ActionPlans],
  exports: [ActionPlansRepository],
})
export class ActionPlansModule {}

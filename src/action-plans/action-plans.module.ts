import { Module } from '@nestjs/common';
import { ActionPlanSettingsController, CustomerActionPlansController } from './action-plans.controller.js';
import { ActionPlans } from './action-plans.service.js';

/**
 * Action plans: the central's procedure per alarm class, a customer's own per class, and (alarm-plan.ts)
 * the plan an alarm froze when it opened, whose steps actions tick off.
 */
@Module({
  controllers: [ActionPlanSettingsController, CustomerActionPlansController],
  providers: [ActionPlans],
})
export class ActionPlansModule {}

import { Injectable } from '@nestjs/common';
import { DomainError, notFound } from '../common/domain-error.js';
import { DEFAULT_PLANS, PLAN_CLASSES, isPlanClass, type PlanClass, type PlanStep } from './action-plan-steps.js';
import { ActionPlansRepository } from './action-plans.repository.js';

function planClass(cls: string): PlanClass {
  if (!isPlanClass(cls)) throw new DomainError('not_found', 'action_plan_class_not_found', `class must be one of ${PLAN_CLASSES.join(', ')}`);
  return cls;
}

const stepsOf = (steps: PlanStep[]) => steps.map((s) => ({ kind: s.kind, text: s.text }));

/** The central's plan per alarm class and a customer's own plans; an alarm freezes one when it opens (alarm-plan.ts). */
@Injectable()
export class ActionPlans {
  constructor(private readonly plans: ActionPlansRepository) {}

  async central(): Promise<{ classes: Record<PlanClass, { steps: PlanStep[]; updatedAt: string | null }> }> {
    const byClass = new Map((await this.plans.central()).map((r) => [r.class, r]));
    const classes = Object.fromEntries(
      PLAN_CLASSES.map((c) => {
        const r = byClass.get(c);
        return [c, { steps: r?.steps ?? DEFAULT_PLANS[c], updatedAt: r?.updated_at.toISOString() ?? null }];
      }),
    ) as Record<PlanClass, { steps: PlanStep[]; updatedAt: string | null }>;
    return { classes };
  }

  /** For alarms opened from now on; an open alarm keeps the plan it froze. */
  async setCentral(cls: string, steps: PlanStep[], operatorId: string) {
    const c = planClass(cls);
    await this.plans.setCentral(c, stepsOf(steps), operatorId);
    return { class: c, steps: stepsOf(steps) };
  }

  /** The customer's own plans, by class (only the classes they have one for). */
  async forCustomer(customerId: string): Promise<{ classes: Partial<Record<PlanClass, { steps: PlanStep[]; updatedAt: string }>> }> {
    await this.customerExists(customerId);
    const rows = await this.plans.ofCustomer(customerId);
    return { classes: Object.fromEntries(rows.map((r) => [r.class, { steps: r.steps, updatedAt: r.updated_at.toISOString() }])) };
  }

  async setForCustomer(customerId: string, cls: string, steps: PlanStep[], operatorId: string) {
    const c = planClass(cls);
    await this.customerExists(customerId);
    await this.plans.setForCustomer(customerId, c, stepsOf(steps), operatorId);
    return { customerId, class: c, steps: stepsOf(steps) };
  }

  /** Back to the central's plan for that class. */
  async removeForCustomer(customerId: string, cls: string): Promise<void> {
    const c = planClass(cls);
    await this.customerExists(customerId);
    if (!(await this.plans.removeForCustomer(customerId, c)))
      throw new DomainError('not_found', 'customer_action_plan_not_found', `customer ${customerId} has no own plan for ${c}`);
  }

  /** A customer whose contract has not ended, as everywhere in the register: a former customer is 404. */
  private async customerExists(customerId: string): Promise<void> {
    if (!(await this.plans.isCurrentCustomer(customerId))) throw notFound('customer', customerId);
  }
}

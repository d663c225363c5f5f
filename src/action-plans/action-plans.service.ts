import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DomainError, notFound } from '../common/domain-error.js';
import { DEFAULT_PLANS, PLAN_CLASSES, isPlanClass, type PlanClass, type PlanStep } from './action-plan-steps.js';

function planClass(cls: string): PlanClass {
  if (!isPlanClass(cls)) throw new DomainError('not_found', 'action_plan_class_not_found', `class must be one of ${PLAN_CLASSES.join(', ')}`);
  return cls;
}

const stepsOf = (steps: PlanStep[]) => steps.map((s) => ({ kind: s.kind, text: s.text }));

/** The central's plan per alarm class and a customer's own plans; an alarm freezes one when it opens (alarm-plan.ts). */
@Injectable()
export class ActionPlans {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async central(): Promise<{ classes: Record<PlanClass, { steps: PlanStep[]; updatedAt: string | null }> }> {
    const rows = (await this.dataSource.query(`SELECT class, steps, updated_at FROM action_plan`)) as Array<{
      class: string;
      steps: PlanStep[];
      updated_at: Date;
    }>;
    const byClass = new Map(rows.map((r) => [r.class, r]));
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
    await this.dataSource.query(
      `INSERT INTO action_plan (class, steps, updated_at, updated_by) VALUES ($1, $2::jsonb, now(), $3)
       ON CONFLICT (class) DO UPDATE SET steps = $2::jsonb, updated_at = now(), updated_by = $3`,
      [c, JSON.stringify(stepsOf(steps)), operatorId],
    );
    return { class: c, steps: stepsOf(steps) };
  }

  /** The customer's own plans, by class (only the classes they have one for). */
  async forCustomer(customerId: string): Promise<{ classes: Partial<Record<PlanClass, { steps: PlanStep[]; updatedAt: string }>> }> {
    await this.customerExists(customerId);
    const rows = (await this.dataSource.query(`SELECT class, steps, updated_at FROM customer_action_plan WHERE customer_id = $1 ORDER BY class`, [
      customerId,
    ])) as Array<{ class: PlanClass; steps: PlanStep[]; updated_at: Date }>;
    return { classes: Object.fromEntries(rows.map((r) => [r.class, { steps: r.steps, updatedAt: r.updated_at.toISOString() }])) };
  }

  async setForCustomer(customerId: string, cls: string, steps: PlanStep[], operatorId: string) {
    const c = planClass(cls);
    await this.customerExists(customerId);
    await this.dataSource.query(
      `INSERT INTO customer_action_plan (customer_id, class, steps, updated_at, updated_by) VALUES ($1, $2, $3::jsonb, now(), $4)
       ON CONFLICT (customer_id, class) DO UPDATE SET steps = $3::jsonb, updated_at = now(), updated_by = $4`,
      [customerId, c, JSON.stringify(stepsOf(steps)), operatorId],
    );
    return { customerId, class: c, steps: stepsOf(steps) };
  }

  /** Back to the central's plan for that class. */
  async removeForCustomer(customerId: string, cls: string): Promise<void> {
    const c = planClass(cls);
    await this.customerExists(customerId);
    const rows = (await this.dataSource.query(
      `WITH d AS (DELETE FROM customer_action_plan WHERE customer_id = $1 AND class = $2 RETURNING class) SELECT * FROM d`,
      [customerId, c],
    )) as unknown[];
    if (rows.length === 0) throw new DomainError('not_found', 'customer_action_plan_not_found', `customer ${customerId} has no own plan for ${c}`);
  }

  /** A customer whose contract has not ended, as everywhere in the register: a former customer is 404. */
  private async customerExists(customerId: string): Promise<void> {
    const [row] = (await this.dataSource.query(`SELECT 1 FROM customer WHERE id = $1 AND ended_at IS NULL`, [customerId])) as unknown[];
    if (!row) throw notFound('customer', customerId);
  }
}

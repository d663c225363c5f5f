import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { execute, firstRow, rows } from '../database/rows.js';
import type { PlanClass, PlanStep } from './action-plan-steps.js';

export interface ActionPlanRow {
  class: PlanClass;
  steps: PlanStep[];
  updated_at: Date;
}

/** Every query of the central's plans (action_plan) and the customers' own (customer_action_plan). */
@Injectable()
export class ActionPlansRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The central's plans that were ever set; a class never set has none. */
  async central(): Promise<ActionPlanRow[]> {
    return rows<ActionPlanRow>(this.db, `SELECT class, steps, updated_at FROM action_plan`);
  }

  async setCentral(cls: PlanClass, steps: PlanStep[], operatorId: string): Promise<void> {
    await execute(
      this.db,
      `INSERT INTO action_plan (class, steps, updated_at, updated_by) VALUES ($1, $2::jsonb, now(), $3)
       ON CONFLICT (class) DO UPDATE SET steps = $2::jsonb, updated_at = now(), updated_by = $3`,
      [cls, JSON.stringify(steps), operatorId],
    );
  }

  /** The customer's own plans, by class. */
  async ofCustomer(customerId: string): Promise<ActionPlanRow[]> {
    return rows<ActionPlanRow>(this.db, `SELECT class, steps, updated_at FROM customer_action_plan WHERE customer_id = $1 ORDER BY class`, [customerId]);
  }

  async setForCustomer(customerId: string, cls: PlanClass, steps: PlanStep[], operatorId: string): Promise<void> {
    await execute(
      this.db,
      `INSERT INTO customer_action_plan (customer_id, class, steps, updated_at, updated_by) VALUES ($1, $2, $3::jsonb, now(), $4)
       ON CONFLICT (customer_id, class) DO UPDATE SET steps = $3::jsonb, updated_at = now(), updated_by = $4`,
      [customerId, cls, JSON.stringify(steps), operatorId],
    );
  }

  /** Whether the customer had an own plan for the class (it is gone now). */
  async removeForCustomer(customerId: string, cls: PlanClass): Promise<boolean> {
    const removed = await rows<{ class: string }>(
      this.db,
      `WITH d AS (DELETE FROM customer_action_plan WHERE customer_id = $1 AND class = $2 RETURNING class) SELECT * FROM d`,
      [customerId, cls],
    );
    return removed.length > 0;
  }

  /** Whether the customer exists and their contract has not ended. */
  async isCurrentCustomer(customerId: string): Promise<boolean> {
    return (await firstRow(this.db, `SELECT 1 FROM customer WHERE id = $1 AND ended_at IS NULL`, [customerId])) !== undefined;
  }
}

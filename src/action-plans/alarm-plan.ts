import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error.js';
import { firstRow } from '../database/rows.js';
import { writeAlarmLog } from '../alarm-model/alarm-state.js';
import { queryPrepared } from '../database/prepared-sql.js';
import { DEFAULT_PLANS, isPlanClass, type AlarmPlan, type StepKind } from './action-plan-steps.js';

/** Who did a step: the operator, by id and by name as it was then. */
export interface StepDoer {
  id: string;
  name: string;
}

/**
 * Freezes the plan a new alarm is handled by: the customer's own for its class if they have one,
 * else the central's. Called in the transaction that opens the alarm, so a plan edited later never
 * changes an alarm already in hand. One prepared statement: it is on the path of every new alarm.
 */
export async function freezeActionPlan(m: EntityManager, alarmId: string, customerId: string, cls: string): Promise<void> {
  const frozen = await queryPrepared<{ id: string }>(
    m,
    'alarm_freeze_plan',
    `UPDATE alarm SET action_plan = jsonb_build_object(
        'source', p.source,
        'steps', (SELECT coalesce(jsonb_agg(s || '{"done": false, "doneAt": null, "doneBy": null}'::jsonb ORDER BY n), '[]'::jsonb)
                    FROM jsonb_array_elements(p.steps) WITH ORDINALITY AS e(s, n)))
       FROM (SELECT source, steps FROM (
               SELECT 0 AS rank, 'customer' AS source, steps FROM customer_action_plan WHERE customer_id = $2::uuid AND class = $3::text
               UNION ALL
               SELECT 1, 'default', steps FROM action_plan WHERE class = $3::text) o
             ORDER BY rank LIMIT 1) p
      WHERE alarm.id = $1::uuid
      RETURNING alarm.id`,
    [alarmId, customerId, cls],
  );
  if (frozen.length || !isPlanClass(cls)) return;
  // No central row for the class (it is seeded for every class; this is only a safety net): the default.
  const plan: AlarmPlan = { source: 'default', steps: DEFAULT_PLANS[cls].map((s) => ({ ...s, done: false, doneAt: null, doneBy: null })) };
  await m.query(`UPDATE alarm SET action_plan = $2::jsonb WHERE id = $1`, [alarmId, JSON.stringify(plan)]);
}

async function lockedPlan(m: EntityManager, alarmId: string): Promise<AlarmPlan | null> {
  const row = await firstRow<{ action_plan: AlarmPlan | null }>(m, `SELECT action_plan FROM alarm WHERE id = $1 FOR UPDATE`, [alarmId]);
  return row?.action_plan ?? null;
}

async function markDone(m: EntityManager, alarmId: string, plan: AlarmPlan, indexes: number[], by: StepDoer, at: Date): Promise<void> {
  for (const i of indexes) {
    Object.assign(plan.steps[i], { done: true, doneAt: at.toISOString(), doneBy: { id: by.id, name: by.name } });
    await writeAlarmLog(m, alarmId, 'step_done', { step: i, kind: plan.steps[i].kind, text: plan.steps[i].text, operatorName: by.name }, by.id, at);
  }
  await m.query(`UPDATE alarm SET action_plan = $2::jsonb, updated_at = now() WHERE id = $1`, [alarmId, JSON.stringify(plan)]);
}

/**
 * Ticks off what an action or a call fulfilled: for each kind, the first step of that kind not yet
 * done (a plan may, say, call the keyholders twice). Runs in the caller's transaction and writes a
 * "step_done" timeline entry per step; the caller announces the alarm's change (announceAlarmChange),
 * as it does for the action itself. Returns the indexes ticked: none when the plan has no such
 * step left, or when the alarm opened before plans existed.
 */
export async function tickPlanSteps(m: EntityManager, alarmId: string, kinds: StepKind[], by: StepDoer, at: Date = new Date()): Promise<number[]> {
  if (kinds.length === 0) return [];
  const plan = await lockedPlan(m, alarmId);
  if (!plan) return [];
  const ticked: number[] = [];
  for (const kind of kinds) {
    const i = plan.steps.findIndex((s, index) => s.kind === kind && !s.done && !ticked.includes(index));
    if (i >= 0) ticked.push(i);
  }
  if (ticked.length) await markDone(m, alarmId, plan, ticked, by, at);
  return ticked;
}

/** An operator ticks one step by its index (from 0). A step already done is a conflict naming who did it. */
export async function markStepDone(m: EntityManager, alarmId: string, step: number, by: StepDoer, at: Date): Promise<void> {
  const plan = await lockedPlan(m, alarmId);
  const count = plan?.steps.length ?? 0;
  if (!plan || step >= count) {
    throw new DomainError(
      'invalid',
      'alarm_plan_step_out_of_range',
      count ? `step must be between 0 and ${count - 1} (this alarm's plan has ${count} steps)` : 'step: this alarm has no action plan',
    );
  }
  const done = plan.steps[step];
  if (done.done) {
    throw new DomainError('conflict', 'alarm_plan_step_done', `step ${step} was already done by ${done.doneBy?.name ?? 'someone'} at ${done.doneAt}`);
  }
  await markDone(m, alarmId, plan, [step], by, at);
}

/** Which plan steps an operator's action fulfils (a recorded call fulfils its own: see tickPlanSteps). */
export const STEPS_FULFILLED_BY: Partial<Record<string, StepKind[]>> = {
  owner_reached: ['call_owner'],
  contact_reached: ['call_contacts'],
  guard_dispatched: ['dispatch_guard'],
  emergency_services_called: ['call_emergency'],
  notify_contacts: ['text_contacts'],
};

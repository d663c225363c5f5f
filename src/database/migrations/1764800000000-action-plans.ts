import { MigrationInterface, QueryRunner } from 'typeorm';
import { DEFAULT_PLANS } from '../../action-plans/action-plan-steps.js';

/**
 * Action plans: the central's ordered steps per alarm class (seeded with the defaults, so every class
 * has one from the first start), a customer's own plan for a class, and on each alarm the plan it
 * froze when it opened, with each step's done state, so a later edit never changes an alarm in hand.
 */
export class ActionPlans1764800000000 implements MigrationInterface {
  name = 'ActionPlans1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE action_plan (
        class text PRIMARY KEY,
        steps jsonb NOT NULL CHECK (jsonb_typeof(steps) = 'array'),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid
      )`);
    await q.query(`
      CREATE TABLE customer_action_plan (
        customer_id uuid NOT NULL REFERENCES customer(id) ON DELETE CASCADE,
        class text NOT NULL,
        steps jsonb NOT NULL CHECK (jsonb_typeof(steps) = 'array'),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid,
        PRIMARY KEY (customer_id, class)
      )`);
    for (const [cls, steps] of Object.entries(DEFAULT_PLANS)) {
      await q.query(`INSERT INTO action_plan (class, steps) VALUES ($1, $2::jsonb)`, [cls, JSON.stringify(steps)]);
    }
    // Null for alarms opened before plans existed.
    await q.query(`ALTER TABLE alarm ADD COLUMN action_plan jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE alarm DROP COLUMN action_plan`);
    await q.query(`DROP TABLE customer_action_plan`);
    await q.query(`DROP TABLE action_plan`);
  }
}

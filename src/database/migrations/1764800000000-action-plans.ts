import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The plans the central starts with, as they were when this migration was written: a migration keeps
 * its own copy, so a later edit of the defaults in src/action-plans does not change what it seeds.
 */
const SEED_PLANS: Record<string, Array<{ kind: string; text: string }>> = {
  burglary: [
    { kind: 'call_owner', text: 'Call the owner' },
    { kind: 'verify_password', text: 'Verify by phone with the verbal password; a wrong or missing password means a real alarm' },
    { kind: 'call_contacts', text: 'Owner not reached: call the keyholders in order' },
    { kind: 'dispatch_guard', text: 'Not verified as a false alarm: dispatch a guard' },
  ],
  fire: [
    { kind: 'call_emergency', text: 'Call 112 (fire and rescue)' },
    { kind: 'call_owner', text: 'Then call the owner (keyholder)' },
    { kind: 'call_contacts', text: 'Owner not reached: call the keyholders in order' },
  ],
  gas: [
    { kind: 'call_emergency', text: 'Call 112 (fire and rescue): gas alarm' },
    { kind: 'call_owner', text: 'Call the owner: leave the building, no switches, no flames' },
    { kind: 'call_contacts', text: 'Owner not reached: call the keyholders in order' },
  ],
  water: [
    { kind: 'call_owner', text: 'Call the owner: turn off the main water valve' },
    { kind: 'call_contacts', text: 'Owner not reached: call the keyholders in order' },
    { kind: 'dispatch_guard', text: 'Nobody can go there: dispatch a guard with the key' },
  ],
  medical: [
    { kind: 'call_owner', text: 'Call the person at once and ask what happened' },
    { kind: 'call_emergency', text: 'No answer, or help needed: call 112 (ambulance)' },
    { kind: 'call_contacts', text: 'Call a keyholder who can let the ambulance in' },
  ],
  panic: [
    { kind: 'call_emergency', text: 'Call the police (112) first.' },
    { kind: 'note', text: 'Do NOT call or text the premises or the owner: someone may be forcing them. Say nothing that reveals the alarm was seen.' },
    { kind: 'dispatch_guard', text: 'If the police ask for it: send a guard to wait at a distance' },
  ],
  duress: [
    { kind: 'call_emergency', text: 'Call the police (112) first.' },
    { kind: 'note', text: 'Do NOT call or text the premises or the owner: someone may be forcing them. Say nothing that reveals the alarm was seen.' },
    { kind: 'dispatch_guard', text: 'If the police ask for it: send a guard to wait at a distance' },
  ],
  tamper: [
    { kind: 'call_owner', text: 'Call the owner: was anyone working on the alarm system?' },
    { kind: 'verify_password', text: 'Verify with the verbal password' },
    { kind: 'dispatch_guard', text: 'Not explained: dispatch a guard' },
  ],
  technical: [
    { kind: 'call_owner', text: 'Tell the owner about the fault' },
    { kind: 'note', text: 'If the fault stays: book a service visit with the installer' },
  ],
  unknown: [
    { kind: 'call_owner', text: 'Call the owner' },
    { kind: 'verify_password', text: 'Verify with the verbal password' },
    { kind: 'call_contacts', text: 'Owner not reached: call the keyholders in order' },
    { kind: 'note', text: 'Ask the installer what the signal means' },
  ],
};

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
    for (const [cls, steps] of Object.entries(SEED_PLANS)) {
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

import { describe, expect, it } from '@jest/globals';
import { EVENT_CLASSES } from '../alarm-model/event-classification.js';
import { DEFAULT_PLANS, MAX_STEP_TEXT, MAX_STEPS, PLAN_CLASSES, STEP_KINDS } from './action-plan-steps.js';

describe('default action plans', () => {
  it('cover every class that opens an alarm (all but arming and test), so a new class cannot open without a plan', () => {
    expect([...PLAN_CLASSES].sort()).toEqual(EVENT_CLASSES.filter((c) => c !== 'arming' && c !== 'test').sort());
    expect(Object.keys(DEFAULT_PLANS).sort()).toEqual([...PLAN_CLASSES].sort());
  });

  it('are plans a supervisor could have saved: known kinds, short texts, not too many steps', () => {
    for (const steps of Object.values(DEFAULT_PLANS)) {
      expect(steps.length).toBeGreaterThan(0);
      expect(steps.length).toBeLessThanOrEqual(MAX_STEPS);
      for (const s of steps) {
        expect(STEP_KINDS).toContain(s.kind);
        expect(s.text.trim().length).toBeGreaterThan(0);
        expect(s.text.length).toBeLessThanOrEqual(MAX_STEP_TEXT);
      }
    }
  });

  it('panic and duress call the police first and never the owner or the premises', () => {
    for (const cls of ['panic', 'duress'] as const) {
      expect(DEFAULT_PLANS[cls][0].kind).toBe('call_emergency');
      expect(DEFAULT_PLANS[cls].map((s) => s.kind)).not.toContain('call_owner');
      expect(DEFAULT_PLANS[cls].map((s) => s.kind)).not.toContain('text_contacts');
    }
  });
});

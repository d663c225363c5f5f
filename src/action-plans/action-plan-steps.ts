import type { EventClass } from '../alarm-model/event-classification.js';

/** What a step of an action plan asks the operator to do (docs/api-contract.md#operator-procedures). */
export const STEP_KINDS = ['call_owner', 'call_contacts', 'text_contacts', 'call_emergency', 'dispatch_guard', 'verify_password', 'note'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** Every class that opens an alarm has a plan; arming and test signals never open one. */
export const PLAN_CLASSES = [
  'burglary',
  'fire',
  'gas',
  'water',
  'medical',
  'panic',
  'duress',
  'tamper',
  'technical',
  'unknown',
] as const satisfies readonly EventClass[];
export type PlanClass = (typeof PLAN_CLASSES)[number];

export const MAX_STEPS = 20;
export const MAX_STEP_TEXT = 300;

export interface PlanStep {
  kind: StepKind;
  text: string;
}

/** A step of the plan an alarm froze when it opened, with who did it and when. */
export interface AlarmPlanStep extends PlanStep {
  done: boolean;
  doneAt: string | null;
  doneBy: { id: string; name: string } | null;
}

export interface AlarmPlan {
  source: 'default' | 'customer';
  steps: AlarmPlanStep[];
}

const KEYHOLDERS: PlanStep = { kind: 'call_contacts', text: 'Owner not reached: call the keyholders in order' };

// Someone at the premises may be held by the person who set this off: whoever calls or texts there may
// give away that the alarm was seen.
const SILENT_ALARM: PlanStep[] = [
  { kind: 'call_emergency', text: 'Call the police (112) first.' },
  {
    kind: 'note',
    text: 'Do NOT call or text the premises or the owner: someone may be forcing them. Say nothing that reveals the alarm was seen.',
  },
  { kind: 'dispatch_guard', text: 'If the police ask for it: send a guard to wait at a distance' },
];

/**
 * The central's plan for each class on the first start, in the operators' words. A supervisor
 * changes them in the settings; a customer may have their own per class.
 */
export const DEFAULT_PLANS: Record<PlanClass, PlanStep[]> = {
  burglary: [
    { kind: 'call_owner', text: 'Call the owner' },
    { kind: 'verify_password', text: 'Verify by phone with the verbal password; a wrong or missing password means a real alarm' },
    KEYHOLDERS,
    { kind: 'dispatch_guard', text: 'Not verified as a false alarm: dispatch a guard' },
  ],
  fire: [{ kind: 'call_emergency', text: 'Call 112 (fire and rescue)' }, { kind: 'call_owner', text: 'Then call the owner (keyholder)' }, KEYHOLDERS],
  gas: [
    { kind: 'call_emergency', text: 'Call 112 (fire and rescue): gas alarm' },
    { kind: 'call_owner', text: 'Call the owner: leave the building, no switches, no flames' },
    KEYHOLDERS,
  ],
  water: [
    { kind: 'call_owner', text: 'Call the owner: turn off the main water valve' },
    KEYHOLDERS,
    { kind: 'dispatch_guard', text: 'Nobody can go there: dispatch a guard with the key' },
  ],
  medical: [
    { kind: 'call_owner', text: 'Call the person at once and ask what happened' },
    { kind: 'call_emergency', text: 'No answer, or help needed: call 112 (ambulance)' },
    { kind: 'call_contacts', text: 'Call a keyholder who can let the ambulance in' },
  ],
  panic: SILENT_ALARM,
  duress: SILENT_ALARM,
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
    KEYHOLDERS,
    { kind: 'note', text: 'Ask the installer what the signal means' },
  ],
};

export const isPlanClass = (c: string): c is PlanClass => (PLAN_CLASSES as readonly string[]).includes(c);

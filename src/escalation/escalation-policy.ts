import type { AlarmStage, AlarmStatus } from '../alarm-model/alarm-state.js';
import type { EventClass } from '../alarm-model/event-classification.js';
import type { LegalBasis } from '../privacy/processing.decorator.js';
import type { SmsStatus } from '../sms/sms.types.js';

/**
 * The escalation rules (docs/alarm-handling.md#escalation) as pure functions of the alarm's escalation state and
 * the time: no database, no clock of its own. `Escalation` reads the state, asks these what comes
 * next and carries it out; the rules are unit-tested here with fixed times.
 *
 * The state: `step` 0 is the owner, k the k-th contact of the chain frozen when the alarm opened.
 * A step's wait starts when its SMS is handed to the provider (`sentAt`). Until then the step lasts
 * at most the hand-over bound (or its own wait, when shorter), counted from when the SMS was queued:
 * a provider that is down or hangs must not hold up the next person. A permanent failure of the
 * step's SMS ends the step at once.
 */

/** Classes that text no one (docs/alarm-handling.md#panic-and-duress: a duress code means the owner may be under threat). */
export const TEXTS_NOBODY: readonly EventClass[] = ['panic', 'duress'];
/** Classes whose escalation stops after the owner. */
export const OWNER_ONLY: readonly EventClass[] = ['technical'];
/** Classes for which contacts are texted under vital interests (docs/privacy.md#legal-bases). */
export const VITAL_INTERESTS: readonly EventClass[] = ['fire', 'gas', 'medical', 'panic'];
/** Every class that texts anyone has escalation settings (docs/api-contract.md#escalation-settings). */
export const ESCALATING_CLASSES = ['burglary', 'fire', 'gas', 'water', 'medical', 'tamper', 'technical', 'unknown'] as const;
export type EscalatingClass = (typeof ESCALATING_CLASSES)[number];

/** The defaults (docs/alarm-handling.md#escalation-timings), used only if a class has no settings row. */
export const DEFAULT_OWNER_WAIT_SECONDS = 60;
export const DEFAULT_CONTACT_WAIT_SECONDS = 60;

/**
 * While a step's SMS is still waiting to be handed to the provider, the engine looks again this often:
 * the wait starts only at the hand-over (docs/alarm-handling.md#escalation-timings), so there is nothing to advance yet.
 */
export const RECHECK_MS = 1000;

/** Statuses after which the SMS will never reach its person. */
const UNDELIVERABLE: ReadonlySet<SmsStatus> = new Set(['failed', 'undelivered', 'refused']);

export const initialStage = (c: EventClass): AlarmStage => (TEXTS_NOBODY.includes(c) ? 'unreached' : 'owner');
export const contactLegalBasis = (c: EventClass): LegalBasis => (VITAL_INTERESTS.includes(c) ? 'vital_interests' : 'legitimate_interests');

/** Why a step ended without an acknowledgement (the `reason` of the stage change on the timeline). */
export type StepEndReason = 'wait_ran_out' | 'sms_failed' | 'sms_not_handed_over' | 'sms_refused' | 'owner_unavailable' | 'operator_decision';

/** What the policy needs to know about an alarm. */
export interface EscalationState {
  class: EventClass;
  status: AlarmStatus;
  stage: AlarmStage;
  step: number;
  /** Contact ids in the order they are tried, frozen when the alarm opened. */
  chain: readonly string[];
  /** The waits frozen when the alarm opened (null: the default). */
  ownerWaitSeconds: number | null;
  contactWaitSeconds: number | null;
  /** The SMS of the current step, if one was queued. */
  stepMessageId: string | null;
}

/** The current step's SMS. */
export interface StepMessage {
  status: SmsStatus;
  /** When the provider took it (null until then). */
  sentAt: Date | null;
  /** When it was queued. */
  createdAt: Date;
}

/** What to do with a step now. */
export type StepDecision =
  /** Nothing to escalate any more (closed, acknowledged, unreached): stop looking at the alarm. */
  | { kind: 'stop' }
  /** The step is over: try the next person. */
  | { kind: 'step_over'; reason: StepEndReason }
  /** Look again at this time. */
  | { kind: 'wait'; until: Date };

const escalating = (alarm: EscalationState) => alarm.status === 'open' && (alarm.stage === 'owner' || alarm.stage === 'contacts');

/** The current step's wait, as frozen when the alarm opened. */
export function stepWaitMs(alarm: Pick<EscalationState, 'step' | 'ownerWaitSeconds' | 'contactWaitSeconds'>): number {
  return (alarm.step === 0 ? (alarm.ownerWaitSeconds ?? DEFAULT_OWNER_WAIT_SECONDS) : (alarm.contactWaitSeconds ?? DEFAULT_CONTACT_WAIT_SECONDS)) * 1000;
}

/**
 * When a step whose SMS was just queued is looked at first: when the hand-over bound runs out, or
 * its wait when that is shorter. The hand-over, when it comes, moves this to the end of the wait.
 */
export function firstCheckAt(now: Date, waitSeconds: number, handoverBoundSeconds: number): Date {
  return new Date(now.getTime() + Math.min(waitSeconds, handoverBoundSeconds) * 1000);
}

/** The alarm's next look is due (its `next_step_at` has come): is its step over, or when to look again? */
export function dueStep(alarm: EscalationState, message: StepMessage | null, now: Date, handoverBoundSeconds: number): StepDecision {
  if (!escalating(alarm)) return { kind: 'stop' };
  if (!message || UNDELIVERABLE.has(message.status)) return { kind: 'step_over', reason: 'sms_failed' };
  if (message.status === 'queued' || message.status === 'sending') {
    // Not handed over yet: the wait has not started, but the step lasts no longer than it would
    // had the hand-over worked.
    const giveUpAt = message.createdAt.getTime() + Math.min(handoverBoundSeconds * 1000, stepWaitMs(alarm));
    if (now.getTime() >= giveUpAt) return { kind: 'step_over', reason: 'sms_not_handed_over' };
    return { kind: 'wait', until: new Date(Math.min(now.getTime() + RECHECK_MS, giveUpAt)) };
  }
  // Handed over: the wait runs from the hand-over (from now, should its time be missing).
  const until = new Date((message.sentAt ?? now).getTime() + stepWaitMs(alarm));
  if (until.getTime() > now.getTime()) return { kind: 'wait', until };
  return { kind: 'step_over', reason: 'wait_ran_out' };
}

/** Whether a status change of this SMS can matter: it is the current step's, and the alarm still escalates. */
export function watchesMessage(alarm: EscalationState, messageId: string): boolean {
  return escalating(alarm) && alarm.stepMessageId === messageId;
}

/**
 * An SMS of the alarm changed status. Only the current step's SMS matters: undeliverable ends the
 * step at once; handed over starts its wait. Anything else changes nothing (null).
 */
export function stepMessageChanged(
  alarm: EscalationState,
  messageId: string,
  message: Pick<StepMessage, 'status' | 'sentAt'> | undefined,
): StepDecision | null {
  if (!watchesMessage(alarm, messageId) || !message) return null;
  if (UNDELIVERABLE.has(message.status)) return { kind: 'step_over', reason: 'sms_failed' };
  if (message.sentAt) return { kind: 'wait', until: new Date(message.sentAt.getTime() + stepWaitMs(alarm)) };
  return null;
}

/** Whether the owner can be texted: their customer row exists and their contract has not ended. */
export const ownerTextable = <C extends { ended: boolean }>(owner: C | null | undefined): owner is C => !!owner && !owner.ended;

/** A contact of the chain, as far as texting them goes (undefined: their row is gone). */
export interface ContactStanding {
  status: string;
  ended: boolean;
}

export interface SkippedStep {
  step: number;
  contactId: string;
  reason: 'contact_removed' | 'contact_opted_out';
}

export type NextPerson<C, U> =
  | { kind: 'text_contact'; step: number; contact: C; customer: U; skipped: SkippedStep[] }
  /** Nobody left to text: the alarm is unreached. */
  | { kind: 'nobody_left'; skipped: SkippedStep[] };

/**
 * After step `afterStep` ended unacknowledged: the next contact of the frozen chain who may still be
 * texted, skipping those who were removed (not in `contacts`, or ended) or opted out since it was
 * frozen. Nobody, when the class stops at the owner, the chain is used up, or the customer (whom
 * every contact text is about) is gone.
 */
export function nextPerson<C extends ContactStanding, U>(
  alarm: Pick<EscalationState, 'class' | 'chain'>,
  afterStep: number,
  contacts: ReadonlyMap<string, C>,
  customer: U | null,
): NextPerson<C, U> {
  const skipped: SkippedStep[] = [];
  if (OWNER_ONLY.includes(alarm.class)) return { kind: 'nobody_left', skipped };
  for (let step = afterStep + 1; step <= alarm.chain.length; step++) {
    const contactId = alarm.chain[step - 1];
    const contact = contacts.get(contactId);
    if (!contact || contact.ended || contact.status !== 'active') {
      skipped.push({ step, contactId, reason: !contact || contact.ended ? 'contact_removed' : 'contact_opted_out' });
      continue;
    }
    if (!customer) break;
    return { kind: 'text_contact', step, contact, customer, skipped };
  }
  return { kind: 'nobody_left', skipped };
}

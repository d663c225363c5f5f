import { describe, expect, it } from '@jest/globals';
import {
  contactLegalBasis,
  dueStep,
  firstCheckAt,
  initialStage,
  nextPerson,
  ownerTextable,
  RECHECK_MS,
  stepMessageChanged,
  type ContactStanding,
  type EscalationState,
  type StepMessage,
} from './escalation-policy.js';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const BOUND = 15; // SMS_HANDOVER_TIMEOUT_SECONDS

const alarm = (over: Partial<EscalationState> = {}): EscalationState => ({
  class: 'burglary',
  status: 'open',
  stage: 'owner',
  step: 0,
  chain: ['c1', 'c2'],
  ownerWaitSeconds: 60,
  contactWaitSeconds: 30,
  stepMessageId: 'm1',
  ...over,
});
const handedOver = (sentAtSeconds: number, status: StepMessage['status'] = 'sent'): StepMessage => ({
  status,
  sentAt: at(sentAtSeconds),
  createdAt: at(0),
});
const queued = (status: StepMessage['status'] = 'queued'): StepMessage => ({ status, sentAt: null, createdAt: at(0) });

describe('who is texted first', () => {
  it('starts every class at the owner, except panic and duress, which text nobody', () => {
    expect(initialStage('burglary')).toBe('owner');
    expect(initialStage('technical')).toBe('owner');
    expect(initialStage('fire')).toBe('owner');
    expect(initialStage('panic')).toBe('unreached');
    expect(initialStage('duress')).toBe('unreached');
  });

  it('texts the owner only when their customer row is there and their contract has not ended', () => {
    expect(ownerTextable({ ended: false })).toBe(true);
    expect(ownerTextable({ ended: true })).toBe(false);
    expect(ownerTextable(null)).toBe(false);
  });

  it('texts contacts under vital interests for fire, gas, medical and panic, else legitimate interests', () => {
    expect(['fire', 'gas', 'medical', 'panic'].map((c) => contactLegalBasis(c as never))).toEqual(Array(4).fill('vital_interests'));
    expect(['burglary', 'water', 'duress', 'technical'].map((c) => contactLegalBasis(c as never))).toEqual(Array(4).fill('legitimate_interests'));
  });
});

describe('a step just started', () => {
  it('is first looked at when the hand-over bound runs out, or at the end of its wait when that is shorter', () => {
    expect(firstCheckAt(T0, 60, BOUND)).toEqual(at(15));
    expect(firstCheckAt(T0, 1, 2)).toEqual(at(1));
  });
});

describe('a due step (its next look has come)', () => {
  it('waits the owner wait from the hand-over, not from when the SMS was queued', () => {
    expect(dueStep(alarm(), handedOver(5), at(30), BOUND)).toEqual({ kind: 'wait', until: at(65) });
    expect(dueStep(alarm(), handedOver(5), at(64.999), BOUND)).toEqual({ kind: 'wait', until: at(65) });
  });

  it('ends the owner step unacknowledged once the wait has run out after the hand-over', () => {
    expect(dueStep(alarm(), handedOver(5), at(65), BOUND)).toEqual({ kind: 'step_over', reason: 'wait_ran_out' });
    expect(dueStep(alarm(), handedOver(5, 'delivered'), at(100), BOUND)).toEqual({ kind: 'step_over', reason: 'wait_ran_out' });
  });

  it("waits a contact's step for the contact wait", () => {
    const contactStep = alarm({ stage: 'contacts', step: 1 });
    expect(dueStep(contactStep, handedOver(5), at(34), BOUND)).toEqual({ kind: 'wait', until: at(35) });
    expect(dueStep(contactStep, handedOver(5), at(35), BOUND)).toEqual({ kind: 'step_over', reason: 'wait_ran_out' });
  });

  it('falls back to the default waits (60 s) when the alarm froze none', () => {
    const noWaits = alarm({ ownerWaitSeconds: null, contactWaitSeconds: null });
    expect(dueStep(noWaits, handedOver(0), at(59), BOUND)).toEqual({ kind: 'wait', until: at(60) });
    expect(dueStep({ ...noWaits, stage: 'contacts', step: 2 }, handedOver(0), at(60), BOUND)).toEqual({ kind: 'step_over', reason: 'wait_ran_out' });
  });

  it('looks again within a second while the SMS waits for the provider, up to the hand-over bound', () => {
    expect(dueStep(alarm(), queued(), at(3), BOUND)).toEqual({ kind: 'wait', until: new Date(at(3).getTime() + RECHECK_MS) });
    expect(dueStep(alarm(), queued('sending'), at(14.5), BOUND)).toEqual({ kind: 'wait', until: at(15) });
  });

  it('counts the person as not reached when the provider has not taken the SMS by the hand-over bound', () => {
    expect(dueStep(alarm(), queued('sending'), at(15), BOUND)).toEqual({ kind: 'step_over', reason: 'sms_not_handed_over' });
    expect(dueStep(alarm(), queued(), at(16), BOUND)).toEqual({ kind: 'step_over', reason: 'sms_not_handed_over' });
  });

  it('bounds the wait for the hand-over by the step wait when that is shorter', () => {
    const shortWait = alarm({ ownerWaitSeconds: 1 });
    expect(dueStep(shortWait, queued(), at(0.5), BOUND)).toEqual({ kind: 'wait', until: at(1) });
    expect(dueStep(shortWait, queued(), at(1), BOUND)).toEqual({ kind: 'step_over', reason: 'sms_not_handed_over' });
  });

  it.each(['failed', 'undelivered', 'refused'] as const)('ends the step at once when its SMS is %s', (status) => {
    expect(dueStep(alarm(), { status, sentAt: null, createdAt: at(0) }, at(1), BOUND)).toEqual({ kind: 'step_over', reason: 'sms_failed' });
  });

  it('ends the step when it has no SMS at all', () => {
    expect(dueStep(alarm({ stepMessageId: null }), null, at(1), BOUND)).toEqual({ kind: 'step_over', reason: 'sms_failed' });
  });

  it('stops looking once the alarm is acknowledged, unreached or closed', () => {
    expect(dueStep(alarm({ stage: 'acknowledged' }), handedOver(0), at(100), BOUND)).toEqual({ kind: 'stop' });
    expect(dueStep(alarm({ stage: 'unreached' }), handedOver(0), at(100), BOUND)).toEqual({ kind: 'stop' });
    expect(dueStep(alarm({ status: 'closed', stage: 'contacts', step: 1 }), handedOver(0), at(100), BOUND)).toEqual({ kind: 'stop' });
  });
});

describe("a status change of the step's SMS", () => {
  it('starts the wait at the hand-over', () => {
    expect(stepMessageChanged(alarm(), 'm1', { status: 'sent', sentAt: at(2) })).toEqual({ kind: 'wait', until: at(62) });
    expect(stepMessageChanged(alarm({ stage: 'contacts', step: 1 }), 'm1', { status: 'delivered', sentAt: at(2) })).toEqual({ kind: 'wait', until: at(32) });
  });

  it.each(['failed', 'undelivered', 'refused'] as const)('ends the step at once when the SMS is %s', (status) => {
    expect(stepMessageChanged(alarm(), 'm1', { status, sentAt: at(2) })).toEqual({ kind: 'step_over', reason: 'sms_failed' });
  });

  it("changes nothing for another message than the step's, an SMS not handed over, or an alarm no longer escalating", () => {
    expect(stepMessageChanged(alarm(), 'm-old', { status: 'failed', sentAt: null })).toBeNull();
    expect(stepMessageChanged(alarm(), 'm1', { status: 'sending', sentAt: null })).toBeNull();
    expect(stepMessageChanged(alarm(), 'm1', undefined)).toBeNull();
    expect(stepMessageChanged(alarm({ stage: 'acknowledged' }), 'm1', { status: 'failed', sentAt: null })).toBeNull();
    expect(stepMessageChanged(alarm({ status: 'closed' }), 'm1', { status: 'failed', sentAt: null })).toBeNull();
  });
});

describe('the next person after a step ended unacknowledged', () => {
  const active: ContactStanding = { status: 'active', ended: false };
  const contacts = (entries: Record<string, ContactStanding>) => new Map(Object.entries(entries));
  const CUSTOMER = { id: 'cust' };

  it('tries the contacts only after the owner, in the order of the frozen chain, one at a time', () => {
    const both = contacts({ c1: active, c2: active });
    expect(nextPerson(alarm(), 0, both, CUSTOMER)).toEqual({ kind: 'text_contact', step: 1, contact: active, customer: CUSTOMER, skipped: [] });
    expect(nextPerson(alarm(), 1, both, CUSTOMER)).toMatchObject({ kind: 'text_contact', step: 2 });
  });

  it('leaves nobody once the chain is used up, or when it is empty', () => {
    expect(nextPerson(alarm(), 2, contacts({ c1: active, c2: active }), CUSTOMER)).toEqual({ kind: 'nobody_left', skipped: [] });
    expect(nextPerson(alarm({ chain: [] }), 0, contacts({}), CUSTOMER)).toEqual({ kind: 'nobody_left', skipped: [] });
  });

  it('stops at the owner for a technical alarm', () => {
    expect(nextPerson(alarm({ class: 'technical' }), 0, contacts({ c1: active, c2: active }), CUSTOMER)).toEqual({ kind: 'nobody_left', skipped: [] });
  });

  it('skips contacts who opted out or were removed since the chain was frozen, saying why', () => {
    const next = nextPerson(alarm({ chain: ['c1', 'c2', 'c3'] }), 0, contacts({ c1: { status: 'opted_out', ended: false }, c3: active }), CUSTOMER);
    expect(next).toEqual({
      kind: 'text_contact',
      step: 3,
      contact: active,
      customer: CUSTOMER,
      skipped: [
        { step: 1, contactId: 'c1', reason: 'contact_opted_out' },
        { step: 2, contactId: 'c2', reason: 'contact_removed' },
      ],
    });
    expect(nextPerson(alarm(), 0, contacts({ c1: { status: 'active', ended: true }, c2: { status: 'opted_out', ended: false } }), CUSTOMER)).toEqual({
      kind: 'nobody_left',
      skipped: [
        { step: 1, contactId: 'c1', reason: 'contact_removed' },
        { step: 2, contactId: 'c2', reason: 'contact_opted_out' },
      ],
    });
  });

  it('texts no contact about a customer whose row is gone', () => {
    expect(nextPerson(alarm(), 0, contacts({ c1: active }), null)).toEqual({ kind: 'nobody_left', skipped: [] });
  });
});

import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { contactAlarmText, ownerAlarmText, type AlarmSubject, type AlarmTextInput } from './alarm-texts.js';
import type { AlarmRow } from '../alarm-model/alarm-state.js';
import { ESCALATION_TEXT_CONTACT, ESCALATION_TEXT_OWNER } from './escalation.processing.js';
import { DomainError } from '../common/domain-error.js';
import { policyUrl } from '../privacy-policy/policy-version.js';
import { AppConfig } from '../config/app-config.js';
import { Processing } from '../privacy/processing.decorator.js';
import { ProcessingLog, type ProcessingLogEntry } from '../privacy/processing-log.service.js';
import { SmsOutbox, type EnqueuedSms } from '../sms/sms-outbox.js';
import type { OutboundSms } from '../sms/send-policy.js';
import { Clock } from '../common/clock.js';
import {
  contactLegalBasis,
  DEFAULT_CONTACT_WAIT_SECONDS,
  DEFAULT_OWNER_WAIT_SECONDS,
  dueStep,
  firstCheckAt,
  nextPerson,
  OWNER_ONLY,
  ownerTextable,
  stepMessageChanged,
  watchesMessage,
  type StepDecision,
  type StepEndReason,
} from './escalation-policy.js';
import { dueStepMessage, EscalationRepository, escalationState, type ContactFacts, type CustomerFacts, type DueAlarm } from './escalation.repository.js';
import { allocateReplyCode, type ReplyCodeRow } from './reply-codes.js';

/**
 * The escalation of one alarm, step by step: reads its state, asks the escalation policy what comes
 * next (escalation-policy.ts, where the rules are) and carries it out: the texts, the SMS through the
 * outbox, the timeline and the processing log. Every method runs inside the caller's transaction and
 * expects the alarm row locked (FOR UPDATE) by it: the step's SMS is enqueued and the state moved on
 * in that one transaction, so a step runs exactly once however many instances look at the alarm.
 * Each returns when the alarm must be looked at next (or null).
 */
@Injectable()
export class Escalation {
  private readonly logger = new Logger(Escalation.name);

  constructor(
    private readonly outbox: SmsOutbox,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly processingLog: ProcessingLog,
    private readonly repository: EscalationRepository,
  ) {}

  /**
   * A new alarm (in the transaction that inserted it): freeze the chain and the waits, then text the
   * owner, unless the class texts no one.
   */
  async start(alarm: AlarmRow, m: EntityManager): Promise<Date | null> {
    const { frozen, owner } = await this.repository.freezeAtOpening(m, alarm);
    if (alarm.stage !== 'owner') return null; // panic, duress: nobody is texted
    return this.textOwner(frozen, owner, m);
  }

  /**
   * The alarm's next_step_at has come: move on if its step is over, else say when to look again.
   * The engine claims the alarm together with its step's message (one round trip less per step).
   */
  async due(alarm: DueAlarm, m: EntityManager): Promise<Date | null> {
    const decision = dueStep(escalationState(alarm), dueStepMessage(alarm), this.clock.now(), this.config.sms.handoverTimeoutSeconds);
    return this.carryOut(alarm, decision, m);
  }

  /** The current step's SMS changed status (SmsOutbox.statusChanges$). Ignored for any other message. */
  async messageStatus(alarm: AlarmRow, messageId: string, m: EntityManager): Promise<Date | null | undefined> {
    const state = escalationState(alarm);
    if (!watchesMessage(state, messageId)) return undefined;
    const decision = stepMessageChanged(state, messageId, await this.repository.stepMessage(m, messageId));
    return decision ? this.carryOut(alarm, decision, m) : undefined;
  }

  /**
   * An alarm SMS was handed to the provider (status sent or delivered). If it is the current step's,
   * its wait now runs from that moment: the common case of messageStatus, in one statement outside
   * any transaction (see EscalationRepository.startWaitAtHandOver). Returns the new next step time,
   * or undefined when it did not change.
   */
  handedOver(alarmId: string, messageId: string): Promise<Date | undefined> {
    return this.repository.startWaitAtHandOver(alarmId, messageId);
  }

  /**
   * An operator decided to text the contacts of an alarm that texts nobody by itself (panic,
   * duress: AlarmActions checks that). The owner is still skipped: the contacts are tried from the
   * first, as after an owner step. Runs in the caller's transaction, the alarm row locked.
   */
  async startContacts(alarm: AlarmRow, m: EntityManager): Promise<Date | null> {
    return this.advance({ ...alarm, step: 0 }, m, 'operator_decision');
  }

  private async carryOut(alarm: AlarmRow, decision: StepDecision, m: EntityManager): Promise<Date | null> {
    switch (decision.kind) {
      case 'stop':
        await this.repository.lookAgainAt(m, alarm.id, null);
        return null;
      case 'wait':
        await this.repository.lookAgainAt(m, alarm.id, decision.until);
        return decision.until;
      case 'step_over':
        return this.advance(alarm, m, decision.reason);
    }
  }

  /**
   * The step is over without an acknowledgement: text the next contact who may still be texted, or,
   * when none is left, the alarm is unreached. A contact whose SMS is refused counts as not reached.
   */
  private async advance(alarm: AlarmRow, m: EntityManager, why: StepEndReason): Promise<Date | null> {
    const state = escalationState(alarm);
    const toTry = OWNER_ONLY.includes(alarm.class) ? [] : state.chain.slice(alarm.step);
    const facts = toTry.length ? await this.repository.chainFacts(m, toTry, alarm.customer_id) : { contacts: new Map<string, ContactFacts>(), customer: null };
    let stage = alarm.stage;
    let after = alarm.step;
    for (;;) {
      const next = nextPerson(state, after, facts.contacts, facts.customer);
      await this.repository.stepsSkipped(m, alarm.id, next.skipped);
      if (next.kind === 'nobody_left') break;
      // The state first, then the SMS: the send policy asks the AlarmContactGate, in this
      // transaction, whether this contact is the current step of an alarm in stage 'contacts'.
      await this.repository.enterContactStep(m, alarm.id, next.step, stage !== 'contacts' ? { from: stage, reason: why } : null);
      stage = 'contacts';
      const sent = await this.textContact({ ...alarm, stage, step: next.step }, next.contact, next.customer, m);
      if (sent) return sent;
      why = 'sms_refused';
      after = next.step;
    }
    await this.repository.unreached(m, alarm.id, stage !== 'unreached' ? { from: stage, reason: why } : null);
    return null;
  }

  @Processing(ESCALATION_TEXT_OWNER)
  private async textOwner(alarm: AlarmRow, customer: CustomerFacts | null, m: EntityManager): Promise<Date | null> {
    if (!ownerTextable(customer)) {
      await this.repository.stepNotStarted(m, alarm.id, { step: 0, reason: 'owner_unavailable' });
      return this.advance(alarm, m, 'owner_unavailable');
    }
    const code = await allocateReplyCode(customer.phone, m);
    const body = ownerAlarmText(this.textInput(alarm, customer, code));
    const result = await this.enqueue(
      { purpose: 'alarm_owner', to: customer.phone, body, legalBasis: 'contract', alarmId: alarm.id, customerId: customer.id },
      m,
    );
    if (result.status !== 'queued') {
      await this.repository.stepNotStarted(m, alarm.id, {
        step: 0,
        reason: 'sms_refused',
        refusal: result.refusalReason ?? null,
        messageId: result.id ?? null,
      });
      return this.advance(alarm, m, 'sms_refused');
    }
    return this.stepStarted(
      { phone: customer.phone, code, alarmId: alarm.id, customerId: customer.id, contactId: null, messageId: result.id },
      { ...ESCALATION_TEXT_OWNER, actor: { type: 'system', id: 'escalation' }, subjectIds: [customer.id, alarm.id] },
      alarm.owner_wait_seconds ?? DEFAULT_OWNER_WAIT_SECONDS,
      m,
    );
  }

  @Processing(ESCALATION_TEXT_CONTACT)
  private async textContact(alarm: AlarmRow, contact: ContactFacts, customer: CustomerFacts, m: EntityManager): Promise<Date | null> {
    const code = await allocateReplyCode(contact.phone, m);
    const body = contactAlarmText({
      ...this.textInput(alarm, customer, code),
      customerName: customer.name,
      // Rule 3: until the onboarding notice is delivered, the alarm SMS is their first notice too.
      policyUrl: contact.notice_delivered ? undefined : policyUrl(this.config.publicBaseUrl, customer.language),
    });
    const legalBasis = contactLegalBasis(alarm.class);
    const result = await this.enqueue(
      { purpose: 'alarm_contact', to: contact.phone, body, legalBasis, alarmId: alarm.id, customerId: customer.id, contactId: contact.id },
      m,
    );
    if (result.status !== 'queued') {
      await this.repository.stepNotStarted(m, alarm.id, {
        step: alarm.step,
        contactId: contact.id,
        reason: 'sms_refused',
        refusal: result.refusalReason ?? null,
        messageId: result.id ?? null,
      });
      return null;
    }
    return this.stepStarted(
      { phone: contact.phone, code, alarmId: alarm.id, customerId: customer.id, contactId: contact.id, messageId: result.id },
      { ...ESCALATION_TEXT_CONTACT, legalBasis, actor: { type: 'system', id: 'escalation' }, subjectIds: [contact.id, customer.id, alarm.id] },
      alarm.contact_wait_seconds ?? DEFAULT_CONTACT_WAIT_SECONDS,
      m,
    );
  }
  /** What every alarm text says, for the owner and the contacts alike: who, what, where, which code. */
  private textInput(alarm: AlarmRow, customer: CustomerFacts, code: number): AlarmTextInput {
    return {
      language: customer.language,
      company: this.config.companyName,
      subject: this.subject(alarm),
      street: customer.alarm_address.street,
      city: customer.alarm_address.city,
      zone: alarm.zone,
      code,
    };
  }

  /** A malformed message (say, a phone number stored before validation existed) must not lose the alarm: it counts as refused. */
  private async enqueue(sms: OutboundSms, m: EntityManager): Promise<EnqueuedSms | { status: 'invalid'; id?: undefined; refusalReason: string }> {
    try {
      return await this.outbox.enqueue(sms, m);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      this.logger.warn({ alarmId: sms.alarmId, purpose: sms.purpose, code: e.code }, 'alarm SMS could not be enqueued; moving on');
      return { status: 'invalid', refusalReason: e.code };
    }
  }

  /** The step's SMS is queued: the alarm waits for it (see firstCheckAt), its reply code is kept and the texting logged. */
  private async stepStarted(code: ReplyCodeRow, entry: ProcessingLogEntry, waitSeconds: number, m: EntityManager): Promise<Date> {
    const next = firstCheckAt(this.clock.now(), waitSeconds, this.config.sms.handoverTimeoutSeconds);
    await this.repository.stepStarted(m, code, this.processingLog.values(entry), next);
    this.processingLog.written();
    return next;
  }

  private subject(alarm: AlarmRow): AlarmSubject {
    return alarm.reason === 'panel_offline' ? 'panel_offline' : alarm.class;
  }
}

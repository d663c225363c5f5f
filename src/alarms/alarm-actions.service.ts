import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuthenticatedOperator } from '../auth/authenticated-operator.js';
import { DomainError, notFound } from '../common/domain-error.js';
import { Clock } from '../common/clock.js';
import { firstRow, rows } from '../database/rows.js';
import { STEPS_FULFILLED_BY, markStepDone, tickPlanSteps } from '../action-plans/alarm-plan.js';
import { Escalation } from '../escalation/escalation.js';
import { TEXTS_NOBODY } from '../escalation/escalation-policy.js';
import { announceAlarmChange } from '../alarm-model/alarm-changes.js';
import { acknowledgeAlarm, closeAlarm, writeAlarmLog, type AlarmRow } from '../alarm-model/alarm-state.js';
import type { AlarmActionDto } from './alarms.dto.js';
import { handlingNote } from './alarm-handler.js';

const invalid = (code: string, message: string) => new DomainError('invalid', code, message);

/**
 * What an operator records about an alarm (docs/alarm-handling.md#operator-actions). `owner_reached` and
 * `contact_reached` acknowledge on that person's behalf (escalation stops); `false_alarm` and
 * `resolved` close; the others are recorded on the timeline. Only a note may be added to a closed alarm.
 * `notify_contacts` is the operator's decision (docs/alarm-handling.md#panic-and-duress) needed before the contacts of a panic
 * or duress alarm are texted (those classes text nobody by themselves): the contacts are then
 * tried one at a time like any escalation, the owner still never. An action also ticks the step of the
 * alarm's action plan it fulfils (STEPS_FULFILLED_BY); `step_done` ticks one step by its index.
 */
@Injectable()
export class AlarmActions {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly escalation: Escalation,
  ) {}

  /** Returns the alarm as it was before the action. */
  async act(alarmId: string, dto: AlarmActionDto, operator: AuthenticatedOperator): Promise<AlarmRow> {
    return this.dataSource.transaction((m) => this.actWithin(m, alarmId, dto, operator));
  }

  /**
   * The same, inside the caller's transaction: for a call whose outcome acknowledges, so the call
   * and the acknowledgement are one change. `logData` is added to the action's timeline entry.
   */
  async actWithin(
    m: EntityManager,
    alarmId: string,
    dto: AlarmActionDto,
    operator: AuthenticatedOperator,
    logData: Record<string, unknown> = {},
  ): Promise<AlarmRow> {
    const note = dto.note ? dto.note : undefined;
    if ((dto.action === 'resolved' || dto.action === 'note') && !note) throw invalid('alarm_action_note_required', `note is required for ${dto.action}`);
    if (dto.action === 'guard_dispatched' && !dto.partner)
      throw invalid('alarm_action_partner_required', 'partner is required for guard_dispatched (the guard company)');
    if (dto.action === 'step_done' && dto.step === undefined)
      throw invalid('alarm_action_step_required', 'step is required for step_done (the index of the step, from 0)');
    if (dto.action === 'contact_reached' && !dto.contactId) throw invalid('alarm_action_contact_required', 'contactId is required for contact_reached');

    const alarm = await firstRow<AlarmRow>(m, `SELECT * FROM alarm WHERE id = $1 FOR UPDATE`, [alarmId]);
    if (!alarm) throw notFound('alarm', alarmId);
    if (alarm.status === 'closed' && dto.action !== 'note') {
      // The alarm's state, not the request, is in the way: a conflict (409, docs/api-contract.md#errors).
      throw new DomainError('conflict', 'alarm_closed', `alarm ${alarmId} is closed; only a note can be added`);
    }
    if (dto.action === 'notify_contacts') {
      if (!TEXTS_NOBODY.includes(alarm.class)) {
        throw new DomainError(
          'unprocessable',
          'alarm_action_not_applicable',
          `notify_contacts is for panic and duress alarms; a ${alarm.class} alarm texts its contacts by itself`,
        );
      }
      const [{ decided }] = await rows<{ decided: boolean }>(
        m,
        `SELECT EXISTS (SELECT 1 FROM alarm_log WHERE alarm_id = $1 AND kind = 'action' AND data->>'action' = 'notify_contacts') AS decided`,
        [alarmId],
      );
      // Once decided, not again: even if every contact was skipped (opted out, removed), so step stayed 0.
      if (alarm.stage !== 'unreached' || alarm.step !== 0 || decided) {
        throw new DomainError(
          'unprocessable',
          'alarm_contacts_already_notified',
          `the contacts of alarm ${alarmId} were already texted, or it was acknowledged (stage ${alarm.stage})`,
        );
      }
    }
    let contactName: string | null = null;
    if (dto.action === 'contact_reached') {
      if (!(alarm.chain ?? []).includes(dto.contactId!)) {
        throw new DomainError('unprocessable', 'contact_not_in_chain', `contact ${dto.contactId} is not in this alarm's escalation chain`);
      }
      const contact = await firstRow<{ name: string }>(m, `SELECT name FROM contact WHERE id = $1`, [dto.contactId]);
      contactName = contact?.name ?? null;
    }
    const at = this.clock.now();
    if (dto.action === 'step_done') {
      // The step's own timeline entry says what was done and by whom: no separate action entry.
      await markStepDone(m, alarmId, dto.step!, operator, at);
      await announceAlarmChange(m, alarmId);
      return alarm;
    }
    await writeAlarmLog(
      m,
      alarmId,
      'action',
      {
        action: dto.action,
        operatorName: operator.name,
        ...logData,
        ...(await handlingNote(m, alarm, operator)),
        ...(note ? { note } : {}),
        ...(dto.contactId ? { contactId: dto.contactId } : {}),
        ...(dto.partner ? { partner: dto.partner } : {}),
      },
      operator.id,
      at,
    );
    switch (dto.action) {
      case 'owner_reached':
        await acknowledgeAlarm(m, alarmId, { type: 'owner', customerId: alarm.customer_id, via: 'operator', operatorId: operator.id }, at);
        break;
      case 'contact_reached':
        await acknowledgeAlarm(m, alarmId, { type: 'contact', contactId: dto.contactId!, name: contactName, via: 'operator', operatorId: operator.id }, at);
        break;
      case 'false_alarm':
      case 'resolved':
        await closeAlarm(m, alarmId, { operatorId: operator.id, action: dto.action }, at);
        break;
    }
    await tickPlanSteps(m, alarmId, STEPS_FULFILLED_BY[dto.action] ?? [], operator, at);
    // The first contact is texted in this transaction; the engine hears when to look next.
    const next = dto.action === 'notify_contacts' ? await this.escalation.startContacts(alarm, m) : null;
    // The action itself is a change the queue shows, whether or not the stage moved.
    await announceAlarmChange(m, alarmId, next);
    return alarm;
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuthenticatedOperator } from '../auth/authenticated-operator.js';
import { DomainError, notFound } from '../common/domain-error.js';
import { Clock } from '../common/clock.js';
import type { StepKind } from '../action-plans/action-plan-steps.js';
import { tickPlanSteps } from '../action-plans/alarm-plan.js';
import { AlarmActions } from '../alarms/alarm-actions.service.js';
import { announceAlarmChange } from '../alarm-model/alarm-changes.js';
import { handlingNote } from '../alarms/alarm-handler.js';
import { writeAlarmLog, type AlarmRow } from '../alarm-model/alarm-state.js';
import { firstRow, rows } from '../database/rows.js';
import { CALL_TARGETS_WITH_NUMBER, type AlarmCallDto } from './alarm-handling.dto.js';

/** The plan step a call that reached its person fulfils (a call to the guard company is not yet a dispatch). */
const REACHED_FULFILS: Partial<Record<AlarmCallDto['to'], StepKind[]>> = { owner: ['call_owner'], contact: ['call_contacts'], emergency: ['call_emergency'] };

const unprocessable = (code: string, message: string) => new DomainError('unprocessable', code, message);

/**
 * An operator's phone call about an alarm, with its outcome, on the alarm's timeline. Reaching the
 * owner, or a contact in the alarm's chain, acknowledges through the very path of the
 * `owner_reached`/`contact_reached` actions, in the same transaction: the escalation stops, so no
 * SMS goes to someone an operator already has on the phone.
 */
@Injectable()
export class AlarmCalls {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly actions: AlarmActions,
  ) {}

  async record(alarmId: string, dto: AlarmCallDto, operator: AuthenticatedOperator): Promise<{ callId: string }> {
    if (dto.to === 'contact' && !dto.contactId) throw new DomainError('invalid', 'alarm_call_contact_required', 'contactId is required when to is contact');
    if (dto.to !== 'contact' && dto.contactId) throw new DomainError('invalid', 'alarm_call_contact_not_expected', 'contactId is only for to: contact');
    if (dto.number && !CALL_TARGETS_WITH_NUMBER.includes(dto.to)) {
      throw new DomainError(
        'invalid',
        'alarm_call_number_not_expected',
        `number is only for to: ${CALL_TARGETS_WITH_NUMBER.join(', ')} (the owner's and contacts' numbers are on record)`,
      );
    }

    return this.dataSource.transaction(async (m) => {
      const alarm = await firstRow<AlarmRow>(m, `SELECT * FROM alarm WHERE id = $1 FOR UPDATE`, [alarmId]);
      if (!alarm) throw notFound('alarm', alarmId);
      if (alarm.status === 'closed') throw new DomainError('conflict', 'alarm_closed', `alarm ${alarmId} is closed; only a note can be added`);
      let contactName: string | null = null;
      if (dto.contactId) {
        const contact = await firstRow<{ name: string; customer_id: string }>(m, `SELECT name, customer_id FROM contact WHERE id = $1`, [dto.contactId]);
        if (!contact) throw notFound('contact', dto.contactId);
        if (contact.customer_id !== alarm.customer_id)
          throw unprocessable('contact_not_of_customer', `contact ${dto.contactId} is not a contact of this alarm's customer`);
        contactName = contact.name;
      }
      const at = this.clock.now();
      const [{ id: callId }] = await rows<{ id: string }>(
        m,
        `INSERT INTO alarm_call (alarm_id, operator_id, to_kind, contact_id, number, outcome, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [alarmId, operator.id, dto.to, dto.contactId ?? null, dto.number?.trim() ?? null, dto.outcome, dto.note ?? null, at],
      );
      await writeAlarmLog(
        m,
        alarmId,
        'call',
        {
          callId,
          to: dto.to,
          outcome: dto.outcome,
          operatorName: operator.name,
          ...(dto.contactId ? { contactId: dto.contactId, contactName } : {}),
          ...(dto.number ? { number: dto.number.trim() } : {}),
          ...(dto.note ? { note: dto.note } : {}),
          ...(await handlingNote(m, alarm, operator)),
        },
        operator.id,
        at,
      );
      // Reaching the owner or a chain contact acknowledges through the actions, which tick the plan's
      // step too; any other call that reached its person ticks its step here.
      let acknowledged = false;
      if (dto.outcome === 'reached' && alarm.stage !== 'acknowledged') {
        if (dto.to === 'owner') {
          await this.actions.actWithin(m, alarmId, { action: 'owner_reached' }, operator, { callId });
          acknowledged = true;
        } else if (dto.to === 'contact' && (alarm.chain ?? []).includes(dto.contactId!)) {
          // A contact added after the alarm opened is not in its chain: the call is on record, the acknowledgement is the operator's to make.
          await this.actions.actWithin(m, alarmId, { action: 'contact_reached', contactId: dto.contactId }, operator, { callId });
          acknowledged = true;
        }
      }
      if (dto.outcome === 'reached' && !acknowledged) await tickPlanSteps(m, alarmId, REACHED_FULFILS[dto.to] ?? [], operator, at);
      await announceAlarmChange(m, alarmId);
      return { callId };
    });
  }
}

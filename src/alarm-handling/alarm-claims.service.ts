import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuthenticatedOperator } from '../auth/authenticated-operator.js';
import type { Role } from '../auth/access.decorator.js';
import { DomainError, notFound } from '../common/domain-error.js';
import { Clock } from '../common/clock.js';
import { announceAlarmChange } from '../alarm-model/alarm-changes.js';
import { writeAlarmLog, type AlarmRow } from '../alarm-model/alarm-state.js';
import { firstRow, rows } from '../database/rows.js';

/** The roles that work the alarm queue (the others cannot even read it). */
const HANDLING_ROLES: readonly Role[] = ['operator', 'supervisor', 'admin'];

/**
 * Who is handling an alarm: one operator at a time. Claiming an alarm someone else holds takes it
 * over, recorded as such, so the central never waits on the claim of an operator who went home;
 * a hand-over names an enabled operator who can work the queue. A closed alarm's claim ends
 * (closeAlarm).
 */
@Injectable()
export class AlarmClaims {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async claim(alarmId: string, operator: AuthenticatedOperator, handOverTo?: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const alarm = await this.lockOpen(m, alarmId);
      let handler: { id: string; name: string } = { id: operator.id, name: operator.name };
      if (handOverTo && handOverTo !== operator.id) {
        const target = await firstRow<{ id: string; name: string; role: Role; disabled_at: Date | null }>(
          m,
          `SELECT id, name, role, disabled_at FROM operator WHERE id = $1`,
          [handOverTo],
        );
        if (!target) throw notFound('operator', handOverTo);
        if (target.disabled_at) throw new DomainError('unprocessable', 'operator_disabled', `operator ${handOverTo} is disabled and cannot handle alarms`);
        if (!HANDLING_ROLES.includes(target.role))
          throw new DomainError('unprocessable', 'operator_cannot_handle_alarms', `operator ${handOverTo} (${target.role}) does not work the alarm queue`);
        handler = { id: target.id, name: target.name };
      }
      if (alarm.handler_id === handler.id) return;
      const previous = alarm.handler_id ? await this.nameOf(m, alarm.handler_id) : null;
      const at = this.clock.now();
      await m.query(`UPDATE alarm SET handler_id = $2, claimed_at = $3, updated_at = now() WHERE id = $1`, [alarmId, handler.id, at]);
      await writeAlarmLog(
        m,
        alarmId,
        'claimed',
        {
          handlerId: handler.id,
          handlerName: handler.name,
          operatorName: operator.name,
          handOver: handler.id !== operator.id,
          // Someone else held it and did not give it up: a take-over, said plainly.
          ...(previous ? { previousHandlerId: alarm.handler_id, previousHandlerName: previous, takeOver: alarm.handler_id !== operator.id } : {}),
        },
        operator.id,
        at,
      );
      await announceAlarmChange(m, alarmId);
    });
  }

  async release(alarmId: string, operator: AuthenticatedOperator): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const alarm = await this.lockOpen(m, alarmId);
      if (!alarm.handler_id) return;
      const previous = await this.nameOf(m, alarm.handler_id);
      await m.query(`UPDATE alarm SET handler_id = NULL, claimed_at = NULL, updated_at = now() WHERE id = $1`, [alarmId]);
      await writeAlarmLog(
        m,
        alarmId,
        'released',
        { previousHandlerId: alarm.handler_id, previousHandlerName: previous, operatorName: operator.name },
        operator.id,
        this.clock.now(),
      );
      await announceAlarmChange(m, alarmId);
    });
  }

  /** Who can take an alarm: enabled accounts of the roles that work the queue, by name. */
  async handlers(): Promise<Array<{ id: string; name: string }>> {
    return rows<{ id: string; name: string }>(
      this.dataSource,
      `SELECT id, name FROM operator WHERE disabled_at IS NULL AND role::text = ANY($1) ORDER BY name, id`,
      [HANDLING_ROLES],
    );
  }

  private async lockOpen(m: EntityManager, alarmId: string): Promise<AlarmRow> {
    const alarm = await firstRow<AlarmRow>(m, `SELECT * FROM alarm WHERE id = $1 FOR UPDATE`, [alarmId]);
    if (!alarm) throw notFound('alarm', alarmId);
    if (alarm.status === 'closed') throw new DomainError('conflict', 'alarm_closed', `alarm ${alarmId} is closed; nobody handles a closed alarm`);
    return alarm;
  }

  private async nameOf(m: EntityManager, operatorId: string): Promise<string> {
    const row = await firstRow<{ name: string }>(m, `SELECT name FROM operator WHERE id = $1`, [operatorId]);
    return row?.name ?? '';
  }
}

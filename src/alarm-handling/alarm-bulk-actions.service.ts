import { Injectable, Logger } from '@nestjs/common';
import type { AuthenticatedOperator } from '../auth/authenticated-operator.js';
import { DomainError } from '../common/domain-error.js';
import { AlarmActions } from '../alarms/alarm-actions.service.js';
import type { BulkAlarmActionDto } from './alarm-handling.dto.js';

/** The HTTP status the single action would have answered, for one alarm's result. */
const STATUS_OF: Record<string, number> = { invalid: 400, not_found: 404, conflict: 409, unprocessable: 422 };

export interface BulkItemResult {
  alarmId: string;
  status: 'ok' | 'error';
  error?: { status: number; code: string; message: string };
}

/**
 * One action on many alarms (a storm of mains-loss alarms from one power cut): each alarm on its own,
 * in its own transaction, through the single action's service, so each is recorded on its own
 * timeline exactly as if done one by one, and one alarm that cannot take it (unknown, closed) does
 * not stop the others.
 */
@Injectable()
export class AlarmBulkActions {
  private readonly logger = new Logger(AlarmBulkActions.name);

  constructor(private readonly actions: AlarmActions) {}

  async act(dto: BulkAlarmActionDto, operator: AuthenticatedOperator): Promise<{ items: BulkItemResult[]; total: number; customerIds: string[] }> {
    const items: BulkItemResult[] = [];
    const customerIds = new Set<string>();
    for (const alarmId of dto.alarmIds) {
      try {
        const alarm = await this.actions.act(alarmId, { action: dto.action, note: dto.note }, operator);
        customerIds.add(alarm.customer_id);
        items.push({ alarmId, status: 'ok' });
      } catch (e) {
        if (!(e instanceof DomainError) || !STATUS_OF[e.kind]) {
          // Unexpected for this alarm only: the rest still get the action, and the log has the cause.
          this.logger.error({ err: e, alarmId }, 'bulk alarm action failed for one alarm');
          items.push({ alarmId, status: 'error', error: { status: 500, code: 'internal_error', message: 'the action could not be recorded on this alarm' } });
          continue;
        }
        items.push({ alarmId, status: 'error', error: { status: STATUS_OF[e.kind], code: e.code, message: e.message } });
      }
    }
    return { items, total: items.length, customerIds: [...customerIds] };
  }
}

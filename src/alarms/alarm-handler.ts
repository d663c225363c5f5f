import type { EntityManager } from 'typeorm';
import type { AlarmRow } from '../alarm-model/alarm-state.js';
import { firstRow } from '../database/rows.js';

/**
 * For a timeline entry by someone other than the operator handling the alarm: who was handling it
 * ("by X while Y was handling"). Anyone may act on any alarm, so nobody waits on an absent operator's
 * claim; the timeline says so instead.
 */
export async function handlingNote(m: EntityManager, alarm: Pick<AlarmRow, 'handler_id'>, by: { id: string }): Promise<Record<string, string>> {
  if (!alarm.handler_id || alarm.handler_id === by.id) return {};
  const handler = await firstRow<{ name: string }>(m, `SELECT name FROM operator WHERE id = $1`, [alarm.handler_id]);
  return { handlerId: alarm.handler_id, handlerName: handler?.name ?? '' };
}

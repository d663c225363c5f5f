import type { EntityManager } from 'typeorm';
import { rows } from '../database/rows.js';
import { announceAlarmChange } from './alarm-changes.js';
import type { EventClass } from './event-classification.js';
import type { AlarmPlan } from '../action-plans/action-plan-steps.js';

export const ALARM_STAGES = ['owner', 'contacts', 'unreached', 'acknowledged'] as const;
export type AlarmStage = (typeof ALARM_STAGES)[number];
export type AlarmStatus = 'open' | 'closed';

/** Who acknowledged an alarm (`acknowledgedBy`, docs/api-contract.md#alarms): a reply code, an operator on someone's behalf, or a disarm. */
export type AcknowledgedBy =
  | { type: 'owner'; customerId: string; via: 'reply_code' | 'operator'; operatorId?: string; messageId?: string }
  | { type: 'contact'; contactId: string; name: string | null; via: 'reply_code' | 'operator'; operatorId?: string; messageId?: string }
  | { type: 'panel'; via: 'panel_disarm'; eventId: string; user: string | null; method: string | null };

/** An alarm row as stored (snake_case, as the driver returns it). */
export interface AlarmRow {
  id: string;
  customer_id: string;
  panel_id: string;
  class: EventClass;
  zone: string | null;
  zone_key: string;
  reason: string | null;
  status: AlarmStatus;
  stage: AlarmStage;
  opened_at: Date;
  closed_at: Date | null;
  closed_by: Record<string, unknown> | null;
  acknowledged_at: Date | null;
  acknowledged_by: AcknowledgedBy | null;
  last_event_at: Date;
  event_count: number;
  chain: string[];
  owner_wait_seconds: number | null;
  contact_wait_seconds: number | null;
  step: number;
  step_message_id: string | null;
  next_step_at: Date | null;
  /** The operator handling it (claimed), if anyone; a closed alarm has none. */
  handler_id: string | null;
  claimed_at: Date | null;
  updated_at: Date;
  action_plan: AlarmPlan | null;
}

/** Timeline entries that are neither panel events nor SMS. */
export type AlarmLogKind =
  'opened' | 'stage' | 'step_skipped' | 'acknowledged' | 'action' | 'closed' | 'panel_reporting' | 'step_done' | 'call' | 'claimed' | 'released';

export async function writeAlarmLog(
  m: EntityManager,
  alarmId: string,
  kind: AlarmLogKind,
  data: Record<string, unknown>,
  operatorId: string | null = null,
  at?: Date,
): Promise<void> {
  await m.query(`INSERT INTO alarm_log (alarm_id, kind, operator_id, data, at) VALUES ($1, $2, $3, $4, COALESCE($5, now()))`, [
    alarmId,
    kind,
    operatorId,
    JSON.stringify(data),
    at ?? null,
  ]);
}

/**
 * Acknowledges an open alarm, which stops its escalation (no next step is due any more); it stays
 * open (docs/alarm-handling.md#stages: acknowledging does not close). Returns false when it was already acknowledged or
 * closed, and then changes nothing. The caller holds the transaction.
 */
/** `at` unset: the transaction's time, the time its SMS rows get too. */
export async function acknowledgeAlarm(m: EntityManager, alarmId: string, by: AcknowledgedBy, at?: Date, note?: string): Promise<boolean> {
  const acknowledged = await rows<{ id: string }>(
    m,
    `WITH u AS (
       UPDATE alarm SET stage = 'acknowledged', acknowledged_at = COALESCE($2, now()), acknowledged_by = $3, next_step_at = NULL, updated_at = now()
        WHERE id = $1 AND status = 'open' AND stage <> 'acknowledged'
        RETURNING id)
     SELECT * FROM u`,
    [alarmId, at ?? null, JSON.stringify(by)],
  );
  if (acknowledged.length === 0) return false;
  const operatorId = 'operatorId' in by && by.operatorId ? by.operatorId : null;
  await writeAlarmLog(m, alarmId, 'acknowledged', { by, ...(note ? { note } : {}) }, operatorId, at);
  await announceAlarmChange(m, alarmId);
  return true;
}

/**
 * Closes an alarm: escalation stops, its reply codes are freed for the next alarm to that phone, and
 * its claim ends (nobody handles a closed alarm).
 */
export async function closeAlarm(m: EntityManager, alarmId: string, by: { operatorId: string; action: string }, at: Date): Promise<boolean> {
  const closed = await rows<{ id: string }>(
    m,
    `WITH u AS (
       UPDATE alarm SET status = 'closed', closed_at = $2, closed_by = $3, next_step_at = NULL, handler_id = NULL, claimed_at = NULL, updated_at = now()
        WHERE id = $1 AND status = 'open'
        RETURNING id)
     SELECT * FROM u`,
    [alarmId, at, JSON.stringify(by)],
  );
  if (closed.length === 0) return false;
  await m.query(`UPDATE reply_code SET active = false WHERE alarm_id = $1 AND active`, [alarmId]);
  await writeAlarmLog(m, alarmId, 'closed', { action: by.action }, by.operatorId, at);
  await announceAlarmChange(m, alarmId);
  return true;
}

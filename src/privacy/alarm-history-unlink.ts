import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { queueProcessorDeletions } from './processor-deletion.js';
import { ANONYMOUS_ID, ERASED_PHONE } from './retention-policy.js';

/**
 * Keys of an alarm-log entry's data that say how an alarm was handled and nothing about whom:
 * step numbers and kinds, actions, stages, reasons and outcomes. Everything else (notes, names,
 * contact ids, numbers, message and event ids, step texts) is dropped, so a key added later is
 * dropped too until someone decides it is safe to keep.
 */
const KEPT_LOG_KEYS = ['step', 'kind', 'action', 'reason', 'refusal', 'stage', 'from', 'outcome', 'via', 'type'];
/** Whom an operator called, as a kind: a number or a name under `to` is not kept. */
const CALL_KINDS = ['owner', 'contact', 'emergency', 'guard', 'other'];

/**
 * Anonymises alarm history so that what is kept for legal claims (Art. 17(3)(e)) cannot be joined
 * back to anyone (Recital 26): when an alarm happened, its class, how it was handled and how fast,
 * which texts went out when and whether they were delivered. The same code serves erasure on request
 * and the end of the legal period.
 *
 * Why fresh ids: the processing log is append-only and names alarm, message and event ids next to
 * the customer's and contacts' ids, and it cannot be changed. So the kept alarms, their SMS, panel
 * events and calls move to new random ids that appear in no log entry and in no erasure record,
 * and every column that pointed at a person (customer, panel, contacts, zones, panel users, numbers,
 * texts, notes, the frozen action-plan texts, the processor's message id) is cleared or set to the
 * shared ANONYMOUS_ID. Why shifted times: a log entry's time next to the customer's id would
 * otherwise match an alarm's exact opening time; every time of an alarm's history moves back by
 * the same amount, to the start of the hour it opened in, so how fast it was handled is unchanged
 * and only the hour remains. Nothing here writes now(): an updated_at equal to the erasure
 * record's time would be a link of its own.
 *
 * The processor's copies of the SMS are queued for deletion at the provider first (the message id
 * is what finds them there).
 *
 * Only closed alarms are passed in (erasure refuses an open one; retention takes closed ones).
 * Returns the number of alarms moved and of SMS copies queued for deletion at the provider.
 */
export async function unlinkAlarmHistory(m: EntityManager, alarmIds: string[]): Promise<{ alarms: number; processorCopies: number }> {
  if (!alarmIds.length) return { alarms: 0, processorCopies: 0 };
  const fresh = alarmIds.map(() => randomUUID());
  // old id -> new id, and how far back this alarm's times move.
  const map = `(SELECT o.old, o.new, a.opened_at - date_trunc('hour', a.opened_at) AS shift
                  FROM unnest($1::uuid[], $2::uuid[]) AS o(old, new) JOIN alarm a ON a.id = o.old)`;
  const ids = [alarmIds, fresh];

  await m.query(
    `INSERT INTO alarm (id, customer_id, panel_id, class, zone, zone_key, reason, status, stage, opened_at, closed_at, closed_by,
                        acknowledged_at, acknowledged_by, last_event_at, event_count, chain, owner_wait_seconds, contact_wait_seconds,
                        step, step_message_id, next_step_at, updated_at, action_plan, handler_id, claimed_at)
     SELECT map.new, $3, $3, a.class, NULL, 'anonymised', a.reason, a.status, a.stage, a.opened_at - map.shift, a.closed_at - map.shift,
            CASE WHEN a.closed_by IS NULL THEN NULL ELSE jsonb_strip_nulls(jsonb_build_object('type', a.closed_by->'type', 'action', a.closed_by->'action', 'via', a.closed_by->'via')) END,
            a.acknowledged_at - map.shift,
            CASE WHEN a.acknowledged_by IS NULL THEN NULL ELSE jsonb_strip_nulls(jsonb_build_object('type', a.acknowledged_by->'type', 'via', a.acknowledged_by->'via')) END,
            a.last_event_at - map.shift, a.event_count, '{}', a.owner_wait_seconds, a.contact_wait_seconds,
            a.step, NULL, NULL, coalesce(a.closed_at, a.last_event_at) - map.shift,
            CASE WHEN a.action_plan IS NULL THEN NULL ELSE jsonb_build_object(
              'source', a.action_plan->'source',
              'steps', (SELECT coalesce(jsonb_agg(jsonb_build_object('kind', s->'kind', 'done', s->'done') ORDER BY n), '[]'::jsonb)
                          FROM jsonb_array_elements(a.action_plan->'steps') WITH ORDINALITY AS e(s, n))) END,
            NULL, NULL
       FROM ${map} map JOIN alarm a ON a.id = map.old`,
    [...ids, ANONYMOUS_ID],
  );

  // SMS: references to the rows about to change id are dropped first (the foreign keys do not cascade updates).
  const theirSms = `SELECT id FROM sms_message WHERE alarm_id = ANY($1::uuid[])`;
  const processorCopies = await queueProcessorDeletions(m, `alarm_id = ANY($1::uuid[])`, [alarmIds]);
  await m.query(`UPDATE sms_message SET in_reply_to = NULL WHERE in_reply_to IN (${theirSms})`, [alarmIds]);
  await m.query(`UPDATE sms_opt_out SET inbound_message_id = NULL WHERE inbound_message_id IN (${theirSms})`, [alarmIds]);
  await m.query(`UPDATE contact_notice SET message_id = NULL WHERE message_id IN (${theirSms})`, [alarmIds]);
  await m.query(
    `UPDATE sms_message s SET id = gen_random_uuid(), alarm_id = map.new, customer_id = NULL, contact_id = NULL,
            to_phone = $3, from_phone = $3, body = '', provider_id = NULL, in_reply_to = NULL,
            status = CASE WHEN s.status = 'queued' THEN 'refused' ELSE s.status END,
            refusal_reason = CASE WHEN s.status = 'queued' THEN 'recipient_ended: erased' ELSE s.refusal_reason END,
            created_at = s.created_at - map.shift, updated_at = s.updated_at - map.shift, next_attempt_at = s.next_attempt_at - map.shift,
            sent_at = s.sent_at - map.shift, claimed_until = NULL
       FROM ${map} map WHERE s.alarm_id = map.old`,
    [...ids, ERASED_PHONE],
  );

  await m.query(
    `UPDATE panel_event e SET id = gen_random_uuid(), alarm_id = map.new, customer_id = $3, panel_id = $3,
            event_id = 'anonymised:' || gen_random_uuid(), zone = NULL, panel_user = NULL, method = NULL, text = NULL, area = NULL, extra = NULL,
            occurred_at = e.occurred_at - map.shift, received_at = e.received_at - map.shift
       FROM ${map} map WHERE e.alarm_id = map.old`,
    [...ids, ANONYMOUS_ID],
  );

  await m.query(
    `UPDATE alarm_log l SET alarm_id = map.new, at = l.at - map.shift,
            data = (SELECT coalesce(jsonb_object_agg(k, v), '{}'::jsonb) FROM jsonb_each(l.data) AS d(k, v) WHERE k = ANY($3::text[]))
                || CASE WHEN l.data->>'to' = ANY($4::text[]) THEN jsonb_build_object('to', l.data->'to') ELSE '{}'::jsonb END
                || CASE WHEN jsonb_typeof(l.data->'by') = 'object'
                        THEN jsonb_build_object('by', jsonb_strip_nulls(jsonb_build_object('type', l.data->'by'->'type', 'via', l.data->'by'->'via')))
                        ELSE '{}'::jsonb END
       FROM ${map} map WHERE l.alarm_id = map.old`,
    [...ids, KEPT_LOG_KEYS, CALL_KINDS],
  );

  // A call to a contact keeps that it was a contact (the table requires an id for it), not which one.
  await m.query(
    `UPDATE alarm_call c SET id = gen_random_uuid(), alarm_id = map.new,
            contact_id = CASE WHEN c.contact_id IS NULL THEN NULL ELSE $3::uuid END,
            number = CASE WHEN c.to_kind IN ('emergency', 'guard') THEN c.number ELSE NULL END,
            note = NULL, created_at = c.created_at - map.shift
       FROM ${map} map WHERE c.alarm_id = map.old`,
    [...ids, ANONYMOUS_ID],
  );

  // The old rows go; their reply codes with them (ON DELETE CASCADE), panel silences lose the link.
  await m.query(`DELETE FROM alarm WHERE id = ANY($1::uuid[])`, [alarmIds]);
  return { alarms: alarmIds.length, processorCopies };
}

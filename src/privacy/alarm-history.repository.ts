import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { count, execute, rows, type Queryable } from '../database/rows.js';
import { unlinkAlarmHistory } from './alarm-history-unlink.js';
import { ANONYMOUS_ID } from './retention-policy.js';

/** What replaces a note about an erased person in the alarm history kept. */
const ERASED_NOTE = '[erased]';

export interface ArmingEventRow {
  id: string;
  panel_id: string;
  event_id: string;
  code: string;
  arming: string;
  panel_user: string | null;
  method: string | null;
  occurred_at: Date;
  received_at: Date;
}

/** An alarm as a contact on its escalation list may see it: nothing of the customer's. */
export interface ContactAlarmRow {
  id: string;
  class: string;
  status: string;
  opened_at: Date;
  closed_at: Date | null;
  chain: string[];
  acknowledged_at: Date | null;
  acknowledged_by: { type?: string; contactId?: string } | null;
}

/** The queries the data-subject rights make of the alarm history (alarms, their log and calls, panel events). */
@Injectable()
export class AlarmHistoryRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The customer's alarms, newest first. */
  async alarmIdsOfCustomer(customerId: string, m: Queryable = this.db.manager): Promise<string[]> {
    const alarms = await rows<{ id: string }>(m, `SELECT id FROM alarm WHERE customer_id = $1 ORDER BY opened_at DESC`, [customerId]);
    return alarms.map((a) => a.id);
  }

  /** The customer's open alarms, oldest first. */
  async openAlarmIdsOfCustomer(m: Queryable, customerId: string): Promise<string[]> {
    const open = await rows<{ id: string }>(m, `SELECT id FROM alarm WHERE customer_id = $1 AND status = 'open' ORDER BY opened_at`, [customerId]);
    return open.map((a) => a.id);
  }

  /** The alarms whose frozen escalation list names the contact, newest first. */
  async alarmsWithContact(contactId: string, m: Queryable = this.db.manager): Promise<ContactAlarmRow[]> {
    return rows<ContactAlarmRow>(
      m,
      `SELECT id, class, status, opened_at, closed_at, chain, acknowledged_at, acknowledged_by FROM alarm
        WHERE chain @> ARRAY[$1::uuid] ORDER BY opened_at DESC`,
      [contactId],
    );
  }

  /** Of those, the open ones, oldest first. */
  async openAlarmIdsWithContact(m: Queryable, contactId: string): Promise<string[]> {
    const open = await rows<{ id: string }>(m, `SELECT id FROM alarm WHERE status = 'open' AND chain @> ARRAY[$1::uuid] ORDER BY opened_at`, [contactId]);
    return open.map((a) => a.id);
  }

  async armingHistory(customerId: string, m: Queryable = this.db.manager): Promise<ArmingEventRow[]> {
    return rows<ArmingEventRow>(
      m,
      `SELECT id, panel_id, event_id, code, arming, panel_user, method, occurred_at, received_at
         FROM panel_event WHERE customer_id = $1 AND class = 'arming' ORDER BY occurred_at DESC, id`,
      [customerId],
    );
  }

  /** Arm/disarm history and test signals not part of an alarm (not needed for claims); how many went. */
  async deleteEventsOutsideAlarms(m: Queryable, customerId: string): Promise<number> {
    return count(m, `WITH d AS (DELETE FROM panel_event WHERE customer_id = $1 AND alarm_id IS NULL RETURNING 1) SELECT count(*)::int AS n FROM d`, [
      customerId,
    ]);
  }

  /**
   * Deletes up to `limit` test signals and heartbeats received before `cutoff` that raised or joined
   * no alarm; how many, and whose.
   */
  async deleteSupervisionSignalsBefore(cutoff: Date, limit: number): Promise<{ n: number; customers: string[] }> {
    const [row] = await rows<{ n: number; customers: string[] }>(
      this.db,
      `WITH d AS (
         DELETE FROM panel_event WHERE id IN (
           SELECT id FROM panel_event WHERE class = 'test' AND alarm_id IS NULL AND received_at < $1 LIMIT $2)
         RETURNING customer_id)
       SELECT count(*)::int AS n, coalesce(array_agg(DISTINCT customer_id), '{}') AS customers FROM d`,
      [cutoff, limit],
    );
    return row;
  }

  /**
   * Up to `limit` alarms closed before `cutoff` and not yet anonymised, locked for `m`'s transaction;
   * rows another run holds are skipped.
   */
  async lockClosedBefore(m: Queryable, cutoff: Date, limit: number): Promise<Array<{ id: string; customer_id: string; chain: string[] }>> {
    return rows(
      m,
      `SELECT id, customer_id, chain FROM alarm WHERE status = 'closed' AND closed_at < $1 AND customer_id <> $2 ORDER BY closed_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [cutoff, ANONYMOUS_ID, limit],
    );
  }

  /** Moves closed alarms to new ids that lead back to no one (alarm-history-unlink.ts). */
  async unlink(m: EntityManager, alarmIds: string[]): Promise<{ alarms: number; processorCopies: number }> {
    return unlinkAlarmHistory(m, alarmIds);
  }

  /**
   * One contact's traces in the alarms of a customer who stays: their place in the frozen chain keeps
   * its position (the steps are numbered by it) but no longer names them; their name, id and notes
   * about them leave the timeline, the acknowledgement and the calls.
   */
  async removeContact(m: Queryable, alarmIds: string[], contactId: string): Promise<void> {
    if (!alarmIds.length) return;
    await execute(m, `UPDATE alarm SET chain = array_replace(chain, $2::uuid, $3::uuid) WHERE id = ANY($1::uuid[])`, [alarmIds, contactId, ANONYMOUS_ID]);
    await execute(
      m,
      `UPDATE alarm_log SET data = (data - 'contactName' - 'contactId' - 'number')
          || CASE WHEN data ? 'note' THEN jsonb_build_object('note', $3::text) ELSE '{}'::jsonb END
          || CASE WHEN jsonb_typeof(data->'by') = 'object' THEN jsonb_build_object('by', (data->'by') - 'contactId' - 'name' - 'phone') ELSE '{}'::jsonb END
        WHERE alarm_id = ANY($1::uuid[]) AND (data->>'contactId' = $2 OR data->'by'->>'contactId' = $2)`,
      [alarmIds, contactId, ERASED_NOTE],
    );
    // The opening entry records the chain as it was frozen.
    await execute(
      m,
      `UPDATE alarm_log SET data = jsonb_set(data, '{chain}',
              (SELECT jsonb_agg(CASE WHEN e = to_jsonb($2::text) THEN to_jsonb($3::text) ELSE e END ORDER BY n)
                 FROM jsonb_array_elements(data->'chain') WITH ORDINALITY AS c(e, n)))
        WHERE alarm_id = ANY($1::uuid[]) AND jsonb_typeof(data->'chain') = 'array' AND (data->'chain') ? $2`,
      [alarmIds, contactId, ANONYMOUS_ID],
    );
    await execute(
      m,
      `UPDATE alarm SET acknowledged_by = acknowledged_by - 'contactId' - 'name' - 'phone'
        WHERE id = ANY($1::uuid[]) AND acknowledged_by->>'contactId' = $2`,
      [alarmIds, contactId],
    );
    await execute(
      m,
      `UPDATE alarm_call SET contact_id = $3, number = NULL, note = CASE WHEN note IS NULL THEN NULL ELSE $4 END
        WHERE alarm_id = ANY($1::uuid[]) AND contact_id = $2`,
      [alarmIds, contactId, ANONYMOUS_ID, ERASED_NOTE],
    );
  }
}

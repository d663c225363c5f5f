import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryPrepared } from '../database/prepared-sql.js';
import { Escalation } from '../escalation/escalation.js';
import { initialStage } from '../escalation/escalation-policy.js';
import { freezeActionPlan } from '../action-plans/alarm-plan.js';
import { announceAlarmChange } from '../alarm-model/alarm-changes.js';
import type { AlarmRow } from '../alarm-model/alarm-state.js';
import type { EventClass } from '../alarm-model/event-classification.js';

export interface OpenRequest {
  customerId: string;
  panelId: string;
  class: EventClass;
  zone: string | null;
  /** Flood-control key: `z:<zone>` for panel events; the supervision alarm has its own. */
  zoneKey: string;
  /** Why, when no event says it (`panel_offline`). */
  reason?: string;
  at: Date;
}

export interface Opened {
  alarmId: string;
  /** False when it joined an alarm already open for that panel, zone and class. */
  opened: boolean;
  /** When the escalation must look at the alarm next. */
  nextStepAt: Date | null;
}

export const zoneKeyOf = (zone: string | null | undefined) => `z:${zone ?? ''}`;

/**
 * Opens an alarm, or joins the one already open for the same panel, zone and class
 * (docs/alarm-handling.md#flood-control). The partial unique index `alarm_open_per_zone` decides,
 * so two signals racing on two instances still make one alarm: the loser's INSERT waits for the
 * winner's commit and then does nothing, and it joins. A new alarm starts its escalation in the
 * same transaction.
 */
@Injectable()
export class AlarmOpening {
  constructor(private readonly escalation: Escalation) {}

  async openOrJoin(r: OpenRequest, m: EntityManager): Promise<Opened> {
    // The open alarm may be closed between our INSERT's conflict and our UPDATE: then try again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const [created] = await queryPrepared<AlarmRow>(
        m,
        'alarm_open',
        `INSERT INTO alarm (customer_id, panel_id, class, zone, zone_key, reason, stage, opened_at, last_event_at, event_count, updated_at)
         VALUES ($1::uuid, $2::uuid, $3::text, $4::text, $5::text, $6::text, $7::text, $8::timestamptz, $8::timestamptz, $9::int, $8::timestamptz)
         ON CONFLICT (panel_id, zone_key, class) WHERE status = 'open' DO NOTHING
         RETURNING *`,
        [r.customerId, r.panelId, r.class, r.zone, r.zoneKey, r.reason ?? null, initialStage(r.class), r.at, r.reason ? 0 : 1],
      );
      if (created) {
        await freezeActionPlan(m, created.id, r.customerId, r.class);
        const nextStepAt = await this.escalation.start(created, m);
        await announceAlarmChange(m, created.id, nextStepAt);
        return { alarmId: created.id, opened: true, nextStepAt };
      }
      const [joined] = await queryPrepared<{ id: string }>(
        m,
        'alarm_join',
        `UPDATE alarm SET event_count = event_count + 1, last_event_at = GREATEST(last_event_at, $4::timestamptz), updated_at = now()
          WHERE panel_id = $1::uuid AND zone_key = $2::text AND class = $3::text AND status = 'open'
          RETURNING id`,
        [r.panelId, r.zoneKey, r.class, r.at],
      );
      if (joined) {
        await announceAlarmChange(m, joined.id);
        return { alarmId: joined.id, opened: false, nextStepAt: null };
      }
    }
    throw new Error('could not open or join an alarm after 5 attempts');
  }
}

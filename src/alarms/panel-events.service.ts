import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error.js';
import { queryPrepared } from '../database/prepared-sql.js';
import { firstRow, rows } from '../database/rows.js';
import { Clock } from '../common/clock.js';
import { EscalationEngine } from '../escalation/escalation-engine.js';
import { announceAlarmChange } from '../alarm-model/alarm-changes.js';
import { AlarmOpening, zoneKeyOf } from './alarm-opening.js';
import { acknowledgeAlarm, writeAlarmLog } from '../alarm-model/alarm-state.js';
import { classifySignal, opensAlarm, type Classification, type EventClass } from '../alarm-model/event-classification.js';
import type { PanelSignal } from './panel-signal.js';
import { ProcessingLog, type ProcessingLogEntry } from '../privacy/processing-log.service.js';
import { PANEL_EVENTS_RECEIVE } from './alarms.processing.js';
import { PanelSignalBatch } from './panel-signal-batch.js';

export interface PanelEventResult {
  duplicate: boolean;
  body: { eventId: string; status: 'accepted' | 'duplicate'; class: EventClass; restore: boolean; alarmId?: string };
}

/**
 * A panel's signal, handled in one transaction (docs/alarm-handling.md#no-signal-dropped: a 202 means it is committed):
 * stored once per (panel, eventId), the panel marked as heard from, and then what its class asks for
 * (docs/alarm-handling.md#alarm-classes): open or join an alarm (and text the owner, in the same transaction),
 * attach a restore to its alarm, record arming (a disarm during the owner stage acknowledges), or
 * only supervision for tests. The panel's row is locked first, so one panel's signals are handled
 * one after another, whichever instance receives them.
 *
 * Its processing-log entry (the route's @Processing declaration) is written here, in the same
 * statement or transaction as the event, not by the interceptor afterwards: the entry exists if
 * and only if the event does, and a signal costs one commit, not two. The caller marks the request
 * as logged.
 */
@Injectable()
export class PanelEvents {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly opening: AlarmOpening,
    private readonly engine: EscalationEngine,
    private readonly clock: Clock,
    private readonly processingLog: ProcessingLog,
    private readonly quiet: PanelSignalBatch,
  ) {}

  async receive(panelId: string, signal: PanelSignal, requestId: string | null): Promise<PanelEventResult> {
    const c = classifySignal(signal);
    const receivedAt = this.clock.now();
    if (!opensAlarm(c) && !c.restore && c.arming !== 'disarm') {
      const stored = await this.storeOnly(panelId, signal, c, receivedAt, requestId);
      if (stored) return stored;
    }
    const logEntry = (result: PanelEventResult): ProcessingLogEntry => ({
      ...PANEL_EVENTS_RECEIVE,
      actor: { type: 'panel', id: panelId },
      subjectIds: [panelId, ...(result.body.alarmId ? [result.body.alarmId] : [])],
      httpStatus: result.duplicate ? 200 : 202,
      requestId,
    });
    let nextStepAt: Date | null = null;

    const result = await this.dataSource.transaction(async (m): Promise<PanelEventResult> => {
      // Every signal, duplicate or not, says the panel is alive. The panel's row is updated (and so
      // locked) first and the event stored right after it, in one prepared statement: one round
      // trip and no planning per event, which is most of what a heartbeat costs.
      const [row] = await queryPrepared<{ customer_id: string; stored_id: string | null; offline_alarm_id: string | null }>(
        m,
        'panel_event_store',
        `WITH p AS (UPDATE panel SET last_seen_at = GREATEST(last_seen_at, $2::timestamptz) WHERE id = $1::uuid RETURNING customer_id),
         e AS (
           INSERT INTO panel_event (panel_id, customer_id, event_id, code, class, restore, arming, zone, panel_user, method, text, occurred_at, received_at, area, extra)
           SELECT $1::uuid, p.customer_id, $3::text, $4::text, $5::text, $6::boolean, $7::text, $8::text, $9::text, $10::text, $11::text, $12::timestamptz, $2::timestamptz,
                  $13::text, $14::text
             FROM p
           ON CONFLICT (panel_id, event_id) DO NOTHING
           RETURNING id)
         SELECT p.customer_id, (SELECT id FROM e) AS stored_id,
                (SELECT a.id FROM alarm a
                  WHERE a.panel_id = $1::uuid AND a.zone_key = 'offline' AND a.status = 'open'
                    AND NOT EXISTS (SELECT 1 FROM alarm_log l WHERE l.alarm_id = a.id AND l.kind = 'panel_reporting')) AS offline_alarm_id
           FROM p`,
        [
          panelId,
          receivedAt,
          signal.eventId,
          signal.code,
          c.class,
          c.restore,
          c.arming ?? null,
          signal.zone ?? null,
          signal.user ?? null,
          signal.method ?? null,
          signal.text ?? null,
          new Date(signal.occurredAt),
          signal.area ?? null,
          signal.extra ?? null,
        ],
      );
      if (!row) {
        // Removed between the signature check and now: the same answer as an unknown panel.
        throw new DomainError(
          'unauthenticated',
          'panel_signature_invalid',
          'X-Keyholder-Signature does not match: wrong panel, wrong secret, or a body other than the one signed',
        );
      }
      const customerId = row.customer_id;
      const stored = row.stored_id ? { id: row.stored_id } : undefined;
      if (!stored) {
        const repeated = await this.duplicate(panelId, signal.eventId, m);
        await this.processingLog.record(logEntry(repeated), { manager: m });
        return repeated;
      }

      if (row.offline_alarm_id) await this.panelReporting(row.offline_alarm_id, signal.eventId, receivedAt, m);
      let alarmId: string | undefined;
      if (opensAlarm(c)) {
        const zone = signal.zone ?? null;
        const opened = await this.opening.openOrJoin({ customerId, panelId, class: c.class, zone, zoneKey: zoneKeyOf(zone), at: receivedAt }, m);
        alarmId = opened.alarmId;
        nextStepAt = opened.nextStepAt;
      } else if (c.restore) {
        alarmId = await this.attachRestore(panelId, c, signal.zone ?? null, m);
      } else if (c.arming === 'disarm') {
        await this.cancelAtPanel(panelId, signal, receivedAt, m);
      }
      const accepted: PanelEventResult = {
        duplicate: false,
        body: { eventId: signal.eventId, status: 'accepted', class: c.class, restore: c.restore, ...(alarmId ? { alarmId } : {}) },
      };
      // The event's alarm and the processing-log entry, in one statement.
      await queryPrepared(
        m,
        'panel_event_done',
        `WITH l AS (INSERT INTO processing_log (${ProcessingLog.COLUMNS}) VALUES ${ProcessingLog.placeholders(3)})
         UPDATE panel_event SET alarm_id = $2::uuid WHERE id = $1::uuid AND $2::uuid IS NOT NULL`,
        [stored.id, alarmId ?? null, ...this.processingLog.values(logEntry(accepted))],
      );
      this.processingLog.written();
      return accepted;
    });
    // Committed: the owner's SMS is already on its way (the outbox kicks on commit); arm the timer for the wait.
    if (nextStepAt) this.engine.armAt((nextStepAt as Date).getTime());
    return result;
  }

  /**
   * Heartbeats, tests and arming (most of the traffic) ask for nothing but being stored, the panel
   * marked as seen and the processing-log entry written (for supervision: counted in the panel's
   * day, one entry per panel and day): PanelSignalBatch does that in one
   * statement for many signals at once (a single statement is its own transaction, so the 202
   * still means committed). Undefined when the panel has an open "offline" alarm still waiting for
   * its "panel reporting" note: then nothing was written and the caller takes the full path, which
   * writes that note in the same transaction.
   */
  private async storeOnly(
    panelId: string,
    signal: PanelSignal,
    c: Classification,
    receivedAt: Date,
    requestId: string | null,
  ): Promise<PanelEventResult | undefined> {
    const row = await this.quiet.store({ panelId, dto: signal, c, receivedAt, requestId });
    if (row.offline) return undefined;
    if (!row.customerId) {
      // Removed between the signature check and now: the same answer as an unknown panel.
      throw new DomainError(
        'unauthenticated',
        'panel_signature_invalid',
        'X-Keyholder-Signature does not match: wrong panel, wrong secret, or a body other than the one signed',
      );
    }
    if (!row.storedId) return this.duplicate(panelId, signal.eventId, this.dataSource.manager);
    return { duplicate: false, body: { eventId: signal.eventId, status: 'accepted', class: c.class, restore: c.restore } };
  }

  /** A repeat of an eventId: the same answer as the first time, nothing done again. */
  private async duplicate(panelId: string, eventId: string, m: EntityManager): Promise<PanelEventResult> {
    const [first] = await rows<{ class: EventClass; restore: boolean; alarm_id: string | null }>(
      m,
      `SELECT class, restore, alarm_id FROM panel_event WHERE panel_id = $1 AND event_id = $2`,
      [panelId, eventId],
    );
    return {
      duplicate: true,
      body: { eventId, status: 'duplicate', class: first.class, restore: first.restore, ...(first.alarm_id ? { alarmId: first.alarm_id } : {}) },
    };
  }

  /**
   * A restore is shown on the alarm it restores (same panel, class and zone; a restore without a
   * zone matches the latest open alarm of its class) and does not close it.
   */
  private async attachRestore(panelId: string, c: Classification, zone: string | null, m: EntityManager): Promise<string | undefined> {
    const match = await firstRow<{ id: string }>(
      m,
      `SELECT id FROM alarm WHERE panel_id = $1 AND class = $2 AND status = 'open' AND ($3::text IS NULL OR zone_key = $4)
        ORDER BY opened_at DESC LIMIT 1`,
      [panelId, c.class, zone, zoneKeyOf(zone)],
    );
    if (!match) return undefined;
    await m.query(`UPDATE alarm SET last_event_at = now(), updated_at = now() WHERE id = $1`, [match.id]);
    await announceAlarmChange(m, match.id);
    return match.id;
  }

  /** docs/alarm-handling.md#disarm-during-the-owner-stage: a disarm while an alarm is still in the owner stage counts as the owner acknowledging. */
  private async cancelAtPanel(panelId: string, signal: PanelSignal, at: Date, m: EntityManager): Promise<void> {
    const alarms = await rows<{ id: string }>(
      m,
      `SELECT id FROM alarm WHERE panel_id = $1 AND status = 'open' AND stage = 'owner' ORDER BY opened_at FOR UPDATE`,
      [panelId],
    );
    for (const a of alarms) {
      await acknowledgeAlarm(
        m,
        a.id,
        { type: 'panel', via: 'panel_disarm', eventId: signal.eventId, user: signal.user ?? null, method: signal.method ?? null },
        at,
        'cancelled at the panel',
      );
    }
  }

  /** A panel that was reported offline is heard from again: said once on its open offline alarm. */
  private async panelReporting(offlineAlarmId: string, eventId: string, at: Date, m: EntityManager): Promise<void> {
    await writeAlarmLog(m, offlineAlarmId, 'panel_reporting', { eventId }, null, at);
    await announceAlarmChange(m, offlineAlarmId);
  }
}

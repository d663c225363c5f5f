import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { firstRow, rows } from '../database/rows.js';
import { EscalationEngine } from '../escalation/escalation-engine.js';
import { Processing } from '../privacy/processing.decorator.js';
import { ProcessingLog } from '../privacy/processing-log.service.js';
import { AlarmOpening } from './alarm-opening.js';
import { PANEL_SUPERVISION } from './alarms.processing.js';

/** How often silent panels are looked for; the shortest supervision interval allowed is 60 s. */
export const SUPERVISION_CHECK_MS = 15_000;

/**
 * Panel supervision (docs/alarm-handling.md#panel-supervision: a panel silent past its interval opens a technical alarm "panel
 * offline"). Once per silence: a silence is the panel and the last_seen_at it fell silent after,
 * recorded in panel_silence, so whichever instance sees it first opens the one alarm. A panel never
 * heard from is not supervised yet (it may not be installed); supervision starts with its first signal.
 */
@Injectable()
export class PanelSupervision {
  private readonly logger = new Logger(PanelSupervision.name);
  private checking = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly opening: AlarmOpening,
    private readonly engine: EscalationEngine,
    private readonly processingLog: ProcessingLog,
    private readonly clock: Clock,
  ) {}

  @Interval('panel-supervision', SUPERVISION_CHECK_MS)
  async tick(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      await this.check();
    } catch (e) {
      this.logger.warn({ err: e }, 'panel supervision check failed; trying again at the next tick');
    } finally {
      this.checking = false;
    }
  }

  /** Opens a "panel offline" alarm for every panel that fell silent since the last check; returns their ids. */
  @Processing(PANEL_SUPERVISION)
  async check(): Promise<string[]> {
    const now = this.clock.now();
    const silent = await rows<{ id: string; customer_id: string; last_seen_at: Date }>(
      this.dataSource,
      `SELECT p.id, p.customer_id, p.last_seen_at FROM panel p JOIN customer c ON c.id = p.customer_id
        WHERE c.ended_at IS NULL AND p.last_seen_at IS NOT NULL
          AND p.last_seen_at < $1::timestamptz - make_interval(secs => p.supervision_interval_seconds)
          AND NOT EXISTS (SELECT 1 FROM panel_silence s WHERE s.panel_id = p.id AND s.last_seen_at = p.last_seen_at)
        LIMIT 500`,
      [now],
    );
    const opened: string[] = [];
    for (const panel of silent) {
      const next = await this.dataSource.transaction(async (m) => {
        const silence = await firstRow<{ panel_id: string }>(
          m,
          `INSERT INTO panel_silence (panel_id, last_seen_at) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING panel_id`,
          [panel.id, panel.last_seen_at],
        );
        if (!silence) return null; // another instance took this silence
        const result = await this.opening.openOrJoin(
          { customerId: panel.customer_id, panelId: panel.id, class: 'technical', zone: null, zoneKey: 'offline', reason: 'panel_offline', at: now },
          m,
        );
        await m.query(`UPDATE panel_silence SET alarm_id = $3 WHERE panel_id = $1 AND last_seen_at = $2`, [panel.id, panel.last_seen_at, result.alarmId]);
        await this.processingLog.record(
          { ...PANEL_SUPERVISION, actor: { type: 'system', id: 'panel-supervision' }, subjectIds: [panel.customer_id, result.alarmId] },
          { manager: m },
        );
        opened.push(result.alarmId);
        return result.nextStepAt;
      });
      if (next) this.engine.armAt(next.getTime());
    }
    return opened;
  }
}

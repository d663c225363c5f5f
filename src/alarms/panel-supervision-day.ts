import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import { inBackground } from '../database/connection-priority.js';
import { rows } from '../database/rows.js';
import { Clock } from '../common/clock.js';
import { ProcessingLog } from '../privacy/processing-log.service.js';
import { Processing } from '../privacy/processing.decorator.js';
import { PANEL_SUPERVISION_DAY } from './alarms.processing.js';

/** A day is closed this long after midnight UTC, so a signal received just before it has committed its count. */
const CLOSING_GRACE_MINUTES = 15;

/**
 * Machine supervision in the processing log: PanelSignalBatch counts each heartbeat, link test and
 * test signal in panel_supervision_day (panel, UTC day, count, first and last); this closes every
 * day before today into one processing-log entry per panel and day, with those numbers as its detail.
 *
 * The counts are in the database, not in memory, and a day's rows are deleted in the same statement
 * that writes their entries: a restart loses nothing, and a day is written exactly once whichever
 * instance closes it (a second one finds the rows gone). Hourly, so a night the app was down is
 * closed at its next hour.
 */
@Injectable()
export class PanelSupervisionDays {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly log: ProcessingLog,
    private readonly clock: Clock,
  ) {}

  /** Writes the entries of every day before `now`'s UTC day; returns how many. */
  @Cron('0 5 * * * *', { name: 'panel-supervision-days' })
  @Processing(PANEL_SUPERVISION_DAY)
  async closeDays(now: Date = this.clock.now()): Promise<number> {
    const today = DateTime.fromJSDate(now, { zone: 'utc' }).minus({ minutes: CLOSING_GRACE_MINUTES }).toISODate();
    const { operation, legalBasis, purpose } = PANEL_SUPERVISION_DAY;
    const [{ n }] = await inBackground(() =>
      rows<{ n: number }>(
        this.db,
        `WITH d AS (DELETE FROM panel_supervision_day WHERE day < $1::date RETURNING panel_id, day, signals, first_at, last_at),
         l AS (
           INSERT INTO processing_log (${ProcessingLog.COLUMNS}, detail)
           SELECT 'panel', d.panel_id::text, $2::text, $3::text, $4::text, ARRAY[d.panel_id], 'success', NULL, NULL,
                  jsonb_build_object('day', d.day, 'signals', d.signals,
                    'firstAt', to_char(d.first_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                    'lastAt', to_char(d.last_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
             FROM d ORDER BY d.day, d.panel_id
           RETURNING 1)
         SELECT count(*)::int AS n FROM l`,
        [today, operation, legalBasis, purpose],
      ),
    );
    if (n) this.log.written();
    return n;
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { rows } from '../database/rows.js';
import { ANONYMOUS_ID } from '../privacy/retention-policy.js';

/** p50, p90 and p99 in milliseconds, or null when nothing in the group could be measured. */
export type Percentiles = [number, number, number] | null;

export interface ClassFigureRow {
  class: string;
  alarms: number;
  false_alarms: number;
  first_sms_ms: Percentiles;
  first_ack_ms: Percentiles;
  close_ms: Percentiles;
  ack_within_30s: number;
  ack_within_60s: number;
}

export interface OperatorFigureRow {
  operator_id: string;
  name: string | null;
  alarms: number;
  first_ack_ms: Percentiles;
  close_ms: Percentiles;
}

export interface SiteFigureRow {
  customer_id: string;
  name: string | null;
  alarms: number;
  false_alarms: number;
}

export interface TimelineRow {
  at: Date;
  opened: number;
  closed: number;
  open: number;
}

/**
 * One row per alarm opened in [$1, $2): when it was opened, closed and why, when its first alarm SMS
 * was handed to the provider, and the first entry an operator wrote on its timeline (an action, a
 * call, a claim, an acknowledgement on someone's behalf, a close) and who wrote it. Handling is an
 * operator's: a reply code or a disarm acknowledges the alarm but is nobody's handling of it.
 *
 * The SMS and the timeline are read once for the whole range and hash-joined, not looked up alarm by
 * alarm: both are written at or after the opening, so nothing older than $1 can belong to these alarms.
 */
const PER_ALARM = `
  WITH s AS (
    SELECT m.alarm_id, min(m.sent_at) AS first_sent_at FROM sms_message m
     WHERE m.alarm_id IS NOT NULL AND m.created_at >= $1 AND m.purpose IN ('alarm_owner', 'alarm_contact') AND m.sent_at IS NOT NULL
     GROUP BY m.alarm_id),
  h AS (
    SELECT DISTINCT ON (l.alarm_id) l.alarm_id, l.at, l.operator_id FROM alarm_log l
     WHERE l.at >= $1 AND l.operator_id IS NOT NULL
     ORDER BY l.alarm_id, l.at, l.id),
  a AS (
    SELECT al.class, al.customer_id,
           EXTRACT(EPOCH FROM (al.closed_at - al.opened_at)) * 1000 AS close_ms,
           al.closed_by->>'action' = 'false_alarm' AS false_alarm,
           EXTRACT(EPOCH FROM (s.first_sent_at - al.opened_at)) * 1000 AS first_sms_ms,
           EXTRACT(EPOCH FROM (h.at - al.opened_at)) * 1000 AS first_ack_ms,
           h.operator_id AS handled_by
      FROM alarm al
      LEFT JOIN s ON s.alarm_id = al.id
      LEFT JOIN h ON h.alarm_id = al.id
     WHERE al.opened_at >= $1 AND al.opened_at < $2)`;

const PERCENTILES = (column: string) =>
  `CASE WHEN count(${column}) = 0 THEN NULL
        ELSE percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY ${column}) END`;

/**
 * Per class and per operator (who handled first) over [$1, $2), in one pass over the alarms: a row
 * with `by_operator` false is a class's, true an operator's (exported for the bench's EXPLAIN).
 */
export const HANDLING_FIGURES = `${PER_ALARM}
  SELECT GROUPING(handled_by) = 0 AS by_operator, class, handled_by AS operator_id,
         (SELECT o.name FROM operator o WHERE o.id = handled_by) AS name,
         count(*)::int AS alarms,
         count(*) FILTER (WHERE false_alarm)::int AS false_alarms,
         ${PERCENTILES('first_sms_ms')} AS first_sms_ms,
         ${PERCENTILES('first_ack_ms')} AS first_ack_ms,
         ${PERCENTILES('close_ms')} AS close_ms,
         count(*) FILTER (WHERE first_ack_ms <= 30000)::int AS ack_within_30s,
         count(*) FILTER (WHERE first_ack_ms <= 60000)::int AS ack_within_60s
    FROM a GROUP BY GROUPING SETS ((class), (handled_by))`;

/** The response-time figures of the alarm central, read from alarms, their timelines and their SMS. */
@Injectable()
export class AlarmFigures {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Each alarm counts for its class, and for the operator who handled it first (if anyone did). */
  async handling(from: Date, to: Date): Promise<{ byClass: ClassFigureRow[]; byOperator: OperatorFigureRow[] }> {
    const figures = await rows<ClassFigureRow & OperatorFigureRow & { by_operator: boolean }>(this.db, HANDLING_FIGURES, [from, to]);
    return {
      byClass: figures.filter((r) => !r.by_operator),
      byOperator: figures
        .filter((r) => r.by_operator && r.operator_id !== null)
        .sort((x, y) => y.alarms - x.alarms || String(x.name).localeCompare(String(y.name))),
    };
  }

  /**
   * The premises with the most false alarms (then the most alarms): where a visit or a new detector
   * pays. Anonymised alarm history belongs to no premises, so it is left out here (it still counts
   * in the figures per class).
   */
  async topSites(from: Date, to: Date, limit: number): Promise<SiteFigureRow[]> {
    return rows<SiteFigureRow>(
      this.db,
      `SELECT al.customer_id, c.name, count(*)::int AS alarms,
              count(*) FILTER (WHERE al.closed_by->>'action' = 'false_alarm')::int AS false_alarms
         FROM alarm al LEFT JOIN customer c ON c.id = al.customer_id
        WHERE al.opened_at >= $1 AND al.opened_at < $2 AND al.customer_id <> $4
        GROUP BY al.customer_id, c.name
        ORDER BY false_alarms DESC, alarms DESC, al.customer_id
        LIMIT $3`,
      [from, to, limit, ANONYMOUS_ID],
    );
  }

  /**
   * Alarms opened and closed in each hour (or day) of the range, UTC, including the empty ones, and
   * how many were still open at its end (those open when the range began, plus opened, less closed):
   * how a storm came in and how fast the central worked through it.
   */
  async timeline(from: Date, to: Date, bucket: 'hour' | 'day'): Promise<TimelineRow[]> {
    return rows<TimelineRow>(
      this.db,
      `WITH b AS (
         SELECT generate_series(date_trunc($3, $1::timestamptz AT TIME ZONE 'UTC'),
                                $2::timestamptz AT TIME ZONE 'UTC' - interval '1 microsecond', ('1 ' || $3)::interval) AS slot),
       o AS (SELECT date_trunc($3, opened_at AT TIME ZONE 'UTC') AS slot, count(*)::int AS n
               FROM alarm WHERE opened_at >= $1 AND opened_at < $2 GROUP BY 1),
       c AS (SELECT date_trunc($3, closed_at AT TIME ZONE 'UTC') AS slot, count(*)::int AS n
               FROM alarm WHERE closed_at >= $1 AND closed_at < $2 GROUP BY 1)
       SELECT b.slot AT TIME ZONE 'UTC' AS at, COALESCE(o.n, 0) AS opened, COALESCE(c.n, 0) AS closed,
              ((SELECT count(*) FROM alarm WHERE opened_at < $1 AND (closed_at IS NULL OR closed_at >= $1))
                + sum(COALESCE(o.n, 0) - COALESCE(c.n, 0)) OVER (ORDER BY b.slot))::int AS open
         FROM b LEFT JOIN o USING (slot) LEFT JOIN c USING (slot)
        ORDER BY b.slot`,
      [from, to, bucket],
    );
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

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
}

/**
 * One row per alarm opened in [$1, $2): when it was opened, closed and why, when its first alarm SMS
 * was handed to the provider, and the first entry an operator wrote on its timeline (an action, a
 * call, a claim, an acknowledgement on someone's behalf, a close) and who wrote it. Handling is an
 * operator's: a reply code or a disarm acknowledges the alarm but is nobody's handling of it.
 */
const PER_ALARM = `
  WITH a AS (
    SELECT al.id, al.class, al.customer_id, al.opened_at,
           EXTRACT(EPOCH FROM (al.closed_at - al.opened_at)) * 1000 AS close_ms,
           al.closed_by->>'action' = 'false_alarm' AS false_alarm,
           EXTRACT(EPOCH FROM (s.first_sent_at - al.opened_at)) * 1000 AS first_sms_ms,
           EXTRACT(EPOCH FROM (h.at - al.opened_at)) * 1000 AS first_ack_ms,
           h.operator_id AS handled_by
      FROM alarm al
      LEFT JOIN LATERAL (
        SELECT min(m.sent_at) AS first_sent_at FROM sms_message m
         WHERE m.alarm_id = al.id AND m.purpose IN ('alarm_owner', 'alarm_contact') AND m.sent_at IS NOT NULL) s ON true
      LEFT JOIN LATERAL (
        SELECT l.at, l.operator_id FROM alarm_log l
         WHERE l.alarm_id = al.id AND l.operator_id IS NOT NULL
         ORDER BY l.at, l.id LIMIT 1) h ON true
     WHERE al.opened_at >= $1 AND al.opened_at < $2)`;

const PERCENTILES = (column: string) =>
  `CASE WHEN count(${column}) = 0 THEN NULL
        ELSE percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY ${column}) END`;

/** The response-time figures of the alarm central, read from alarms, their timelines and their SMS. */
@Injectable()
export class AlarmFigures {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async byClass(from: Date, to: Date): Promise<ClassFigureRow[]> {
    return (await this.db.query(
      `${PER_ALARM}
       SELECT class, count(*)::int AS alarms,
              count(*) FILTER (WHERE false_alarm)::int AS false_alarms,
              ${PERCENTILES('first_sms_ms')} AS first_sms_ms,
              ${PERCENTILES('first_ack_ms')} AS first_ack_ms,
              ${PERCENTILES('close_ms')} AS close_ms,
              count(*) FILTER (WHERE first_ack_ms <= 30000)::int AS ack_within_30s,
              count(*) FILTER (WHERE first_ack_ms <= 60000)::int AS ack_within_60s
         FROM a GROUP BY class`,
      [from, to],
    )) as ClassFigureRow[];
  }

  /** Each alarm counts for the operator who handled it first. */
  async byOperator(from: Date, to: Date): Promise<OperatorFigureRow[]> {
    return (await this.db.query(
      `${PER_ALARM}
       SELECT a.handled_by AS operator_id, o.name, count(*)::int AS alarms,
              ${PERCENTILES('a.first_ack_ms')} AS first_ack_ms,
              ${PERCENTILES('a.close_ms')} AS close_ms
         FROM a LEFT JOIN operator o ON o.id = a.handled_by
        WHERE a.handled_by IS NOT NULL
        GROUP BY a.handled_by, o.name
        ORDER BY count(*) DESC, o.name`,
      [from, to],
    )) as OperatorFigureRow[];
  }

  /** The premises with the most false alarms (then the most alarms): where a visit or a new detector pays. */
  async topSites(from: Date, to: Date, limit: number): Promise<SiteFigureRow[]> {
    return (await this.db.query(
      `SELECT al.customer_id, c.name, count(*)::int AS alarms,
              count(*) FILTER (WHERE al.closed_by->>'action' = 'false_alarm')::int AS false_alarms
         FROM alarm al LEFT JOIN customer c ON c.id = al.customer_id
        WHERE al.opened_at >= $1 AND al.opened_at < $2
        GROUP BY al.customer_id, c.name
        ORDER BY false_alarms DESC, alarms DESC, al.customer_id
        LIMIT $3`,
      [from, to, limit],
    )) as SiteFigureRow[];
  }

  /**
   * Alarms opened and closed in each hour (or day) of the range, UTC, including the empty ones: how a
   * storm came in and how fast the central worked through it.
   */
  async timeline(from: Date, to: Date, bucket: 'hour' | 'day'): Promise<TimelineRow[]> {
    return (await this.db.query(
      `WITH b AS (
         SELECT generate_series(date_trunc($3, $1::timestamptz AT TIME ZONE 'UTC'),
                                $2::timestamptz AT TIME ZONE 'UTC' - interval '1 microsecond', ('1 ' || $3)::interval) AS slot),
       o AS (SELECT date_trunc($3, opened_at AT TIME ZONE 'UTC') AS slot, count(*)::int AS n
               FROM alarm WHERE opened_at >= $1 AND opened_at < $2 GROUP BY 1),
       c AS (SELECT date_trunc($3, closed_at AT TIME ZONE 'UTC') AS slot, count(*)::int AS n
               FROM alarm WHERE closed_at >= $1 AND closed_at < $2 GROUP BY 1)
       SELECT b.slot AT TIME ZONE 'UTC' AS at, COALESCE(o.n, 0) AS opened, COALESCE(c.n, 0) AS closed
         FROM b LEFT JOIN o USING (slot) LEFT JOIN c USING (slot)
        ORDER BY b.slot`,
      [from, to, bucket],
    )) as TimelineRow[];
  }
}

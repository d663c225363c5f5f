import { Injectable } from '@nestjs/common';
import { EVENT_CLASSES } from '../alarm-model/event-classification.js';
import { Clock } from '../common/clock.js';
import { DomainError } from '../common/domain-error.js';
import { csvField } from '../privacy/record-of-processing.js';
import { AlarmFigures, type Percentiles } from './alarm-figures.repository.js';

const DAY_MS = 24 * 3600 * 1000;
export const DEFAULT_RANGE_DAYS = 7;
export const MAX_RANGE_DAYS = 366;
/** Up to a month, alarms per hour (at most 744 points); beyond, per day. */
const HOURLY_UP_TO_DAYS = 31;
const TOP_SITES = 10;

/** Arming and test signals never open an alarm. */
export const ALARM_CLASSES = EVENT_CLASSES.filter((c) => c !== 'arming' && c !== 'test');

export interface TimeFigures {
  p50: number;
  p90: number;
  p99: number;
}

export interface ClassFigures {
  alarms: number;
  falseAlarms: number;
  firstSmsMs: TimeFigures | null;
  firstAckMs: TimeFigures | null;
  closeMs: TimeFigures | null;
  ackWithin30s: number | null;
  ackWithin60s: number | null;
}

export interface OperatorFigures {
  name: string | null;
  alarms: number;
  firstAckMs: TimeFigures | null;
  closeMs: TimeFigures | null;
}

export interface SiteFigures {
  customerId: string;
  name: string | null;
  alarms: number;
  falseAlarms: number;
  rate: number;
}

export interface Statistics {
  from: string;
  to: string;
  byClass: Record<string, ClassFigures>;
  byOperator: Record<string, OperatorFigures>;
  bySite: SiteFigures[];
  timeline: { bucket: 'hour' | 'day'; points: Array<{ at: string; opened: number; closed: number; open: number }> };
}

const times = (p: Percentiles): TimeFigures | null => (p ? { p50: Math.round(p[0]), p90: Math.round(p[1]), p99: Math.round(p[2]) } : null);
const share = (n: number, of: number): number | null => (of === 0 ? null : n / of);

/** The alarm central's response-time figures over a range of opening times. */
@Injectable()
export class StatisticsService {
  constructor(
    private readonly figures: AlarmFigures,
    private readonly clock: Clock,
  ) {}

  /** `from`/`to` as given (validated as date-times with offset); `to` defaults to now, `from` to 7 days before `to`. */
  range(from?: string, to?: string): { from: Date; to: Date } {
    const end = to ? new Date(to) : this.clock.now();
    const start = from ? new Date(from) : new Date(end.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
    if (isNaN(start.getTime())) throw new DomainError('invalid', 'bad_date', 'from is not a date-time JavaScript can read, e.g. 2026-12-01T00:00:00Z');
    if (isNaN(end.getTime())) throw new DomainError('invalid', 'bad_date', 'to is not a date-time JavaScript can read, e.g. 2026-12-08T00:00:00Z');
    if (start >= end) throw new DomainError('invalid', 'bad_date_range', 'from must be before to');
    if (end.getTime() - start.getTime() > MAX_RANGE_DAYS * DAY_MS) {
      throw new DomainError('invalid', 'date_range_too_long', `to must be at most ${MAX_RANGE_DAYS} days after from`);
    }
    return { from: start, to: end };
  }

  async compute(from: Date, to: Date): Promise<Statistics> {
    const bucket = to.getTime() - from.getTime() <= HOURLY_UP_TO_DAYS * DAY_MS ? 'hour' : 'day';
    const [{ byClass: classes, byOperator: operators }, sites, timeline] = await Promise.all([
      this.figures.handling(from, to),
      this.figures.topSites(from, to, TOP_SITES),
      this.figures.timeline(from, to, bucket),
    ]);
    const byClass: Record<string, ClassFigures> = {};
    for (const c of ALARM_CLASSES)
      byClass[c] = { alarms: 0, falseAlarms: 0, firstSmsMs: null, firstAckMs: null, closeMs: null, ackWithin30s: null, ackWithin60s: null };
    for (const r of classes) {
      byClass[r.class] = {
        alarms: r.alarms,
        falseAlarms: r.false_alarms,
        firstSmsMs: times(r.first_sms_ms),
        firstAckMs: times(r.first_ack_ms),
        closeMs: times(r.close_ms),
        ackWithin30s: share(r.ack_within_30s, r.alarms),
        ackWithin60s: share(r.ack_within_60s, r.alarms),
      };
    }
    const byOperator: Record<string, OperatorFigures> = {};
    for (const r of operators) byOperator[r.operator_id] = { name: r.name, alarms: r.alarms, firstAckMs: times(r.first_ack_ms), closeMs: times(r.close_ms) };
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      byClass,
      byOperator,
      bySite: sites.map((s) => ({ customerId: s.customer_id, name: s.name, alarms: s.alarms, falseAlarms: s.false_alarms, rate: s.false_alarms / s.alarms })),
      timeline: { bucket, points: timeline.map((p) => ({ at: new Date(p.at).toISOString(), opened: p.opened, closed: p.closed, open: p.open })) },
    };
  }
}

export const STATISTICS_CSV_COLUMNS = [
  'group',
  'key',
  'name',
  'alarms',
  'falseAlarms',
  'falseAlarmRate',
  'firstSmsMsP50',
  'firstSmsMsP90',
  'firstSmsMsP99',
  'firstAckMsP50',
  'firstAckMsP90',
  'firstAckMsP99',
  'closeMsP50',
  'closeMsP90',
  'closeMsP99',
  'ackWithin30s',
  'ackWithin60s',
] as const;

/**
 * A spreadsheet reads a cell that starts with = + - @ (or a tab or carriage return) as a formula: an
 * operator's or customer's name is text, so it is prefixed with a quote (OWASP's CSV injection advice).
 */
function textCell(value: string | null): string {
  const text = value ?? '';
  return csvField(/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
}

const numberCell = (value: number | null | undefined) => (value === null || value === undefined ? '' : String(value));

/** One row per class, per operator and per listed site, with a header row. */
export function statisticsToCsv(s: Statistics): string {
  type Row = Record<string, string | number | null>;
  const rows: Row[] = [];
  const t = (prefix: 'firstSmsMs' | 'firstAckMs' | 'closeMs', f: TimeFigures | null) => ({
    [`${prefix}P50`]: f?.p50 ?? null,
    [`${prefix}P90`]: f?.p90 ?? null,
    [`${prefix}P99`]: f?.p99 ?? null,
  });
  for (const [cls, c] of Object.entries(s.byClass)) {
    rows.push({
      group: 'class',
      key: cls,
      name: null,
      alarms: c.alarms,
      falseAlarms: c.falseAlarms,
      falseAlarmRate: share(c.falseAlarms, c.alarms),
      ...t('firstSmsMs', c.firstSmsMs),
      ...t('firstAckMs', c.firstAckMs),
      ...t('closeMs', c.closeMs),
      ackWithin30s: c.ackWithin30s,
      ackWithin60s: c.ackWithin60s,
    });
  }
  for (const [id, o] of Object.entries(s.byOperator)) {
    rows.push({ group: 'operator', key: id, name: o.name, alarms: o.alarms, ...t('firstAckMs', o.firstAckMs), ...t('closeMs', o.closeMs) });
  }
  for (const site of s.bySite) {
    rows.push({ group: 'site', key: site.customerId, name: site.name, alarms: site.alarms, falseAlarms: site.falseAlarms, falseAlarmRate: site.rate });
  }
  const lines = [STATISTICS_CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(
      STATISTICS_CSV_COLUMNS.map((col) =>
        col === 'group' || col === 'key' || col === 'name' ? textCell(r[col] as string | null) : numberCell(r[col] as number | null),
      ).join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

/** 2026-12-01T00:00:00.000Z -> 20261201T000000Z: an instant a file name can hold on every system. */
export const compactInstant = (iso: string) => iso.replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');

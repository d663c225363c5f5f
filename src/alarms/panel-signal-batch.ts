import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ProcessingLog } from '../privacy/processing-log.service.js';
import { queryPrepared } from '../database/prepared-sql.js';
import { PANEL_EVENTS_RECEIVE } from './alarms.processing.js';
import type { Classification } from '../alarm-model/event-classification.js';
import type { PanelSignal } from './panel-signal.js';

/** A signal that asks for nothing but being stored (heartbeat, test, arm): see PanelEvents. */
export interface QuietSignal {
  panelId: string;
  dto: PanelSignal;
  c: Classification;
  receivedAt: Date;
  requestId: string | null;
}

export interface QuietSignalStored {
  /** Null when the panel is gone (or its customer ended). */
  customerId: string | null;
  /** Null for a repeated eventId (or when nothing was written). */
  storedId: string | null;
  /** The panel has an open "offline" alarm waiting for its "panel reporting" note: nothing was written. */
  offline: boolean;
}

/** Statements at once; each takes every signal queued when it starts. */
const MAX_IN_FLIGHT = 4;
const MAX_BATCH = 500;

/**
 * Stores the signals that need nothing but storing, many per statement: heartbeats, tests and
 * arming are ~80% of what panels send, and one statement and one commit for each was most of
 * their cost (measured: the round trip, not the work). Nothing waits for a batch to fill: a signal
 * goes out at once when a statement slot is free, and while all are busy the signals arriving
 * meanwhile go out together in the next one (group commit, as ProcessingLog does). Each signal's
 * 202 still waits for the commit of the statement that stored it.
 *
 * One statement per batch does, for each signal, what the single-signal path did: the panel's row
 * is locked (all rows of a batch in id order, so two batches cannot deadlock) and marked as seen,
 * the event is stored once per (panel, eventId), and the processing-log entry is written (PanelEvents);
 * for supervision (class `test`: heartbeats, link tests, test signals) it is not an entry of its
 * own but a count in the panel's day (panel_supervision_day), one entry per panel and day once the
 * day is closed (PanelSupervisionDays). Arming stays an entry per signal.
 * If a batch fails, its signals are stored one by one, so one bad signal fails alone.
 */
@Injectable()
export class PanelSignalBatch {
  private readonly queue: Array<{ signal: QuietSignal; done: (r: QuietSignalStored | Error) => void }> = [];
  private inFlight = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly processingLog: ProcessingLog,
  ) {}

  store(signal: QuietSignal): Promise<QuietSignalStored> {
    return new Promise((resolve, reject) => {
      this.queue.push({ signal, done: (r) => (r instanceof Error ? reject(r) : resolve(r)) });
      if (this.inFlight < MAX_IN_FLIGHT) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.inFlight += 1;
    try {
      while (this.queue.length) {
        const batch = this.take();
        try {
          const rows = await this.insert(batch.map((b) => b.signal));
          batch.forEach((b, i) => b.done(rows[i]));
        } catch (e) {
          if (batch.length === 1) batch[0].done(asError(e));
          else
            for (const b of batch)
              await this.insert([b.signal]).then(
                ([r]) => b.done(r),
                (err: unknown) => b.done(asError(err)),
              );
        }
        this.processingLog.written();
      }
    } finally {
      this.inFlight -= 1;
    }
  }

  /**
   * The next batch: up to MAX_BATCH signals, at most one per (panel, eventId). A retry racing its
   * first attempt waits for the next batch, so the two are told apart exactly as on two
   * connections: one stored, the other a duplicate.
   */
  private take(): typeof this.queue {
    const batch: typeof this.queue = [];
    const keys = new Set<string>();
    for (let i = 0; i < this.queue.length && batch.length < MAX_BATCH;) {
      const key = `${this.queue[i].signal.panelId}\u0000${this.queue[i].signal.dto.eventId}`;
      if (keys.has(key)) {
        i++;
        continue;
      }
      keys.add(key);
      batch.push(...this.queue.splice(i, 1));
    }
    return batch;
  }

  private async insert(signals: QuietSignal[]): Promise<QuietSignalStored[]> {
    const column = <T>(f: (s: QuietSignal) => T) => signals.map(f);
    const rows = await queryPrepared<{ n: string; customer_id: string | null; stored_id: string | null; offline: boolean }>(
      this.dataSource.manager,
      'panel_signals_store',
      `WITH v AS (
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[], $8::text[],
                              $9::text[], $10::text[], $11::text[], $12::timestamptz[], $13::text[], $17::text[], $18::text[])
           WITH ORDINALITY AS v(panel_id, received_at, event_id, code, class, restore, arming, zone, panel_user, method, text, occurred_at, request_id, area, extra, n)),
       o AS (
         SELECT DISTINCT a.panel_id FROM alarm a
          WHERE a.panel_id IN (SELECT panel_id FROM v) AND a.zone_key = 'offline' AND a.status = 'open'
            AND NOT EXISTS (SELECT 1 FROM alarm_log l WHERE l.alarm_id = a.id AND l.kind = 'panel_reporting')),
       k AS (
         SELECT id FROM panel WHERE id IN (SELECT panel_id FROM v) AND id NOT IN (SELECT panel_id FROM o) ORDER BY id FOR UPDATE),
       p AS (
         UPDATE panel SET last_seen_at = GREATEST(panel.last_seen_at, s.at)
           FROM (SELECT panel_id, max(received_at) AS at FROM v WHERE panel_id IN (SELECT id FROM k) GROUP BY panel_id) s
          WHERE panel.id = s.panel_id
          RETURNING panel.id, panel.customer_id),
       e AS (
         INSERT INTO panel_event (panel_id, customer_id, event_id, code, class, restore, arming, zone, panel_user, method, text, occurred_at, received_at, area, extra)
         SELECT v.panel_id, p.customer_id, v.event_id, v.code, v.class, v.restore, v.arming, v.zone, v.panel_user, v.method, v.text, v.occurred_at, v.received_at,
                v.area, v.extra
           FROM v JOIN p ON p.id = v.panel_id ORDER BY v.n
         ON CONFLICT (panel_id, event_id) DO NOTHING
         RETURNING id, panel_id, event_id),
       l AS (
         INSERT INTO processing_log (${ProcessingLog.COLUMNS})
         SELECT 'panel', v.panel_id::text, $14::text, $15::text, $16::text, ARRAY[v.panel_id], 'success',
                CASE WHEN EXISTS (SELECT 1 FROM e WHERE e.panel_id = v.panel_id AND e.event_id = v.event_id) THEN 202 ELSE 200 END, v.request_id
           FROM v JOIN p ON p.id = v.panel_id WHERE v.class <> 'test' ORDER BY v.n),
       s AS (
         INSERT INTO panel_supervision_day AS d (panel_id, day, signals, first_at, last_at)
         SELECT v.panel_id, (v.received_at AT TIME ZONE 'UTC')::date, count(*), min(v.received_at), max(v.received_at)
           FROM v JOIN p ON p.id = v.panel_id WHERE v.class = 'test' GROUP BY 1, 2 ORDER BY 1, 2
         ON CONFLICT (panel_id, day) DO UPDATE
           SET signals = d.signals + excluded.signals, first_at = least(d.first_at, excluded.first_at), last_at = greatest(d.last_at, excluded.last_at))
       SELECT v.n, p.customer_id, e.id AS stored_id, (o.panel_id IS NOT NULL) AS offline
         FROM v
         LEFT JOIN p ON p.id = v.panel_id
         LEFT JOIN e ON e.panel_id = v.panel_id AND e.event_id = v.event_id
         LEFT JOIN o ON o.panel_id = v.panel_id
        ORDER BY v.n`,
      [
        column((s) => s.panelId),
        column((s) => s.receivedAt),
        column((s) => s.dto.eventId),
        column((s) => s.dto.code),
        column((s) => s.c.class),
        column((s) => s.c.restore),
        column((s) => s.c.arming ?? null),
        column((s) => s.dto.zone ?? null),
        column((s) => s.dto.user ?? null),
        column((s) => s.dto.method ?? null),
        column((s) => s.dto.text ?? null),
        column((s) => new Date(s.dto.occurredAt)),
        column((s) => s.requestId),
        PANEL_EVENTS_RECEIVE.operation,
        PANEL_EVENTS_RECEIVE.legalBasis,
        PANEL_EVENTS_RECEIVE.purpose,
        column((s) => s.dto.area ?? null),
        column((s) => s.dto.extra ?? null),
      ],
    );
    return rows.map((r) => ({ customerId: r.customer_id, storedId: r.stored_id, offline: r.offline }));
  }
}

const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));

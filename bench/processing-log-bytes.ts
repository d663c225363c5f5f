// What a panel's machine supervision costs the processing log on disk, per panel and day: before,
// one entry (and its seal) per signal, as panels.events.receive wrote for every heartbeat; now, one
// panels.supervision.day entry per panel and day (PanelSupervisionDays), through the real closing
// path. Measured as the growth of processing_log and processing_log_seal with all their indexes
// (after VACUUM, so the GIN index's pending list is merged), per entry, then scaled: a panel
// reporting every 5 minutes over HTTP (288 a day) and a DC-09 panel polling every 90 s (960 a day).
// Against DATABASE_URL if set (a scratch database: migrations run, rows are added), else a
// throw-away embedded PostgreSQL.
//
//   npm run bench:log-bytes [-- entries=20000]
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { withBenchDatabase } from './bench-database.js';
import { PANEL_EVENTS_RECEIVE } from '../src/alarms/alarms.processing.js';
import { PanelSupervisionDays } from '../src/alarms/panel-supervision-day.js';
import type { Clock } from '../src/common/clock.js';
import { ProcessingLogSealer } from '../src/privacy/processing-log.sealer.js';
import { ProcessingLog, type ProcessingLogEntry } from '../src/privacy/processing-log.service.js';
import type { ProcessingRegistry } from '../src/privacy/processing-registry.js';

const N = Number(/^(?:entries=)?(\d+)$/.exec(process.argv[2] ?? '')?.[1] ?? 20_000);
const PER_DAY = { 'HTTP panel, every 5 min': 288, 'DC-09 panel, every 90 s': 960 };
const PANELS = 10_000;

async function main(): Promise<void> {
  await withBenchDatabase(async (db) => {
    const registry = { isDeclared: () => true } as unknown as ProcessingRegistry;
    const sealer = new ProcessingLogSealer(db);
    const log = new ProcessingLog(db, { nudge: () => undefined } as unknown as ProcessingLogSealer, registry);
    const size = async (): Promise<number> => {
      await db.query(`VACUUM processing_log`);
      await db.query(`VACUUM processing_log_seal`);
      const [row] = await db.query(`SELECT pg_total_relation_size('processing_log') + pg_total_relation_size('processing_log_seal') AS bytes`);
      return Number(row.bytes);
    };
    /** Bytes per entry that `write` adds, sealed. */
    const perEntry = async (write: () => Promise<void>): Promise<number> => {
      const before = await size();
      await write();
      await sealer.sealPending({ full: true });
      return ((await size()) - before) / N;
    };

    // Before: an entry per signal, as the quiet path wrote it (the panel as actor and subject, a 202, the request's id).
    const signalEntry = (panelId: string, requestId: string): ProcessingLogEntry => ({
      ...PANEL_EVENTS_RECEIVE,
      actor: { type: 'panel', id: panelId },
      subjectIds: [panelId],
      httpStatus: 202,
      requestId,
    });
    const panels = Array.from({ length: 1000 }, () => randomUUID());
    const perSignal = async (requestId: () => string) =>
      perEntry(async () => {
        for (let i = 0; i < N; i += 1000)
          await log.recordMany(Array.from({ length: Math.min(1000, N - i) }, (_, k) => signalEntry(panels[(i + k) % panels.length], requestId())));
      });
    const httpSignal = await perSignal(() => randomUUID());
    const dc09Signal = await perSignal(() => `dc09-${randomUUID()}`);

    // Now: a day's count per panel, closed into one entry each by the real job.
    const day = '2026-12-07';
    const perDay = await perEntry(async () => {
      for (let i = 0; i < N; i += 5000) {
        await db.query(
          `INSERT INTO panel_supervision_day (panel_id, day, signals, first_at, last_at)
           SELECT gen_random_uuid(), $1::date, 960, $1::date + interval '37 seconds', $1::date + interval '23 hours 59 minutes 12 seconds'
             FROM generate_series(1, $2)`,
          [day, Math.min(5000, N - i)],
        );
      }
      const clock = { now: () => new Date(`${day}T23:00:00Z`) } as Clock;
      const closed = await new PanelSupervisionDays(db, log, clock).closeDays(new Date('2026-12-08T01:00:00Z'));
      if (closed !== N) throw new Error(`closed ${closed} days, expected ${N}`);
    });

    // What the ingest path writes per heartbeat, in WAL bytes (independent of how busy the machine is):
    // before, its entry and (a moment later, by the sealer) its seal; now, the update of its panel's day.
    const wal = async (): Promise<bigint> => BigInt((await db.query(`SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint::text AS b`))[0].b);
    const walPer = async (write: () => Promise<void>): Promise<number> => {
      const before = await wal();
      await write();
      return Number((await wal()) - before) / N;
    };
    const BATCH = 100;
    const walSignalEntry = await walPer(async () => {
      for (let i = 0; i < N; i += BATCH)
        await log.recordMany(Array.from({ length: Math.min(BATCH, N - i) }, (_, k) => signalEntry(panels[(i + k) % panels.length], randomUUID())));
      await sealer.sealPending({ full: true });
    });
    const walDayCount = await walPer(async () => {
      for (let i = 0; i < N; i += BATCH) {
        const ids = Array.from({ length: Math.min(BATCH, N - i) }, (_, k) => panels[(i + k) % panels.length]);
        // The statement PanelSignalBatch runs for a batch's supervision signals.
        await db.query(
          `INSERT INTO panel_supervision_day AS d (panel_id, day, signals, first_at, last_at)
           SELECT v.panel_id, (now() AT TIME ZONE 'UTC')::date, count(*), min(now()), max(now())
             FROM unnest($1::uuid[]) AS v(panel_id) GROUP BY 1, 2 ORDER BY 1, 2
           ON CONFLICT (panel_id, day) DO UPDATE
             SET signals = d.signals + excluded.signals, first_at = least(d.first_at, excluded.first_at), last_at = greatest(d.last_at, excluded.last_at)`,
          [ids],
        );
      }
    });

    console.log(`processing log bytes per panel and day (log + seal, with indexes, per entry measured over ${N} entries)\n`);
    console.log(`  one entry per signal (before): HTTP ${httpSignal.toFixed(0)} B, DC-09 ${dc09Signal.toFixed(0)} B`);
    console.log(`  one entry per panel and day (now): ${perDay.toFixed(0)} B\n`);
    console.log(
      `  WAL written per heartbeat on the ingest path: before ${walSignalEntry.toFixed(0)} B (entry + seal), now ${walDayCount.toFixed(0)} B (the panel's day counted)\n`,
    );
    for (const [panel, signals] of Object.entries(PER_DAY)) {
      const before = signals * (panel.startsWith('DC-09') ? dc09Signal : httpSignal);
      console.log(
        `  ${panel.padEnd(26)} before ${(before / 1024).toFixed(1).padStart(6)} KiB/day  now ${perDay.toFixed(0).padStart(4)} B/day` +
          `  (x${Math.round(before / perDay)} less)  for ${PANELS} panels: ${((before * PANELS) / 1e9).toFixed(2)} GB/day before, ` +
          `${((perDay * PANELS) / 1e6).toFixed(1)} MB/day now; ten years now: ${((perDay * PANELS * 3653) / 1e9).toFixed(1)} GB`,
      );
    }
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

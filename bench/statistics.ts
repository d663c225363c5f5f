// How long GET /api/statistics's figures take over a large alarm history: seeds alarms (spread over
// the last 30 days, with their first alarm SMS, operator actions and closes), then times the figures
// for 24 hours, 7 days, 30 days and 366 days, and prints the plan of the per-class and per-operator query. Against
// DATABASE_URL if set (use a scratch database: the migrations run and rows are added), else a
// throw-away embedded PostgreSQL.
//
//   npm run bench:statistics [-- 100000]
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { withBenchDatabase } from './bench-database.js';
import { SystemClock } from '../src/common/clock.js';
import { AlarmFigures, HANDLING_FIGURES } from '../src/statistics/alarm-figures.repository.js';
import { StatisticsService } from '../src/statistics/statistics.service.js';

const N = Number(process.argv[2] ?? 10_000);
const BATCH = 5_000;
const CUSTOMERS = 500;
const OPERATORS = 12;
const RUNS = 5;
const DAY = 24 * 3600 * 1000;

async function seed(db: DataSource): Promise<void> {
  await db.query(
    `INSERT INTO customer (name, phone, language, alarm_address)
     SELECT 'Bench customer ' || i, '+4670' || lpad(i::text, 7, '0'), 'sv', '{"street":"Storgatan 1","postalCode":"11455","city":"Stockholm","country":"SE"}'
       FROM generate_series(1, $1) i`,
    [CUSTOMERS],
  );
  await db.query(
    `INSERT INTO operator (email, name, role, password_hash)
     SELECT 'bench-' || i || '@bench.local', 'Bench operator ' || i, 'operator', 'x' FROM generate_series(1, $1) i`,
    [OPERATORS],
  );
  for (let done = 0; done < N; done += BATCH) {
    const n = Math.min(BATCH, N - done);
    // Each alarm: opened some time in the last 30 days; its owner SMS sent 0.5-3 s later; an operator's
    // first action 5-120 s later; nine in ten closed 1-30 min later, a third of those as false alarms.
    await db.query(
      `WITH c AS (SELECT array_agg(id) AS ids FROM customer),
            o AS (SELECT array_agg(id) AS ids FROM operator WHERE email LIKE 'bench-%'),
            a AS (
              INSERT INTO alarm (customer_id, panel_id, class, zone_key, stage, status, opened_at, closed_at, closed_by)
              SELECT c.ids[1 + (random() * ($2 - 1))::int], gen_random_uuid(),
                     (ARRAY['burglary','burglary','burglary','fire','water','technical','tamper','medical','panic','gas'])[1 + (random() * 9)::int],
                     'z:' || (random() * 8)::int, 'acknowledged', s.status, s.opened,
                     CASE WHEN s.status = 'closed' THEN s.opened + make_interval(secs => 60 + random() * 1800) END,
                     CASE WHEN s.status = 'closed' THEN jsonb_build_object('operatorId', o.ids[1 + (random() * ($3 - 1))::int],
                       'action', CASE WHEN random() < 0.33 THEN 'false_alarm' ELSE 'resolved' END) END
                FROM generate_series(1, $1) g, c, o,
                     LATERAL (SELECT now() - make_interval(secs => random() * 30 * 86400) AS opened,
                                     CASE WHEN random() < 0.9 THEN 'closed' ELSE 'open' END AS status WHERE g > 0) s
              RETURNING id, customer_id, opened_at),
            m AS (
              INSERT INTO sms_message (direction, to_phone, from_phone, body, purpose, legal_basis, alarm_id, customer_id, status, sent_at, created_at)
              SELECT 'outbound', '+46700000000', '+46700000001', 'Alarm', 'alarm_owner', 'vital_interests', a.id, a.customer_id, 'sent',
                     a.opened_at + make_interval(secs => 0.5 + random() * 2.5), a.opened_at
                FROM a)
       INSERT INTO alarm_log (alarm_id, kind, operator_id, data, at)
       SELECT a.id, 'action', o.ids[1 + (random() * ($3 - 1))::int], '{"action":"note"}', a.opened_at + make_interval(secs => 5 + random() * 115)
         FROM a, o`,
      [n, CUSTOMERS, OPERATORS],
    );
    process.stdout.write(`\rseeding alarms: ${done + n} / ${N}`);
  }
  process.stdout.write('\n');
  await db.query('ANALYZE');
}

async function main(): Promise<void> {
  await withBenchDatabase(async (db) => {
    await seed(db);
    const [{ alarms }] = await db.query(`SELECT count(*)::int AS alarms FROM alarm`);
    console.log(
      `statistics bench: ${alarms} alarms in the database, PostgreSQL ${(await db.query('SHOW server_version'))[0].server_version}, ${RUNS} runs per range\n`,
    );
    const figures = new AlarmFigures(db);
    const statistics = new StatisticsService(figures, new SystemClock());
    for (const [label, days] of [
      ['last 24 hours', 1],
      ['last 7 days', 7],
      ['last 30 days', 30],
      ['last 366 days', 366],
    ] as const) {
      const to = new Date();
      const from = new Date(to.getTime() - days * DAY);
      const times: number[] = [];
      let counted = 0;
      for (let i = 0; i < RUNS; i++) {
        const start = process.hrtime.bigint();
        const s = await statistics.compute(from, to);
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
        counted = Object.values(s.byClass).reduce((n, c) => n + c.alarms, 0);
      }
      times.sort((a, b) => a - b);
      console.log(
        `${label.padEnd(14)} ${String(counted).padStart(7)} alarms  median ${times[Math.floor(RUNS / 2)].toFixed(0).padStart(5)} ms  slowest ${times[RUNS - 1].toFixed(0).padStart(5)} ms`,
      );
    }
    const to = new Date();
    const plan = (await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${HANDLING_FIGURES}`, [new Date(to.getTime() - 7 * DAY), to])) as Array<{ 'QUERY PLAN': string }>;
    console.log('\nplan of the per-class and per-operator query, last 7 days:\n' + plan.map((r) => '  ' + r['QUERY PLAN']).join('\n'));
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

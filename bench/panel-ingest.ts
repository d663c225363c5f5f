// Panel event ingest: signed events (docs/api-contract.md#panel-events) from many panels over 50 and
// then 200 concurrent keep-alive connections, closed loop (each connection sends its next event when
// the answer to the last one is in). Mix: 70% heartbeats (RP), 10% arm (CL), 10% disarm (OP), 10%
// burglary alarms (BA) on zones 1-8, panels picked at random. Reports events/s and the latency of
// the 202, and checks that every 202 is a row in panel_event. Target: 3,000 events/s, p99 < 50 ms.
//
// The app runs in a child process (bench/panel-app.ts: src/main.ts as in production), the fake
// Twilio API on a worker thread, the load generator on this thread, PostgreSQL embedded: all on
// this machine. Against DATABASE_URL if set (a scratch database), else a throw-away embedded one.
//
//   npm run bench:ingest [-- seconds=15 panels=2000 alarmShare=0.1]
//   (= npx tsc -p bench/tsconfig.json && node dist/bench/bench/panel-ingest.js [seconds] [panels] [alarmShare])
import os from 'node:os';
import { measureIngest, memoryOf, startBench } from './panel-support.js';

const SECONDS = Number(process.argv[2] ?? 15);
const PANELS = Number(process.argv[3] ?? 2000);
/** The share of burglary alarms (the mix: 0.1); 0 measures the quiet path alone. */
const ALARMS = Number(process.argv[4] ?? 0.1);

async function main(): Promise<void> {
  const bench = await startBench('ingest');
  try {
    console.log(
      `Panel ingest bench: ${PANELS} panels, ${SECONDS} s per run, node ${process.version}, PostgreSQL ${bench.pgVersion}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`,
    );
    console.log('app in a child process, fake Twilio on a worker thread, load generator on the main thread, PostgreSQL embedded; all on this machine');
    const households = await bench.seed(PANELS, 1);
    await measureIngest(bench, bench.baseUrl, households, {
      seconds: SECONDS,
      alarmShare: ALARMS,
      server: { name: 'app', pid: bench.app.pid! },
      self: 'load generator + fake Twilio',
    });
    const [{ alarms, sms }] = (
      await bench.pool.query(`SELECT (SELECT count(*) FROM alarm)::int AS alarms, (SELECT count(*) FROM sms_message WHERE purpose = 'alarm_owner')::int AS sms`)
    ).rows;
    const mem = memoryOf(bench.app.pid!);
    console.log(
      `\n${alarms} alarms opened, ${sms} owner SMS enqueued, ${bench.fake.accepted} accepted by the fake Twilio API; app RSS ${mem.rssMb.toFixed(0)} MB (peak ${mem.peakMb.toFixed(0)} MB)`,
    );
  } finally {
    await bench.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

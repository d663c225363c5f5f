// Panel event ingest (issue 5): signed events (API.md, Panel events) from many panels over 50 and
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
import { cpuMsOf, describe, loadavg, memoryOf, postgresCpuMs, PanelClient, startBench, type Household, type PanelEvent } from './panel-support.js';

const SECONDS = Number(process.argv[2] ?? 15);
const PANELS = Number(process.argv[3] ?? 2000);
/** The share of burglary alarms (the issue's mix: 0.1); 0 measures the quiet path alone. */
const ALARMS = Number(process.argv[4] ?? 0.1);

function nextEvent(label: string, seq: number): PanelEvent {
  const eventId = `${label}-${seq}`;
  const r = Math.random();
  if (r < ALARMS) return { eventId, code: 'BA', zone: String(1 + Math.floor(Math.random() * 8)) };
  const q = (r - ALARMS) / (1 - ALARMS); // the rest as 7 : 1 : 1 heartbeats, arms, disarms
  if (q < 7 / 9) return { eventId, code: 'RP' };
  if (q < 8 / 9) return { eventId, code: 'CL', zone: '0' };
  return { eventId, code: 'OP', zone: '0' };
}

async function run(label: string, connections: number, seconds: number, households: Household[], baseUrl: string) {
  const client = new PanelClient(baseUrl, connections);
  const latencies: number[] = [];
  const accepted: string[] = [];
  const failures = new Map<string, number>();
  let seq = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) {
        const h = households[Math.floor(Math.random() * households.length)];
        const event = nextEvent(label, seq++);
        try {
          const r = await client.post(h, event);
          if (r.status === 202) {
            latencies.push(r.doneAt - r.sentAt);
            accepted.push(`${h.panelId}/${event.eventId}`);
          } else failures.set(String(r.status), (failures.get(String(r.status)) ?? 0) + 1);
        } catch (e) {
          failures.set((e as Error).message, (failures.get((e as Error).message) ?? 0) + 1);
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  client.close();
  return { latencies, accepted, failures, elapsed };
}

async function main(): Promise<void> {
  const bench = await startBench('ingest');
  try {
    console.log(`Panel ingest bench: ${PANELS} panels, ${SECONDS} s per run, node ${process.version}, PostgreSQL ${bench.pgVersion}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`);
    console.log('app in a child process, fake Twilio on a worker thread, load generator on the main thread, PostgreSQL embedded; all on this machine');
    const households = await bench.seed(PANELS, 1);
    // Warm-up: JIT, pools, the panel-secret cache; not counted.
    await run('warm', 50, 3, households, bench.baseUrl);
    for (const connections of [50, 200]) {
      const label = `c${connections}`;
      const before = loadavg();
      const cpu = { app: cpuMsOf(bench.app.pid!), pg: postgresCpuMs(bench.postmaster), bench: process.cpuUsage() };
      const r = await run(label, connections, SECONDS, households, bench.baseUrl);
      const benchCpu = process.cpuUsage(cpu.bench);
      const per = (ms: number) => ((ms * 1000) / r.accepted.length).toFixed(0);
      const cpuLine = `CPU per event: app ${per(cpuMsOf(bench.app.pid!) - cpu.app)} µs, PostgreSQL ${per(postgresCpuMs(bench.postmaster) - cpu.pg)} µs, load generator + fake Twilio ${per((benchCpu.user + benchCpu.system) / 1000)} µs`;
      const { rows } = await bench.pool.query<{ k: string }>(`SELECT panel_id || '/' || event_id AS k FROM panel_event WHERE event_id LIKE $1`, [`${label}-%`]);
      const stored = new Set(rows.map((x) => x.k));
      const missing = r.accepted.filter((k) => !stored.has(k)).length;
      const total = r.accepted.length + [...r.failures.values()].reduce((a, b) => a + b, 0);
      console.log(
        `\n${connections} connections: ${Math.round(r.accepted.length / r.elapsed)} events/s accepted (${r.accepted.length} x 202 in ${r.elapsed.toFixed(1)} s; ${total} sent), load average before ${before}, after ${loadavg()}`,
      );
      console.log(`   ${describe('202 latency', r.latencies)}`);
      console.log(`   ${cpuLine}`);
      console.log(`   not 202: ${r.failures.size ? JSON.stringify(Object.fromEntries(r.failures)) : 'none'}; every 202 in panel_event: ${missing === 0 ? 'yes' : `NO, ${missing} missing`}`);
    }
    const [{ alarms, sms }] = (
      await bench.pool.query(`SELECT (SELECT count(*) FROM alarm)::int AS alarms, (SELECT count(*) FROM sms_message WHERE purpose = 'alarm_owner')::int AS sms`)
    ).rows;
    const mem = memoryOf(bench.app.pid!);
    console.log(`\n${alarms} alarms opened, ${sms} owner SMS enqueued, ${bench.fake.accepted} accepted by the fake Twilio API; app RSS ${mem.rssMb.toFixed(0)} MB (peak ${mem.peakMb.toFixed(0)} MB)`);
  } finally {
    await bench.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

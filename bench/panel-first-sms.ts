// Time to first SMS: burglary alarms (BA) arriving at a steady 100/s for 20 s, each from
// its own panel, and the time from the event's 202 reaching the panel to the owner's SMS reaching
// the (fake, local) Twilio API. Targets: p50 < 20 ms, p99 < 100 ms. Open loop: events are sent on
// schedule whether or not earlier ones are answered (at most 256 in flight: when the app falls
// behind, the achieved rate shows it).
//
// The SMS can reach the provider before the 202 reaches the panel (the outbox is kicked on commit,
// and the answer still goes through the processing-log write), so some figures may be negative.
// Also shown: from the moment the panel started sending the event.
//
//   npm run bench:first-sms [-- rate=100 seconds=20]
//   (= npx tsc -p bench/tsconfig.json && node dist/bench/bench/panel-first-sms.js [rate] [seconds])
import os from 'node:os';
import { cpuMsOf, describe, loadavg, PanelClient, postgresCpuMs, sleep, startBench, type Household } from './panel-support.js';

const RATE = Number(process.argv[2] ?? 100);
const SECONDS = Number(process.argv[3] ?? 20);
const WARM = 200;

/** Sends one BA per household at `rate`/s; resolves with the 202 times by owner phone. */
async function paced(client: PanelClient, households: Household[], rate: number, label: string) {
  const accepted = new Map<string, { sentAt: number; doneAt: number }>();
  const failures = new Map<string, number>();
  const pending: Promise<void>[] = [];
  let open = 0;
  const start = performance.now();
  for (let i = 0; i < households.length; i++) {
    const wait = start + (i / rate) * 1000 - performance.now();
    if (wait > 1) await sleep(wait);
    while (open >= 256) await sleep(1);
    const h = households[i];
    open++;
    pending.push(
      client.post(h, { eventId: `${label}-${i}`, code: 'BA', zone: String(1 + (i % 8)) }).then(
        (r) => {
          open--;
          if (r.status === 202) accepted.set(h.ownerPhone, { sentAt: r.sentAt, doneAt: r.doneAt });
          else failures.set(String(r.status), (failures.get(String(r.status)) ?? 0) + 1);
        },
        (e: Error) => {
          open--;
          failures.set(e.message, (failures.get(e.message) ?? 0) + 1);
        },
      ),
    );
  }
  await Promise.all(pending);
  return { accepted, failures, seconds: (performance.now() - start) / 1000 };
}

async function main(): Promise<void> {
  const bench = await startBench('first-sms');
  try {
    const count = RATE * SECONDS;
    console.log(
      `Time to first SMS bench: ${count} burglary alarms at ${RATE}/s, one per panel, node ${process.version}, PostgreSQL ${bench.pgVersion}, ${os.cpus().length} CPUs`,
    );
    console.log('app in a child process, fake Twilio on a worker thread, load generator on the main thread, PostgreSQL embedded; all on this machine');
    const households = await bench.seed(WARM + count, 1);
    const smsAt = new Map<string, number[]>();
    bench.fake.onSms = (to, at) => {
      const list = smsAt.get(to) ?? [];
      list.push(at);
      smsAt.set(to, list);
    };
    const client = new PanelClient(bench.baseUrl, 256);

    // Warm-up: JIT, pools, the send path; not counted.
    await paced(client, households.slice(0, WARM), RATE, 'warm');
    const waitFor = async (phones: string[], ms: number) => {
      const until = Date.now() + ms;
      while (phones.some((p) => !smsAt.has(p)) && Date.now() < until) await sleep(20);
    };
    await waitFor(
      households.slice(0, WARM).map((h) => h.ownerPhone),
      30_000,
    );

    const measured = households.slice(WARM);
    const before = loadavg();
    const cpu = { app: cpuMsOf(bench.app.pid!), pg: postgresCpuMs(bench.postmaster) };
    const r = await paced(client, measured, RATE, 'run');
    await waitFor([...r.accepted.keys()], 60_000);
    const appCpu = cpuMsOf(bench.app.pid!) - cpu.app;
    const pgCpu = postgresCpuMs(bench.postmaster) - cpu.pg;
    client.close();

    const from202: number[] = [];
    const fromSend: number[] = [];
    let missing = 0;
    let twice = 0;
    for (const [phone, t] of r.accepted) {
      const at = smsAt.get(phone);
      if (!at) {
        missing++;
        continue;
      }
      if (at.length > 1) twice++;
      from202.push(at[0] - t.doneAt);
      fromSend.push(at[0] - t.sentAt);
    }
    const latency = [...r.accepted.values()].map((t) => t.doneAt - t.sentAt);
    console.log(
      `\n${r.accepted.size} x 202 of ${count} in ${r.seconds.toFixed(1)} s (${Math.round(r.accepted.size / r.seconds)}/s offered ${RATE}/s); load average before ${before}, after ${loadavg()}`,
    );
    console.log(`   ${describe('event 202 -> owner SMS at the provider', from202)}`);
    console.log(`   ${describe('event sent -> owner SMS at the provider', fromSend)}`);
    console.log(`   ${describe('event sent -> 202', latency)}`);
    console.log(`   CPU per alarm: app ${((appCpu * 1000) / count).toFixed(0)} µs, PostgreSQL ${((pgCpu * 1000) / count).toFixed(0)} µs`);
    console.log(
      `   not 202: ${r.failures.size ? JSON.stringify(Object.fromEntries(r.failures)) : 'none'}; owners without an SMS: ${missing}; owners texted more than once: ${twice}`,
    );
  } finally {
    await bench.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

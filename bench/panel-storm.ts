// Alarm storm: 10,000 burglary alarms from 10,000 panels (each customer with an owner and
// one contact) offered at 1,000/s, so within 10 s. Checks: every event accepted (202), every owner
// texted exactly once; then, with the owner's wait set to 5 s (escalation_setting), every first
// contact texted exactly once when that wait runs out. Reports the lateness of those contact steps
// (p50/p99; target p99 < 250 ms) and the app's peak RSS (target < 300 MB). Ten fire alarms from other
// households are mixed into the storm: how long their owner SMS and contact steps take shows the
// triage (the most urgent class first when the central is behind). An operator reads the alarm queue
// every 0.5 s throughout: how long the dashboard takes to answer during a storm.
//
// Lateness: the wait starts when the owner's SMS is handed to the provider (docs/alarm-handling.md#escalation-timings), i.e. at the
// owner message's sent_at; the step is due at sent_at + 5 s. "Step run" is when the escalation
// enqueued the contact's SMS (its created_at), "at the provider" when the fake Twilio API got it.
//
//   npm run bench:storm [-- alarms=10000 rate=1000 ownerWait=5]
//   (= npx tsc -p bench/tsconfig.json && node dist/bench/bench/panel-storm.js [alarms] [rate] [ownerWait])
import os from 'node:os';
import {
  cpuMsOf,
  describe,
  loadavg,
  memoryOf,
  nowAbs,
  PanelClient,
  postgresCpuMs,
  sampleRss,
  sleep,
  startBench,
  startOperatorProbe,
  type Household,
} from './panel-support.js';

const ALARMS = Number(process.argv[2] ?? 10_000);
const RATE = Number(process.argv[3] ?? 1000);
const OWNER_WAIT = Number(process.argv[4] ?? 5);
/** Fire alarms from other households, spread through the storm: do they get through it (triage)? */
const FIRES = Math.min(10, ALARMS);

async function main(): Promise<void> {
  const bench = await startBench('storm');
  try {
    console.log(
      `Alarm storm bench: ${ALARMS} burglary alarms offered at ${RATE}/s, owner wait ${OWNER_WAIT} s, node ${process.version}, PostgreSQL ${bench.pgVersion}, ${os.cpus().length} CPUs`,
    );
    console.log('app in a child process, fake Twilio on a worker thread, load generator on the main thread, PostgreSQL embedded; all on this machine');
    const households = await bench.seed(ALARMS + FIRES, 1);
    const fires = households.splice(ALARMS);
    await bench.pool.query(`UPDATE escalation_setting SET owner_wait_seconds = $1, contact_wait_seconds = 60 WHERE class IN ('burglary', 'fire')`, [
      OWNER_WAIT,
    ]);
    const smsAt = new Map<string, number[]>();
    bench.fake.onSms = (to, at) => {
      const list = smsAt.get(to) ?? [];
      list.push(at);
      smsAt.set(to, list);
    };
    await sleep(1000); // SMS from before the storm (none expected: seeded contacts get their notice at the hourly check) are not counted
    smsAt.clear();
    const pid = bench.app.pid!;
    const idleMem = memoryOf(pid);
    const rss = sampleRss(pid);
    const cpu = { app: cpuMsOf(pid), pg: postgresCpuMs(bench.postmaster) };
    const before = loadavg();
    const operator = await startOperatorProbe(bench.baseUrl);

    const client = new PanelClient(bench.baseUrl, 256);
    const accepted = new Set<string>();
    const failures = new Map<string, number>();
    const retried = new Map<string, number>();
    const latencies: number[] = [];
    const pending: Promise<void>[] = [];
    let open = 0;
    const fireAccepted = new Map<string, number>(); // owner phone -> when the 202 came
    const fireEvery = Math.max(1, Math.floor(ALARMS / FIRES));
    const start = performance.now();
    for (let i = 0; i < households.length; i++) {
      if (i % fireEvery === Math.floor(fireEvery / 2) && fireAccepted.size < FIRES) {
        const fh = fires[Math.floor(i / fireEvery)];
        pending.push(
          client.post(fh, { eventId: 'storm-fire', code: 'FA', zone: '2' }).then(
            (r) => void (r.status === 202 && fireAccepted.set(fh.ownerPhone, r.doneAt)),
            () => undefined,
          ),
        );
        fireAccepted.set(fh.ownerPhone, NaN); // sent; the time once accepted
      }
      const wait = start + (i / RATE) * 1000 - performance.now();
      if (wait > 1) await sleep(wait);
      while (open >= 512) await sleep(1);
      const h: Household = households[i];
      open++;
      // As a panel does: a 503 (or 429) is tried again after its Retry-After, with the same eventId
      // (a repeat is a duplicate, never a second alarm). Counted, and shown.
      const send = async (): Promise<{ status: number; sentAt: number; doneAt: number }> => {
        const first = await client.post(h, { eventId: `storm-${i}`, code: 'BA', zone: '1' });
        let r = first;
        for (let attempt = 1; (r.status === 503 || r.status === 429) && attempt <= 20; attempt++) {
          retried.set(String(r.status), (retried.get(String(r.status)) ?? 0) + 1);
          await sleep(1000 * Number(r.retryAfter ?? 1));
          r = await client.post(h, { eventId: `storm-${i}`, code: 'BA', zone: '1' });
        }
        return { status: r.status, sentAt: first.sentAt, doneAt: r.doneAt };
      };
      pending.push(
        send().then(
          (r) => {
            open--;
            if (r.status === 202 || r.status === 200) {
              accepted.add(h.ownerPhone);
              latencies.push(r.doneAt - r.sentAt);
            } else failures.set(String(r.status), (failures.get(String(r.status)) ?? 0) + 1);
          },
          (e: Error) => {
            open--;
            failures.set(e.message, (failures.get(e.message) ?? 0) + 1);
          },
        ),
      );
    }
    await Promise.all(pending);
    const ingestSeconds = (performance.now() - start) / 1000;
    const ingestEnd = nowAbs();
    client.close();
    console.log(
      `\n${accepted.size} x 202 of ${ALARMS} in ${ingestSeconds.toFixed(1)} s (${Math.round(accepted.size / ingestSeconds)}/s); not accepted in the end: ${failures.size ? JSON.stringify(Object.fromEntries(failures)) : 'none'}; answers retried after Retry-After: ${retried.size ? JSON.stringify(Object.fromEntries(retried)) : 'none'}`,
    );
    console.log(`   ${describe('event first sent -> accepted (with any retries)', latencies)}`);

    const waitFor = async (phones: string[], ms: number) => {
      const until = Date.now() + ms;
      while (phones.some((p) => !smsAt.has(p)) && Date.now() < until) await sleep(50);
      return phones.filter((p) => !smsAt.has(p)).length;
    };
    const ownersMissing = await waitFor(
      households.map((h) => h.ownerPhone),
      180_000,
    );
    const ownersDone = (performance.now() - start) / 1000;
    const ownersTwice = households.filter((h) => (smsAt.get(h.ownerPhone)?.length ?? 0) > 1).length;
    console.log(
      `owners: ${ALARMS - ownersMissing} texted (last at ${ownersDone.toFixed(1)} s), ${ownersMissing} not texted, ${ownersTwice} texted more than once`,
    );

    const contactsMissing = await waitFor(
      households.map((h) => h.contactPhones[0]),
      180_000 + OWNER_WAIT * 1000,
    );
    const contactsDone = (performance.now() - start) / 1000;
    const probe = await operator.stop();
    await sleep(2000); // a duplicate would come now
    const peakSampled = rss.stop();
    const appCpu = cpuMsOf(pid) - cpu.app;
    const pgCpu = postgresCpuMs(bench.postmaster) - cpu.pg;
    const contactsTwice = households.filter((h) => (smsAt.get(h.contactPhones[0])?.length ?? 0) > 1).length;
    const ownersTwiceAfter = households.filter((h) => (smsAt.get(h.ownerPhone)?.length ?? 0) > 1).length;
    console.log(
      `first contacts: ${ALARMS - contactsMissing} texted (last at ${contactsDone.toFixed(1)} s), ${contactsMissing} not texted, ${contactsTwice} texted more than once (owners more than once by now: ${ownersTwiceAfter})`,
    );

    const { rows } = await bench.pool.query<{ owner: string; contact: string; due: number; ran: number }>(
      `SELECT o.to_phone AS owner, k.to_phone AS contact,
              extract(epoch FROM o.sent_at) * 1000 + $1::int * 1000 AS due,
              extract(epoch FROM k.created_at) * 1000 AS ran
         FROM sms_message o JOIN sms_message k ON k.alarm_id = o.alarm_id AND k.purpose = 'alarm_contact'
        WHERE o.purpose = 'alarm_owner' AND o.sent_at IS NOT NULL`,
      [OWNER_WAIT],
    );
    const stepLate = rows.filter((r) => !fireAccepted.has(r.owner)).map((r) => Number(r.ran) - Number(r.due));
    const fireStepLate = rows.filter((r) => fireAccepted.has(r.owner)).map((r) => Number(r.ran) - Number(r.due));
    const providerLate = rows.filter((r) => !fireAccepted.has(r.owner) && smsAt.has(r.contact)).map((r) => smsAt.get(r.contact)![0] - Number(r.due));
    console.log(`   ${describe('contact step lateness (enqueued - (owner sent_at + wait))', stepLate)}`);
    console.log(`   ${describe('contact SMS at the provider - (owner sent_at + wait)', providerLate)}`);
    const fireOwner = [...fireAccepted].filter(([phone, at]) => smsAt.has(phone) && !Number.isNaN(at)).map(([phone, at]) => smsAt.get(phone)![0] - at);
    console.log(`fire alarms during the storm (${FIRES} from other households, one every ${fireEvery} burglaries; ${fireOwner.length} owners texted):`);
    console.log(`   ${describe('fire event 202 -> owner SMS at the provider', fireOwner)}`);
    console.log(`   ${describe('fire contact step lateness', fireStepLate)}`);
    console.log(`an operator's queue (GET /api/alarms?status=open every 0.5 s, from the storm's start until the last contact step):`);
    const during = probe.samples.filter((p) => p.at < ingestEnd).map((p) => p.ms);
    const after = probe.samples.filter((p) => p.at >= ingestEnd).map((p) => p.ms);
    console.log(`   ${describe('while events were coming in', during)}`);
    console.log(`   ${describe('afterwards (owner SMS and contact steps)', after)}${probe.failures ? `; ${probe.failures} not answered 200` : ''}`);
    const mem = memoryOf(pid);
    console.log(
      `app memory: RSS idle before the storm ${idleMem.rssMb.toFixed(0)} MB, highest sampled during it ${peakSampled.toFixed(0)} MB, VmHWM (peak since start) ${mem.peakMb.toFixed(0)} MB`,
    );
    console.log(
      `CPU per alarm (event, owner SMS, contact step and SMS): app ${((appCpu * 1000) / ALARMS).toFixed(0)} µs, PostgreSQL ${((pgCpu * 1000) / ALARMS).toFixed(0)} µs`,
    );
    console.log(`load average before ${before}, after ${loadavg()}`);
  } finally {
    await bench.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

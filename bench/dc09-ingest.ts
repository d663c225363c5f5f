// SIA DC-09 ingest against the bare floor, in one run (`npm run bench:dc09`). Phases, run in
// the order a, e, ref, b, c, d (e while the app is fresh, so load before it does not hide its cost):
//
//  (a) the floor: bench:floor's bare node:http server (ingest-floor.ts: HMAC + group commit, no
//      framework) under bench:ingest's load at C keep-alive connections (measureIngest: 3 s warm-up,
//      then `seconds`), the real app idle;
//  (ref) the real app's HTTP ingest (bench:ingest's load and report) at C: the same PanelEvents path
//      behind the other transport, so the gap to the floor splits into "DC-09" and "the app";
//  (b) DC-09 over persistent TCP connections, the real app: one connection per panel (`panels`
//      connections), C of them busy at once, closed loop (worker w sends for the panels i with
//      i % C = w, one frame at a time, the next when the ACK is in); a first NULL from every panel
//      and a 3 s warm-up (not counted), then `seconds`;
//  (c) DC-09 one connection per message: C workers, each connect, send, read the ACK, close;
//  (d) open loop at `rate` frames/s (default 1,000) over the persistent connections: ACK latency
//      p50/p90/p99 (write -> ACK) and how late the load generator was against its schedule;
//  (e) `idle` (default 10,000) TCP connections opened and left idle for `idleSeconds` (default 30)
//      with a trickle of NULLs on 10 of them: the app's RSS before, after opening, over the idle
//      time and after closing; every connection still open at the end (this side and /metrics).
//
// Mix everywhere: 70% NULL link tests (the DC-09 heartbeat), 10% arm (SIA CL), 10% disarm (OP),
// 10% burglary (BA on zones 1-8; `alarmShare` changes that share, as in bench:ingest); every frame AES-256 encrypted with its timestamp (what the app
// requires by default), a sequence number of its own per panel. Every ACK is checked (kind, sequence,
// decrypted in the panel's key), and every ACKed event is looked for in panel_event: the ACKed
// (panel, code, occurred_at) multiset must be contained in the stored one (event ids are the
// receiver's, derived from the frame, so the check does not depend on how they are made).
//
// Same environment as the other panel benches (startBench): embedded PostgreSQL, the real app in a
// child process (DC09_PORT 0: /health says which port), fake Twilio on a worker thread, the load
// generator on this thread; all on this machine. APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"
// profiles the app; each phase prints its window in the app's lifetime for reading such a profile.
//
//   npm run bench:dc09 [-- seconds=10 panels=2000 connections=50 rate=1000 idle=10000 idleSeconds=30 alarmShare=0.1 only=floor,app-http,persistent,per-message,open-loop,idle]
//   (= npx tsc -p bench/tsconfig.json && node dist/bench/bench/dc09-ingest.js [seconds] [panels] [connections])
import net from 'node:net';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { buildFrame, Dc09Splitter, parseReply } from '../src/dc09/dc09-frame.js';
import { startFloor, stopFloor } from './ingest-floor.js';
import {
  cpuMsOf,
  describe,
  loadavg,
  measureIngest,
  memoryOf,
  percentile,
  postgresCpuMs,
  sleep,
  startBench,
  type Bench,
  type Household,
  type IngestFigures,
} from './panel-support.js';

// ---------------------------------------------------------------------------------------------
// Arguments: `name=value`, or the first three by position (seconds, panels, connections).
// ---------------------------------------------------------------------------------------------

const args: Record<string, string> = {};
{
  const positional = ['seconds', 'panels', 'connections'];
  for (const a of process.argv.slice(2)) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(a);
    if (m) args[m[1]] = m[2];
    else if (positional.length) args[positional.shift()!] = a;
  }
}
const num = (name: string, fallback: number) => (args[name] === undefined ? fallback : Number(args[name]));
const SECONDS = num('seconds', 10);
const PANELS = num('panels', 2000);
const C = num('connections', 50);
const RATE = num('rate', 1000);
/** The share of burglary alarms (the issue's mix: 0.1), the rest 7 : 1 : 1 heartbeats, arms and disarms, as in bench:ingest. */
const ALARMS = num('alarmShare', 0.1);
const IDLE = num('idle', 10_000);
const IDLE_SECONDS = num('idleSeconds', 30);
const PHASES = new Set((args.only ?? 'floor,app-http,persistent,per-message,open-loop,idle').split(','));
const TRICKLE_LINKS = 10;
const REPLY_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------------------------
// A panel's side of a DC-09 TCP connection.
// ---------------------------------------------------------------------------------------------

interface Waiting {
  sentAt: number;
  resolve: (r: { reply: Buffer; ms: number } | Error) => void;
  timer: NodeJS.Timeout;
}

/** Writes frames, reads reply frames; replies come in the order the frames were sent. */
class Link {
  private splitter?: Dc09Splitter;
  private readonly waiting: Waiting[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      // Made on the first reply: an idle link holds no frame buffer.
      this.splitter ??= new Dc09Splitter();
      const at = performance.now();
      for (const item of this.splitter.push(chunk)) {
        if (item.kind !== 'frame') continue;
        const w = this.waiting.shift();
        if (!w) continue;
        clearTimeout(w.timer);
        w.resolve({ reply: item.bytes, ms: at - w.sentAt });
      }
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) {
        clearTimeout(w.timer);
        w.resolve(new Error('closed before the reply'));
      }
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<Link> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => {
        socket.off('error', reject);
        resolve(new Link(socket));
      });
      socket.once('error', reject);
    });
  }

  get busy(): boolean {
    return this.waiting.length > 0;
  }

  /** The reply to `frame` and ms from the write to its last byte read; an Error when none came. */
  send(frame: Buffer): Promise<{ reply: Buffer; ms: number } | Error> {
    if (this.closed) return Promise.resolve(new Error('closed'));
    return new Promise((resolve) => {
      const w: Waiting = {
        sentAt: performance.now(),
        resolve,
        timer: setTimeout(() => {
          // No reply (the receiver stays silent when it could not commit): later replies would be
          // taken for other frames', so this link is done.
          resolve(new Error('no reply'));
          this.socket.destroy();
        }, REPLY_TIMEOUT_MS),
      };
      this.waiting.push(w);
      this.socket.write(frame);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Panels, frames, and what was ACKed.
// ---------------------------------------------------------------------------------------------

interface Panel {
  h: Household;
  account: string;
  key: Buffer;
  seq: number;
  link?: Link;
}

type Code = 'NULL' | 'CL' | 'OP' | 'BA';

/** bench:ingest's mix (ingestEvent): `alarmShare` burglaries on zones 1-8, the rest 7 : 1 : 1 heartbeats (here NULL), arms and disarms. */
function pickCode(): Code {
  const r = Math.random();
  if (r < ALARMS) return 'BA';
  const q = (r - ALARMS) / (1 - ALARMS);
  return q < 7 / 9 ? 'NULL' : q < 8 / 9 ? 'CL' : 'OP';
}

interface Sent {
  frame: Buffer;
  panel: Panel;
  code: Code;
  sequence: string;
  /** The frame's timestamp (the event's occurred_at), whole seconds since the epoch. */
  second: number;
}

/** An encrypted frame as a panel sends it: its own next sequence number, the time now. */
function frameFor(panel: Panel, code: Code = pickCode()): Sent {
  panel.seq = (panel.seq % 9999) + 1;
  const sequence = String(panel.seq).padStart(4, '0');
  const now = new Date();
  const what = code === 'BA' ? `BA${1 + Math.floor(Math.random() * 8)}` : code === 'NULL' ? '' : `${code}1`;
  const frame = buildFrame({
    id: code === 'NULL' ? 'NULL' : 'SIA-DCS',
    sequence,
    line: 'L0',
    account: panel.account,
    data: what ? `#${panel.account}|Nri1/${what}` : '',
    timestamp: now,
    key: panel.key,
  });
  return { frame, panel, code, sequence, second: Math.floor(now.getTime() / 1000) };
}

/** Everything ACKed in this run, as (panel, code, occurred_at second) -> count. */
const acked = new Map<string, number>();
const keyOf = (panelId: string, code: string, second: number) => `${panelId}|${code}|${second}`;

class RunTally {
  readonly latencies: number[] = [];
  readonly byCode = new Map<Code, number[]>();
  readonly failures = new Map<string, number>();
  readonly keys = new Set<string>();
  ackCount = 0;
  minSecond = Infinity;
  maxSecond = -Infinity;

  fail(why: string): void {
    this.failures.set(why, (this.failures.get(why) ?? 0) + 1);
  }

  /** Checks the reply to `s` (an ACK for its sequence, readable in the panel's key) and counts it. */
  take(s: Sent, r: { reply: Buffer; ms: number } | Error, ms?: number): boolean {
    if (r instanceof Error) {
      this.fail(r.message);
      return false;
    }
    const reply = parseReply(r.reply, s.panel.key);
    if (!reply.ok) {
      this.fail(`unreadable reply (${reply.reason})`);
      return false;
    }
    if (reply.kind !== 'ACK' || reply.sequence !== s.sequence || !reply.encrypted) {
      this.fail(`${reply.kind}${reply.kind === 'ACK' ? ` for ${reply.sequence}, not ${s.sequence}` : ''}`);
      return false;
    }
    this.ackCount++;
    this.latencies.push(ms ?? r.ms);
    let list = this.byCode.get(s.code);
    if (!list) this.byCode.set(s.code, (list = []));
    list.push(ms ?? r.ms);
    const k = keyOf(s.panel.h.panelId, s.code, s.second);
    acked.set(k, (acked.get(k) ?? 0) + 1);
    this.keys.add(k);
    this.minSecond = Math.min(this.minSecond, s.second);
    this.maxSecond = Math.max(this.maxSecond, s.second);
    return true;
  }

  get failed(): number {
    return [...this.failures.values()].reduce((a, b) => a + b, 0);
  }

  failureText(): string {
    return this.failures.size ? JSON.stringify(Object.fromEntries(this.failures)) : 'none';
  }
}

/** How many events ACKed in the run (all runs so far, for the run's keys) have no row in panel_event. */
async function missingRows(bench: Bench, tally: RunTally, panelIds: string[]): Promise<number> {
  if (!tally.keys.size) return 0;
  const { rows } = await bench.pool.query<{ panel_id: string; code: string; s: string; n: number }>(
    `SELECT panel_id::text, code, extract(epoch FROM occurred_at)::bigint AS s, count(*)::int AS n
       FROM panel_event WHERE panel_id = ANY($1::uuid[]) AND occurred_at BETWEEN to_timestamp($2) AND to_timestamp($3)
      GROUP BY 1, 2, 3`,
    [panelIds, tally.minSecond, tally.maxSecond],
  );
  const stored = new Map(rows.map((r) => [keyOf(r.panel_id, r.code, Number(r.s)), r.n]));
  let missing = 0;
  for (const k of tally.keys) missing += Math.max(0, (acked.get(k) ?? 0) - (stored.get(k) ?? 0));
  return missing;
}

const p = (values: number[], q: number) =>
  percentile(
    [...values].sort((a, b) => a - b),
    q,
  ).toFixed(1);

// ---------------------------------------------------------------------------------------------
// Measuring.
// ---------------------------------------------------------------------------------------------

/** Seconds since the app process started (for reading an APP_NODE_ARGS=--cpu-prof profile). */
function appClock(pid: number): () => number {
  const bootSeconds = Number(/^btime (\d+)/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
  const startTicks = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[19]);
  const startedMs = (bootSeconds + startTicks / 100) * 1000;
  return () => (Date.now() - startedMs) / 1000;
}

interface RunFigures {
  name: string;
  eventsPerSecond: number;
  acks: number;
  elapsed: number;
  latencies: number[];
  cpuUs: { app: number; postgres: number; self: number };
  failures: number;
  missing: number;
}

/** Runs `load`, then prints and returns events/s, latency, CPU per ACKed event, failures and the panel_event check. */
async function measured(
  bench: Bench,
  panelIds: string[],
  name: string,
  latencyLabel: string,
  load: (t: RunTally) => Promise<number>,
  extra?: (t: RunTally) => string[],
): Promise<RunFigures> {
  const app = bench.app.pid!;
  const clock = appClock(app);
  const before = loadavg();
  const from = clock();
  const cpu = { app: cpuMsOf(app), pg: postgresCpuMs(bench.postmaster), self: process.cpuUsage() };
  const tally = new RunTally();
  const elapsed = await load(tally);
  const selfCpu = process.cpuUsage(cpu.self);
  const us = (ms: number) => (ms * 1000) / Math.max(1, tally.ackCount);
  const cpuUs = { app: us(cpuMsOf(app) - cpu.app), postgres: us(postgresCpuMs(bench.postmaster) - cpu.pg), self: us((selfCpu.user + selfCpu.system) / 1000) };
  const to = clock();
  const missing = await missingRows(bench, tally, panelIds);
  const eventsPerSecond = tally.ackCount / elapsed;
  console.log(
    `\n${name}: ${Math.round(eventsPerSecond)} events/s ACKed (${tally.ackCount} ACKs in ${elapsed.toFixed(1)} s; ${tally.ackCount + tally.failed} sent), load average before ${before}, after ${loadavg()}`,
  );
  console.log(`   ${describe(latencyLabel, tally.latencies)}`);
  console.log(
    `   by code: ${(['NULL', 'CL', 'OP', 'BA'] as const).map((c) => `${c} p50 ${p(tally.byCode.get(c) ?? [], 50)} / p99 ${p(tally.byCode.get(c) ?? [], 99)} ms`).join(', ')}`,
  );
  for (const line of extra?.(tally) ?? []) console.log(`   ${line}`);
  console.log(`   CPU per event: app ${cpuUs.app.toFixed(0)} µs, PostgreSQL ${cpuUs.postgres.toFixed(0)} µs, load generator ${cpuUs.self.toFixed(0)} µs`);
  console.log(`   not ACKed: ${tally.failureText()}; every ACKed event in panel_event: ${missing === 0 ? 'yes' : `NO, ${missing} missing`}`);
  console.log(`   (app-relative window for a --cpu-prof profile: ${from.toFixed(1)}-${to.toFixed(1)} s)`);
  return { name, eventsPerSecond, acks: tally.ackCount, elapsed, latencies: tally.latencies, cpuUs, failures: tally.failed, missing };
}

/** Workers 0..n-1 each calling `once(worker)` again as soon as it returns, for `seconds`; returns the seconds taken. */
async function workers(n: number, seconds: number, once: (worker: number) => Promise<void>): Promise<number> {
  const start = performance.now();
  const until = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: n }, async (_, w) => {
      while (performance.now() < until) await once(w);
    }),
  );
  return (performance.now() - start) / 1000;
}

/** Opens `count` connections, `batch` at a time. */
async function openLinks(port: number, count: number, batch = 500): Promise<Link[]> {
  const links: Link[] = [];
  for (let from = 0; from < count; from += batch) {
    links.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - from) }, () => Link.open(port)))));
  }
  return links;
}

/** (b): closed loop over the panels' own persistent connections, C at once. */
function persistentLoad(panels: Panel[], connections: number, seconds: number) {
  const owned = Array.from({ length: connections }, (_, w) => panels.filter((_, i) => i % connections === w));
  return (t: RunTally) =>
    workers(connections, seconds, async (w) => {
      const mine = owned[w];
      const panel = mine[Math.floor(Math.random() * mine.length)];
      const s = frameFor(panel);
      t.take(s, await panel.link!.send(s.frame));
    });
}

/** Every panel sends one NULL on its connection (C at once): the receiver has read every account and key once. */
function primeLoad(panels: Panel[], connections: number) {
  return async (t: RunTally) => {
    const start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (next < panels.length) {
          const panel = panels[next++];
          const s = frameFor(panel, 'NULL');
          t.take(s, await panel.link!.send(s.frame));
        }
      }),
    );
    return (performance.now() - start) / 1000;
  };
}

/** (c): C workers, each frame on a connection of its own (connect, send, ACK, close). */
function perMessageLoad(port: number, panels: Panel[], connections: number, seconds: number, connectAck: number[]) {
  return (t: RunTally) =>
    workers(connections, seconds, async () => {
      const panel = panels[Math.floor(Math.random() * panels.length)];
      const started = performance.now();
      let link: Link;
      try {
        link = await Link.open(port);
      } catch (e) {
        t.fail(`connect: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        return;
      }
      try {
        const s = frameFor(panel);
        if (t.take(s, await link.send(s.frame))) connectAck.push(performance.now() - started);
      } finally {
        link.close();
      }
    });
}

/** (d): `rate` frames/s on schedule, whatever the replies do; each on a panel with nothing outstanding. */
function openLoad(panels: Panel[], rate: number, seconds: number, lags: number[]) {
  return async (t: RunTally) => {
    const pending: Array<Promise<void>> = [];
    const start = performance.now();
    const end = start + seconds * 1000;
    let sent = 0;
    for (let now = start; now < end; now = performance.now()) {
      const due = Math.floor(((now - start) * rate) / 1000);
      for (; sent < due; sent++) {
        let panel = panels[Math.floor(Math.random() * panels.length)];
        for (let tries = 0; panel.link!.busy && tries < 20; tries++) panel = panels[Math.floor(Math.random() * panels.length)];
        lags.push(performance.now() - (start + (sent * 1000) / rate));
        const s = frameFor(panel);
        pending.push(panel.link!.send(s.frame).then((r) => void t.take(s, r)));
      }
      await sleep(1);
    }
    await Promise.all(pending);
    return (performance.now() - start) / 1000;
  };
}

async function dc09Connections(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return Number(/^keyholder_dc09_connections (\d+)/m.exec(text)?.[1] ?? NaN);
}

/** The app's RSS (/proc) and, from its /metrics (prom-client's default metrics), V8 heap used and external memory, MB. */
async function appMemory(bench: Bench): Promise<{ rss: number; heap: number; external: number }> {
  const text = await (await fetch(`${bench.baseUrl}/metrics`)).text();
  const mb = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
  return { rss: memoryOf(bench.app.pid!).rssMb, heap: mb('nodejs_heap_size_used_bytes'), external: mb('nodejs_external_memory_bytes') };
}
const memText = (m: { rss: number; heap: number; external: number }) =>
  `RSS ${m.rss.toFixed(0)} MB (heap used ${m.heap.toFixed(0)}, external ${m.external.toFixed(0)})`;

type Memory = Awaited<ReturnType<typeof appMemory>>;

interface IdleFigures {
  before: Memory;
  opened: Memory;
  idleEnd: Memory;
  rssIdleMin: number;
  rssIdleMax: number;
  closed: Memory;
  count: number;
  stillOpen: number;
  appCounted: number;
  openSeconds: number;
  trickle: number[];
  trickleFailures: string;
}

/** (e): `count` idle connections for `seconds`, NULLs on a few of them; the app's RSS throughout. */
async function idleRun(bench: Bench, port: number, panels: Panel[], count: number, seconds: number): Promise<IdleFigures> {
  const app = bench.app.pid!;
  const clock = appClock(app);
  const rss = () => memoryOf(app).rssMb;
  await sleep(2000); // what ran before settles
  const before = await appMemory(bench);
  const countedBefore = await dc09Connections(bench.baseUrl);
  const openedAt = performance.now();
  const links = await openLinks(port, count);
  const openSeconds = (performance.now() - openedAt) / 1000;
  await sleep(2000);
  const opened = await appMemory(bench);
  console.log(
    `idle connections: ${links.length} opened in ${openSeconds.toFixed(1)} s (the app counts ${(await dc09Connections(bench.baseUrl)) - countedBefore} more); app ${memText(before)} before, ${memText(opened)} after opening; idling ${seconds} s with NULLs on ${TRICKLE_LINKS} of them (app-relative window ${clock().toFixed(1)}-${(clock() + seconds).toFixed(1)} s)`,
  );
  const tally = new RunTally();
  const samples: number[] = [];
  const trickle = links.slice(0, TRICKLE_LINKS).map((link, i) => ({ link, panel: panels[i % panels.length] }));
  const until = performance.now() + seconds * 1000;
  let tick = 0;
  while (performance.now() < until) {
    const t = trickle[tick++ % trickle.length];
    const s = frameFor(t.panel, 'NULL');
    void t.link.send(s.frame).then((r) => tally.take(s, r));
    if (tick % TRICKLE_LINKS === 0) {
      samples.push(rss());
      const i = samples.length;
      if (i % 10 === 0) console.log(`   ${i} s idle: app RSS ${samples[i - 1].toFixed(0)} MB`);
    }
    await sleep(1000 / TRICKLE_LINKS);
  }
  await sleep(200);
  const idleEnd = await appMemory(bench);
  const stillOpen = links.filter((l) => !l.closed).length;
  const appCounted = (await dc09Connections(bench.baseUrl)) - countedBefore;
  for (const l of links) l.close();
  await sleep(2000);
  const closed = await appMemory(bench);
  console.log(`   after ${seconds} s idle: app ${memText(idleEnd)}; closed: ${memText(closed)}`);
  return {
    before,
    opened,
    idleEnd,
    rssIdleMin: Math.min(...samples),
    rssIdleMax: Math.max(...samples),
    closed,
    count: links.length,
    stillOpen,
    appCounted,
    openSeconds,
    trickle: tally.latencies,
    trickleFailures: tally.failureText(),
  };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const bench = await startBench('dc09');
  let floorChild: Awaited<ReturnType<typeof startFloor>>['child'] | undefined;
  const panels: Panel[] = [];
  try {
    const health = (await (await fetch(`${bench.baseUrl}/health`)).json()) as { info: { dc09: { tcpPort: number } } };
    const port = health.info.dc09.tcpPort;
    console.log(
      `DC-09 ingest bench: ${PANELS} panels, ${C} connections busy at once, ${SECONDS} s per run, open loop at ${RATE}/s, ${IDLE} idle connections for ${IDLE_SECONDS} s; node ${process.version}, PostgreSQL ${bench.pgVersion}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`,
    );
    console.log(
      'the app (DC-09 receiver on TCP port ' +
        port +
        ') and the floor server in child processes, fake Twilio on a worker thread, load generator on the main thread, PostgreSQL embedded; all on this machine',
    );
    console.log(`mix: ${mixText()} (HTTP: RP for NULL); AES-256 encrypted frames with timestamps`);

    // (a) The floor, at the same concurrency.
    let floor: IngestFigures | undefined;
    let appHttp: IngestFigures | undefined;
    const households = PHASES.has('floor') || PHASES.has('app-http') ? await bench.seed(PANELS, 1) : [];
    if (PHASES.has('floor')) {
      const started = await startFloor(String(bench.pool.options.connectionString), households);
      floorChild = started.child;
      console.log(`\n--- (a) the floor: bare node:http server, bench:ingest's load (signed JSON over keep-alive HTTP) ---`);
      [floor] = await measureIngest(bench, started.baseUrl, households, {
        seconds: SECONDS,
        alarmShare: ALARMS,
        server: { name: 'floor server', pid: floorChild.pid! },
        idle: { name: 'idle app', pid: bench.app.pid! },
        self: 'load generator',
        connections: [C],
      });
      await stopFloor(floorChild);
      floorChild = undefined;
    }
    const seeded = await bench.seedDc09(PANELS, 1);
    for (const h of seeded) panels.push({ h, account: h.dc09!.account, key: h.dc09!.key, seq: 0 });
    const panelIds = seeded.map((h) => h.panelId);

    // (e) Idle connections, while the app is still fresh from start-up (only the floor ran, against
    // another server): what 10,000 connections cost is not hidden in heap that load grew before.
    let idle: IdleFigures | undefined;
    if (PHASES.has('idle')) {
      console.log(`\n--- (e) ${IDLE} idle DC-09 connections (the app fresh from start-up) ---`);
      idle = await idleRun(bench, port, panels, IDLE, IDLE_SECONDS);
    }
    // For reference: the real app's HTTP ingest (bench:ingest) at the same concurrency, the same
    // PanelEvents path behind another transport; what DC-09 adds or saves is the difference.
    if (PHASES.has('app-http')) {
      console.log(`\n--- (reference) the real app, HTTP panel events (bench:ingest's load) ---`);
      [appHttp] = await measureIngest(bench, bench.baseUrl, households, {
        seconds: SECONDS,
        alarmShare: ALARMS,
        server: { name: 'app', pid: bench.app.pid! },
        self: 'load generator + fake Twilio',
        connections: [C],
        label: 'app-',
      });
    }

    // (b) Persistent connections, one per panel.
    let persistent: RunFigures | undefined;
    let perMessage: RunFigures | undefined;
    let open: RunFigures | undefined;
    const connectAck: number[] = [];
    const lags: number[] = [];
    if (PHASES.has('persistent') || PHASES.has('open-loop')) {
      const links = await openLinks(port, panels.length);
      panels.forEach((panel, i) => (panel.link = links[i]));
      console.log(`\n${links.length} persistent connections open, one per panel`);
      await measured(bench, panelIds, 'first NULL of every panel (not counted)', 'ACK latency', primeLoad(panels, C));
    }
    if (PHASES.has('persistent')) {
      console.log(`--- (b) DC-09 over persistent TCP connections, closed loop, ${C} at once ---`);
      await measured(bench, panelIds, 'warm-up (not counted)', 'ACK latency', persistentLoad(panels, C, 3));
      persistent = await measured(
        bench,
        panelIds,
        `DC-09 persistent, ${C} connections busy of ${panels.length}`,
        'ACK latency (write -> ACK)',
        persistentLoad(panels, C, SECONDS),
      );
    }
    // (c) One connection per message.
    if (PHASES.has('per-message')) {
      console.log(`\n--- (c) DC-09 one connection per message, closed loop, ${C} at once ---`);
      perMessage = await measured(
        bench,
        panelIds,
        `DC-09 one connection per message, ${C} at once`,
        'ACK latency (write -> ACK)',
        perMessageLoad(port, panels, C, SECONDS, connectAck),
        () => [describe('connect + ACK', connectAck)],
      );
    }
    // (d) Open loop at a fixed rate over the persistent connections.
    if (PHASES.has('open-loop')) {
      console.log(`\n--- (d) DC-09 open loop at ${RATE} frames/s over the persistent connections ---`);
      open = await measured(bench, panelIds, `DC-09 open loop at ${RATE}/s`, 'ACK latency (write -> ACK)', openLoad(panels, RATE, SECONDS, lags), (t) => [
        `ACK latency p50 ${p(t.latencies, 50)} ms, p90 ${p(t.latencies, 90)} ms, p99 ${p(t.latencies, 99)} ms`,
        `${describe('load generator behind its schedule', lags)}`,
      ]);
    }
    for (const panel of panels) panel.link?.close();
    await sleep(500);

    // The report.
    const line = (label: string, f: { eventsPerSecond: number; latencies: number[] } | undefined, what: string) =>
      f
        ? `  ${label.padEnd(44)} ${String(Math.round(f.eventsPerSecond)).padStart(6)} events/s   ${what} p50 ${p(f.latencies, 50)} ms, p99 ${p(f.latencies, 99)} ms`
        : `  ${label.padEnd(44)} (not run)`;
    const ratio = (f?: { eventsPerSecond: number }) => (f && floor ? `${((100 * f.eventsPerSecond) / floor.eventsPerSecond).toFixed(0)}% of the floor` : 'n/a');
    console.log(`\n=== Report: ${C} connections busy at once, mix ${mixText()}, ${PANELS} panels ===`);
    console.log(line('(a) floor (bare node:http, HMAC, group commit)', floor, '202'));
    console.log(line('(ref) real app, HTTP panel events', appHttp, '202'));
    console.log(line('(b) DC-09, persistent TCP (AES-256)', persistent, 'ACK'));
    console.log(line('(c) DC-09, one connection per message', perMessage, 'ACK'));
    console.log(
      `  ratio: persistent ${ratio(persistent)} (target >= 60%: ${persistent && floor ? (persistent.eventsPerSecond >= 0.6 * floor.eventsPerSecond ? 'met' : 'NOT met') : 'n/a'}), one connection per message ${ratio(perMessage)}` +
        (appHttp ? `; the app's HTTP ingest ${ratio(appHttp)}` : '') +
        (appHttp && persistent ? `; DC-09 persistent / app HTTP ${((100 * persistent.eventsPerSecond) / appHttp.eventsPerSecond).toFixed(0)}%` : ''),
    );
    if (floor && persistent) {
      console.log(
        `  CPU per event: floor server ${floor.cpuUs.server.toFixed(0)} µs + PostgreSQL ${floor.cpuUs.postgres.toFixed(0)} µs; app on DC-09 persistent ${persistent.cpuUs.app.toFixed(0)} µs + PostgreSQL ${persistent.cpuUs.postgres.toFixed(0)} µs` +
          (perMessage ? `; per message ${perMessage.cpuUs.app.toFixed(0)} µs + ${perMessage.cpuUs.postgres.toFixed(0)} µs` : '') +
          (appHttp ? `; app on HTTP ${appHttp.cpuUs.server.toFixed(0)} µs + ${appHttp.cpuUs.postgres.toFixed(0)} µs` : ''),
      );
    }
    if (open) {
      const p99 = percentile(
        [...open.latencies].sort((a, b) => a - b),
        99,
      );
      console.log(
        `  (d) open loop at ${RATE}/s: ${Math.round(open.eventsPerSecond)} events/s ACKed, ACK p50 ${p(open.latencies, 50)} ms, p90 ${p(open.latencies, 90)} ms, p99 ${p99.toFixed(1)} ms (target p99 < 50 ms: ${p99 < 50 ? 'met' : 'NOT met'}); load generator behind schedule p99 ${p(lags, 99)} ms`,
      );
    }
    if (idle) {
      const perConnKb = (mb: number) => ((mb * 1024) / Math.max(1, idle.count)).toFixed(1);
      const d = (k: keyof Memory, a: Memory, b: Memory) => signed(b[k] - a[k]);
      console.log(
        `  (e) ${idle.count} idle connections on the app fresh from start-up: RSS ${idle.before.rss.toFixed(0)} MB before, ${idle.opened.rss.toFixed(0)} MB opened ` +
          `(${d('rss', idle.before, idle.opened)} MB = ${perConnKb(idle.opened.rss - idle.before.rss)} KB per connection; heap ${d('heap', idle.before, idle.opened)} MB, external ${d('external', idle.before, idle.opened)} MB), ` +
          `after ${IDLE_SECONDS} s idle ${idle.idleEnd.rss.toFixed(0)} MB (${d('rss', idle.opened, idle.idleEnd)} MB since opened; sampled range ${idle.rssIdleMin.toFixed(0)}-${idle.rssIdleMax.toFixed(0)} MB; heap ${d('heap', idle.opened, idle.idleEnd)} MB), after closing ${idle.closed.rss.toFixed(0)} MB`,
      );
      console.log(
        `      still open at the end: ${idle.stillOpen}/${idle.count} (the app counts ${idle.appCounted}); trickle NULLs ${describe('ACK', idle.trickle).replace(/^ACK: /, '')}; not ACKed: ${idle.trickleFailures}`,
      );
    }
    const missing = [persistent, perMessage, open].reduce((n, f) => n + (f?.missing ?? 0), 0) + (floor?.missing ?? 0) + (appHttp?.missing ?? 0);
    console.log(`  every ACK (and every 202) is a row in panel_event: ${missing === 0 ? 'yes' : `NO, ${missing} missing`}`);
    const mem = memoryOf(bench.app.pid!);
    console.log(`  app RSS now ${mem.rssMb.toFixed(0)} MB, peak ${mem.peakMb.toFixed(0)} MB`);
  } finally {
    for (const panel of panels) panel.link?.close();
    if (floorChild) await stopFloor(floorChild);
    await bench.stop();
  }
}

const mixText = () => {
  const pc = (v: number) => `${Math.round(v * 100)}%`;
  const rest = 1 - ALARMS;
  return `${pc((rest * 7) / 9)} NULL, ${pc(rest / 9)} CL (arm), ${pc(rest / 9)} OP (disarm), ${pc(ALARMS)} BA (zones 1-8)`;
};

const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(0)}`;

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

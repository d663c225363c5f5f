// Chaos run (`npm run chaos`): a steady load of panel events and alarms for a few minutes
// while the database and the app are killed and frozen and the SMS provider breaks, at random; then
// the promises are checked:
//   - every 202 (and every 200 "duplicate") and every DC-09 ACK is a row in panel_event;
//   - every alarm reached its owner or at least one contact (an SMS the provider accepted), or was
//     acknowledged or closed;
//   - nobody got the same alarm SMS twice (same recipient, same body, accepted twice by the provider),
//     nor two alarm SMS for one alarm;
// and the figures printed: events, 202s, ACKs, alarms, SMS, how long the owner stage lasted, the faults.
// Exit code 1 when an invariant fails.
//
// Set-up (startBench): an embedded PostgreSQL started here (so it can be killed and started again on
// the same port and data directory), the real app in a child process (killed with SIGKILL and started
// again with the same environment and ports), the fake Twilio API on a worker thread (told to answer
// 500, 429 or nothing at all for a while). Households: `households` customers with 2 contacts each
// and an HTTP panel, `dc09` more with a DC-09 panel (kept-open TCP connections, encrypted frames).
// Escalation waits 5 s (owner and each contact, burglary and fire), SMS_HANDOVER_TIMEOUT_SECONDS 5.
//
// Load: `rate` events/s (default 40) spread over the panels at random: `alarmShare` (0.1) alarms,
// a fifth of them fire (FA) and the rest burglary (BA), each on a fresh zone of its panel so it opens
// an alarm of its own; the rest heartbeats (HTTP RP, DC-09 NULL). Each panel sends its events one at
// a time, in order, as a panel does: an HTTP event is retried with the same eventId until it gets a
// 202 or 200; a DC-09 frame is sent again (the same frame while its timestamp is fresh, else a new
// one) after a NAK, a closed connection or no reply within 10 s, reconnecting as needed.
//
// Faults (seeded PRNG, `seed=`): one at a time, 5-15 s apart, each of:
//   app-kill      SIGKILL the app, start it again 0-3 s later
//   db-freeze     SIGSTOP the postmaster and all its children for 5-20 s, then SIGCONT
//   db-kill       SIGKILL the postmaster and all its children, start PostgreSQL again 1-5 s later
//   twilio-500 / twilio-429 / twilio-hang   every provider call answered 500, 429, or never, for 5-20 s
// After `seconds` the load and the faults stop, panels finish what they hold (up to 90 s), and the
// system settles (no alarm left in stage owner/contacts, no SMS queued or sending; up to `settle` s).
//
//   npm run chaos [-- seconds=180 seed=N rate=40 households=150 dc09=50 alarmShare=0.1 settle=150]
//   (= npx tsc -p bench/tsconfig.json && node dist/bench/bench/chaos.js ...)
import { createHmac } from 'node:crypto';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildFrame, Dc09Splitter, parseReply } from '../src/dc09/dc09-frame.js';
import { alive, startEmbeddedPostgres, type EmbeddedDatabase } from '../src/database/embedded-postgres.js';
import { nowAbs, percentile, sleep, startBench, type AcceptedSms, type Bench, type Household } from './panel-support.js';

// ---------------------------------------------------------------------------------------------
// Arguments.
// ---------------------------------------------------------------------------------------------

const args: Record<string, string> = {};
for (const a of process.argv.slice(2)) {
  const m = /^([A-Za-z]+)=(.*)$/.exec(a);
  if (m) args[m[1]] = m[2];
}
const num = (name: string, fallback: number) => (args[name] === undefined ? fallback : Number(args[name]));
const SECONDS = num('seconds', 180);
const SEED = num('seed', Math.floor(Math.random() * 2 ** 31));
const RATE = num('rate', 40);
const HTTP_HOUSEHOLDS = num('households', 150);
const DC09_HOUSEHOLDS = num('dc09', 50);
const ALARM_SHARE = num('alarmShare', 0.1);
const SETTLE_SECONDS = num('settle', 150);
const DRAIN_SECONDS = 90;
const WAIT_SECONDS = 5;
const HANDOVER_SECONDS = 5;
const HTTP_TIMEOUT_MS = 15_000;
const DC09_REPLY_TIMEOUT_MS = 10_000;
/** A DC-09 frame older than this is not sent again as it is (the receiver takes 40 s behind): a new one goes instead. */
const DC09_FRAME_MAX_AGE_S = 30;

/** mulberry32: small, seeded, good enough to pick faults and events. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** Two streams, so the faults (kind, start, length) replay with the seed whatever the timing of the load. */
const faultRng = prng(SEED);
const loadRng = prng(SEED ^ 0x5bd1e995);
const between = (lo: number, hi: number) => lo + faultRng() * (hi - lo);

const t0 = nowAbs();
const clock = () => (nowAbs() - t0) / 1000;
const stamp = () => `[${clock().toFixed(1).padStart(6)} s]`;
const say = (line: string) => console.log(`${stamp()} ${line}`);

// ---------------------------------------------------------------------------------------------
// Panels and what they were told.
// ---------------------------------------------------------------------------------------------

type Code = 'RP' | 'NULL' | 'BA' | 'FA';

interface Job {
  code: Code;
  zone?: string;
  /** HTTP: the event's id (the same for every retry). */
  eventId?: string;
  createdAt: number;
  occurredAt: string;
  attempts: number;
  /** DC-09: the frame being sent (again) and what identifies its stored event. */
  frame?: { bytes: Buffer; sequence: string; second: number; builtAt: number };
}

interface Panel {
  index: number;
  h: Household;
  kind: 'http' | 'dc09';
  queue: Job[];
  running: boolean;
  zones: number;
  events: number;
  seq: number;
  socket?: net.Socket;
  splitter?: Dc09Splitter;
  pending?: { resolve: (r: Buffer | Error) => void; timer: NodeJS.Timeout };
}

const tally = {
  generated: 0,
  generatedAlarms: 0,
  attempts: 0,
  http202: 0,
  http200dup: 0,
  acks: 0,
  /** Not confirmed (yet) at an attempt, by reason. */
  notYet: new Map<string, number>(),
  /** Refused for good (an answer that a retry cannot change). */
  refused: new Map<string, number>(),
  confirmMs: [] as number[],
};
const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

/** HTTP events answered 202 or 200 (duplicate): must be in panel_event. */
const confirmedHttp: Array<{ panelId: string; eventId: string; code: Code; status: number; alarmId?: string }> = [];
/** DC-09 frames ACKed: (panel, code, zone, second) -> count; must be contained in panel_event. */
const confirmedDc09 = new Map<string, number>();
const dc09Key = (panelId: string, code: string, zone: string | null | undefined, second: number) => `${panelId}|${code}|${zone ?? ''}|${second}`;
let dc09MinSecond = Infinity;
let dc09MaxSecond = -Infinity;

let stopping = false;

// ---------------------------------------------------------------------------------------------
// HTTP panels.
// ---------------------------------------------------------------------------------------------

const agent = new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 });
let appPort = 0;

function postEvent(h: Household, body: object): Promise<{ status: number; text: string; retryAfter?: string } | Error> {
  const raw = JSON.stringify(body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = 'sha256=' + createHmac('sha256', h.secret).update(`${timestamp}.${raw}`).digest('hex');
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: appPort,
        method: 'POST',
        path: `/api/panels/${h.panelId}/events`,
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(raw),
          'x-keyholder-timestamp': timestamp,
          'x-keyholder-signature': signature,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, retryAfter: res.headers['retry-after'] as string | undefined }));
        res.on('error', (e) => resolve(e));
      },
    );
    req.setTimeout(HTTP_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('no answer within 15 s'), { code: 'TIMEOUT' })));
    req.on('error', (e) => resolve(e));
    req.end(raw);
  });
}

/** One attempt; true when the job is over (confirmed or refused for good), else the ms to wait before the next. */
async function httpAttempt(p: Panel, job: Job): Promise<true | number> {
  const r = await postEvent(p.h, { eventId: job.eventId, code: job.code, ...(job.zone ? { zone: job.zone } : {}), occurredAt: job.occurredAt });
  if (r instanceof Error) {
    count(tally.notYet, `HTTP ${(r as NodeJS.ErrnoException).code ?? r.message}`);
    return 500;
  }
  if (r.status === 202 || r.status === 200) {
    let alarmId: string | undefined;
    try {
      alarmId = (JSON.parse(r.text) as { alarmId?: string }).alarmId;
    } catch {
      /* not JSON: still a confirmation */
    }
    confirmedHttp.push({ panelId: p.h.panelId, eventId: job.eventId!, code: job.code, status: r.status, alarmId });
    if (r.status === 202) tally.http202++;
    else tally.http200dup++;
    return true;
  }
  if (r.status === 503 || r.status === 429 || r.status >= 500) {
    count(tally.notYet, `HTTP ${r.status}`);
    return Math.min(2000, Math.max(250, Number(r.retryAfter ?? 0.5) * 1000));
  }
  count(tally.refused, `HTTP ${r.status} ${r.text.slice(0, 120)}`);
  return true;
}

// ---------------------------------------------------------------------------------------------
// DC-09 panels: one kept-open connection each, one frame at a time.
// ---------------------------------------------------------------------------------------------

let dc09Port = 0;

function connect(p: Panel): Promise<net.Socket | Error> {
  return new Promise((resolve) => {
    const socket = net.connect({ port: dc09Port, host: '127.0.0.1', noDelay: true });
    const fail = (e: Error) => resolve(e);
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.off('error', fail);
      socket.on('error', () => undefined);
      p.splitter = new Dc09Splitter();
      socket.on('data', (chunk: Buffer) => {
        for (const item of p.splitter!.push(chunk)) {
          if (item.kind !== 'frame' || !p.pending) continue;
          const w = p.pending;
          p.pending = undefined;
          clearTimeout(w.timer);
          w.resolve(item.bytes);
        }
      });
      socket.on('close', () => {
        if (p.socket === socket) p.socket = undefined;
        const w = p.pending;
        p.pending = undefined;
        if (w) {
          clearTimeout(w.timer);
          w.resolve(new Error('connection closed'));
        }
      });
      resolve(socket);
    });
  });
}

async function dc09Send(p: Panel, bytes: Buffer): Promise<Buffer | Error> {
  if (!p.socket || p.socket.destroyed) {
    const s = await connect(p);
    if (s instanceof Error) return Object.assign(new Error(`connect ${(s as NodeJS.ErrnoException).code ?? s.message}`), {});
    p.socket = s;
  }
  const socket = p.socket;
  return new Promise((resolve) => {
    p.pending = {
      resolve,
      timer: setTimeout(() => {
        // No answer (the receiver stays silent when it could not commit): a late reply would be
        // taken for the next frame's, so this connection is done.
        p.pending = undefined;
        resolve(new Error('no reply within 10 s'));
        socket.destroy();
      }, DC09_REPLY_TIMEOUT_MS),
    };
    socket.write(bytes);
  });
}

function buildDc09(p: Panel, job: Job): NonNullable<Job['frame']> {
  p.seq = (p.seq % 9999) + 1;
  const sequence = String(p.seq).padStart(4, '0');
  const now = new Date();
  const account = p.h.dc09!.account;
  const what = job.code === 'NULL' ? '' : `${job.code}${job.zone}`;
  const bytes = buildFrame({
    id: job.code === 'NULL' ? 'NULL' : 'SIA-DCS',
    sequence,
    line: 'L0',
    account,
    data: what ? `#${account}|Nri1/${what}` : '',
    timestamp: now,
    key: p.h.dc09!.key,
  });
  return { bytes, sequence, second: Math.floor(now.getTime() / 1000), builtAt: nowAbs() };
}

async function dc09Attempt(p: Panel, job: Job): Promise<true | number> {
  if (!job.frame || (nowAbs() - job.frame.builtAt) / 1000 > DC09_FRAME_MAX_AGE_S) job.frame = buildDc09(p, job);
  const r = await dc09Send(p, job.frame.bytes);
  if (r instanceof Error) {
    count(tally.notYet, `DC-09 ${r.message}`);
    return 500;
  }
  const reply = parseReply(r, p.h.dc09!.key);
  if (!reply.ok) {
    count(tally.notYet, `DC-09 unreadable reply (${reply.reason})`);
    job.frame = undefined;
    return 500;
  }
  if (reply.kind === 'ACK' && reply.sequence === job.frame.sequence) {
    const k = dc09Key(p.h.panelId, job.code, job.zone, job.frame.second);
    confirmedDc09.set(k, (confirmedDc09.get(k) ?? 0) + 1);
    dc09MinSecond = Math.min(dc09MinSecond, job.frame.second);
    dc09MaxSecond = Math.max(dc09MaxSecond, job.frame.second);
    tally.acks++;
    return true;
  }
  count(tally.notYet, `DC-09 ${reply.kind}${reply.kind === 'ACK' ? ` for ${reply.sequence}, not ${job.frame.sequence}` : ''}`);
  job.frame = undefined; // a NAK (e.g. the timestamp): a new frame, with the time now
  return 500;
}

/** A panel works through its queue in order, one event at a time, retrying until confirmed. */
async function runPanel(p: Panel): Promise<void> {
  if (p.running) return;
  p.running = true;
  try {
    while (p.queue.length && !stopping) {
      const job = p.queue[0];
      job.attempts++;
      tally.attempts++;
      const r = p.kind === 'http' ? await httpAttempt(p, job) : await dc09Attempt(p, job);
      if (r === true) {
        p.queue.shift();
        tally.confirmMs.push(nowAbs() - job.createdAt);
      } else await sleep(r);
    }
  } finally {
    p.running = false;
  }
}

function newJob(p: Panel): Job {
  const alarm = loadRng() < ALARM_SHARE;
  const createdAt = nowAbs();
  const occurredAt = new Date().toISOString();
  p.events++;
  tally.generated++;
  if (!alarm) return { code: p.kind === 'http' ? 'RP' : 'NULL', eventId: `chaos-${p.index}-${p.events}`, createdAt, occurredAt, attempts: 0 };
  tally.generatedAlarms++;
  // A fresh zone: its own alarm (one open alarm per panel, zone and class).
  return { code: loadRng() < 0.2 ? 'FA' : 'BA', zone: String(++p.zones), eventId: `chaos-${p.index}-${p.events}`, createdAt, occurredAt, attempts: 0 };
}

async function load(panels: Panel[], seconds: number): Promise<void> {
  const start = performance.now();
  const until = start + seconds * 1000;
  let next = start;
  while (performance.now() < until) {
    const p = panels[Math.floor(loadRng() * panels.length)];
    p.queue.push(newJob(p));
    void runPanel(p);
    next += 1000 / RATE;
    const wait = next - performance.now();
    if (wait > 1) await sleep(wait);
  }
}

// ---------------------------------------------------------------------------------------------
// Faults.
// ---------------------------------------------------------------------------------------------

interface Fault {
  kind: string;
  at: number;
  seconds: number;
  detail: string;
}
const faults: Fault[] = [];
const surprises: string[] = [];

let dbDir = '';
let dbPort = 0;
let db: EmbeddedDatabase | undefined;
let bench: Bench;
let appExpectedDown = false;
let appRestarting: Promise<void> | undefined;

/** The postmaster (from postmaster.pid) and its children. */
function postgresPids(): number[] {
  let pm: number;
  try {
    pm = Number(readFileSync(path.join(dbDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return [];
  }
  if (!(pm > 0) || !alive(pm)) return [];
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ');
      if (Number(fields[1]) === pm) children.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return [pm, ...children];
}

/** Alive and not a zombie (killed children of the postmaster wait for a reaper that may be slow). */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0] !== 'Z';
  } catch {
    return false;
  }
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      /* gone */
    }
  }
}

async function startDatabase(): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      db = await startEmbeddedPostgres(dbDir, (line) => say(`  (embedded postgres) ${line}`), dbPort ? { port: dbPort } : {});
      return;
    } catch (e) {
      if (attempt >= 20) throw e;
      say(`  PostgreSQL did not start (${(e as Error).message.split('\n')[0]}); again in 1 s`);
      await sleep(1000);
    }
  }
}

/** Starts the app until it listens (it refuses to start while the database is away). */
async function startApp(): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      watchApp(await bench.startApp());
      return;
    } catch (e) {
      if (attempt >= 30) throw e;
      say(`  the app did not start (${(e as Error).message.split('\n').slice(0, 3).join(' | ')}); again in 2 s`);
      await sleep(2000);
    }
  }
}

/** An app that dies without being killed here is a finding: say so, and start it again. */
function watchApp(child: Bench['app']): void {
  child.once('exit', (code, sig) => {
    if (appExpectedDown || stopping) return;
    const what = `the app exited by itself at ${clock().toFixed(1)} s (code ${code}, signal ${sig})`;
    surprises.push(what);
    say(`!! ${what}; starting it again`);
    appRestarting = startApp().catch((e: Error) => say(`!! could not start the app again: ${e.message}`));
  });
}

async function fault(kind: string): Promise<void> {
  const at = clock();
  const started = nowAbs();
  let detail: string;
  switch (kind) {
    case 'app-kill': {
      const down = between(0, 3);
      appExpectedDown = true;
      await appRestarting;
      const pid = bench.app.pid;
      await bench.killApp('SIGKILL');
      say(`FAULT app-kill: SIGKILL app (pid ${pid}); starting it again in ${down.toFixed(1)} s`);
      await sleep(down * 1000);
      const before = nowAbs();
      await startApp();
      appExpectedDown = false;
      detail = `down ${down.toFixed(1)} s, then ${((nowAbs() - before) / 1000).toFixed(1)} s to listen (pid ${bench.app.pid})`;
      break;
    }
    case 'db-freeze': {
      const seconds = between(5, 20);
      const pids = postgresPids();
      signal(pids.slice(0, 1), 'SIGSTOP'); // the postmaster first: it forks no new backend meanwhile
      const all = [...new Set([...pids, ...postgresPids()])];
      signal(all.slice(1), 'SIGSTOP');
      say(`FAULT db-freeze: SIGSTOP ${all.length} PostgreSQL processes for ${seconds.toFixed(1)} s`);
      await sleep(seconds * 1000);
      const thaw = [...new Set([...all, ...postgresPids()])];
      signal(thaw.slice(1), 'SIGCONT');
      signal(thaw.slice(0, 1), 'SIGCONT');
      detail = `${all.length} processes stopped ${seconds.toFixed(1)} s`;
      break;
    }
    case 'db-kill': {
      const down = between(1, 5);
      const pids = postgresPids();
      signal(pids, 'SIGKILL');
      for (let i = 0; i < 100 && pids.some(running); i++) await sleep(50);
      say(`FAULT db-kill: SIGKILL ${pids.length} PostgreSQL processes; starting it again in ${down.toFixed(1)} s`);
      await sleep(down * 1000);
      const before = nowAbs();
      await startDatabase();
      detail = `${pids.length} processes killed, down ${down.toFixed(1)} s, then ${((nowAbs() - before) / 1000).toFixed(1)} s to start (crash recovery)`;
      break;
    }
    default: {
      const seconds = between(5, 20);
      const how = kind === 'twilio-500' ? 500 : kind === 'twilio-429' ? 429 : 'timeout';
      bench.fake.fail(how);
      say(`FAULT ${kind}: every provider call answered ${how === 'timeout' ? 'never' : how} for ${seconds.toFixed(1)} s`);
      await sleep(seconds * 1000);
      bench.fake.fail(null);
      detail = `${seconds.toFixed(1)} s`;
    }
  }
  const seconds = (nowAbs() - started) / 1000;
  faults.push({ kind, at, seconds, detail });
  say(`  ${kind} over after ${seconds.toFixed(1)} s (${detail})`);
}

const KINDS = ['app-kill', 'db-freeze', 'db-kill', 'twilio-500', 'twilio-429', 'twilio-hang'];

async function chaos(seconds: number): Promise<void> {
  const until = clock() + seconds;
  for (;;) {
    const gap = between(5, 15);
    if (clock() + gap >= until) return;
    await sleep(gap * 1000);
    await fault(KINDS[Math.floor(faultRng() * KINDS.length)]);
  }
}

// ---------------------------------------------------------------------------------------------
// The app's API (admin), for settings and timelines.
// ---------------------------------------------------------------------------------------------

let token = '';
async function api<T>(method: string, route: string, body?: object): Promise<{ status: number; body: T }> {
  const res = await fetch(`${bench.baseUrl}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

// ---------------------------------------------------------------------------------------------
// Checks.
// ---------------------------------------------------------------------------------------------

const q = (values: number[], p: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? (percentile(s, p) / 1000).toFixed(1) + ' s' : 'n/a';
};
const spread = (values: number[]) =>
  values.length ? `n=${values.length} p50 ${q(values, 50)}, p90 ${q(values, 90)}, p99 ${q(values, 99)}, max ${q(values, 100)}` : 'n=0';

interface AlarmRow {
  id: string;
  customer_id: string;
  panel_id: string;
  class: string;
  zone: string | null;
  stage: string;
  status: string;
  opened_at: Date;
  acknowledged_at: Date | null;
}
interface SmsRow {
  id: string;
  to_phone: string;
  body: string;
  purpose: string;
  alarm_id: string | null;
  contact_id: string | null;
  status: string;
  attempts: number;
  error_code: string | null;
  created_at: Date;
  sent_at: Date | null;
  provider_id: string | null;
}

async function printTimeline(alarmId: string): Promise<void> {
  try {
    const r = await api<{ stage: string; status: string; openedAt: string; timeline?: unknown[] }>('GET', `/api/alarms/${alarmId}`);
    if (r.status !== 200) return console.log(`      GET /api/alarms/${alarmId}: ${r.status}`);
    console.log(`      alarm ${alarmId}: stage ${r.body.stage}, status ${r.body.status}, opened ${r.body.openedAt}; timeline:`);
    for (const entry of r.body.timeline ?? []) console.log(`        ${JSON.stringify(entry).slice(0, 300)}`);
  } catch (e) {
    console.log(`      GET /api/alarms/${alarmId} failed: ${(e as Error).message}`);
  }
}

async function check(accepted: AcceptedSms[], panels: Panel[]): Promise<boolean> {
  const pool = bench.pool;
  let ok = true;
  const verdict = (good: boolean) => (good ? 'ok' : 'FAILED');

  // 1. Every 202/200 and every ACK is stored.
  const { rows: httpRows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM unnest($1::uuid[], $2::text[]) AS x(panel_id, event_id)
      WHERE NOT EXISTS (SELECT 1 FROM panel_event e WHERE e.panel_id = x.panel_id AND e.event_id = x.event_id)`,
    [confirmedHttp.map((c) => c.panelId), confirmedHttp.map((c) => c.eventId)],
  );
  const missingHttp = httpRows[0].n;
  let missingDc09 = 0;
  if (confirmedDc09.size) {
    const { rows } = await pool.query<{ panel_id: string; code: string; zone: string | null; s: string; n: number }>(
      `SELECT panel_id::text, code, zone, extract(epoch FROM occurred_at)::bigint AS s, count(*)::int AS n
         FROM panel_event WHERE panel_id = ANY($1::uuid[]) AND occurred_at BETWEEN to_timestamp($2) AND to_timestamp($3)
        GROUP BY 1, 2, 3, 4`,
      [panels.filter((p) => p.kind === 'dc09').map((p) => p.h.panelId), dc09MinSecond, dc09MaxSecond],
    );
    const stored = new Map(rows.map((r) => [dc09Key(r.panel_id, r.code, r.zone, Number(r.s)), r.n]));
    for (const [k, n] of confirmedDc09) missingDc09 += Math.max(0, n - (stored.get(k) ?? 0));
  }
  const { rows: eventCounts } = await pool.query<{ total: number; alarms: number; without: number }>(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE code IN ('BA', 'FA'))::int AS alarms,
            count(*) FILTER (WHERE code IN ('BA', 'FA') AND alarm_id IS NULL)::int AS without FROM panel_event`,
  );
  const unconfirmed = panels.reduce((n, p) => n + p.queue.length, 0);

  console.log(`\n=== Chaos report (seed ${SEED}, ${SECONDS} s of load at ${RATE} events/s, ${panels.length} panels) ===`);
  console.log(
    `events generated ${tally.generated} (${tally.generatedAlarms} alarms, ${tally.generated - tally.generatedAlarms} heartbeats); sent ${tally.attempts} times in all`,
  );
  console.log(
    `confirmed: HTTP 202 ${tally.http202} + 200 duplicate ${tally.http200dup}, DC-09 ACK ${tally.acks}; never confirmed (given up at the end) ${unconfirmed}; refused for good ${tally.refused.size ? JSON.stringify(Object.fromEntries(tally.refused)) : 'none'}`,
  );
  console.log(`not confirmed at an attempt (then retried): ${tally.notYet.size ? JSON.stringify(Object.fromEntries(tally.notYet)) : 'none'}`);
  console.log(`time from an event's creation to its confirmation (retries included): ${spread(tally.confirmMs)}`);
  console.log(`panel_event holds ${eventCounts[0].total} events, ${eventCounts[0].alarms} of them alarm events (${eventCounts[0].without} without an alarm)`);
  const storedOk = missingHttp === 0 && missingDc09 === 0;
  ok &&= storedOk;
  console.log(
    `[${verdict(storedOk)}] every 202/200 in panel_event: ${missingHttp} of ${confirmedHttp.length} missing; every ACK in panel_event: ${missingDc09} of ${tally.acks} missing`,
  );

  // 2. Alarms and who they reached.
  const { rows: alarms } = await pool.query<AlarmRow>(
    `SELECT id, customer_id, panel_id, class, zone, stage, status, opened_at, acknowledged_at FROM alarm ORDER BY opened_at`,
  );
  const { rows: sms } = await pool.query<SmsRow>(
    `SELECT id, to_phone, body, purpose, alarm_id, contact_id, status, attempts, error_code, created_at, sent_at, provider_id
       FROM sms_message WHERE direction = 'outbound'`,
  );
  const { rows: reasons } = await pool.query<{ reason: string; stage: string; n: number }>(
    `SELECT data->>'reason' AS reason, data->>'stage' AS stage, count(*)::int AS n FROM alarm_log WHERE kind = 'stage' GROUP BY 1, 2 ORDER BY 3 DESC`,
  );
  const byText = new Map<string, SmsRow[]>();
  for (const m of sms) {
    const k = `${m.to_phone}\u0000${m.body}`;
    byText.set(k, [...(byText.get(k) ?? []), m]);
  }
  const reached = new Map<string, { owner: number[]; contacts: number[] }>();
  let unmatched = 0;
  const perText = new Map<string, AcceptedSms[]>();
  for (const a of accepted) {
    const k = `${a.to}\u0000${a.body}`;
    perText.set(k, [...(perText.get(k) ?? []), a]);
    const rows = byText.get(k);
    if (!rows?.length) {
      unmatched++;
      continue;
    }
    for (const row of rows) {
      if (!row.alarm_id) continue;
      const r = reached.get(row.alarm_id) ?? { owner: [], contacts: [] };
      (row.purpose === 'alarm_owner' ? r.owner : r.contacts).push(a.at);
      reached.set(row.alarm_id, r);
    }
  }
  const stages = new Map<string, number>();
  for (const a of alarms) count(stages, `${a.class}/${a.stage}`);
  const nobody = alarms.filter((a) => !reached.has(a.id) && a.stage !== 'acknowledged' && a.status !== 'closed');
  const ownerFirst: number[] = [];
  const ownerStage: number[] = [];
  let ownerNotTexted = 0;
  for (const a of alarms) {
    const r = reached.get(a.id);
    const opened = a.opened_at.getTime();
    if (r?.owner.length) ownerFirst.push(Math.min(...r.owner) - opened);
    else ownerNotTexted++;
    if (r?.contacts.length) ownerStage.push(Math.min(...r.contacts) - opened);
  }
  const smsStatus = new Map<string, number>();
  for (const m of sms) count(smsStatus, `${m.purpose}/${m.status}`);
  console.log(`\nalarms opened: ${alarms.length} (${[...stages].map(([k, n]) => `${k} ${n}`).join(', ')})`);
  console.log(`stage changes: ${reasons.map((r) => `${r.stage} (${r.reason}) ${r.n}`).join(', ') || 'none'}`);
  console.log(
    `SMS rows: ${sms.length} (${[...smsStatus].map(([k, n]) => `${k} ${n}`).join(', ')}); accepted by the provider: ${accepted.length}${unmatched ? `, ${unmatched} of them matching no sms_message row` : ''}`,
  );
  console.log(`owner texted (accepted) for ${alarms.length - ownerNotTexted} alarms, not for ${ownerNotTexted}; a contact texted for ${ownerStage.length}`);
  console.log(`from the alarm opening to the owner's SMS at the provider: ${spread(ownerFirst)}`);
  console.log(`owner stage (from the alarm opening to the first contact SMS at the provider, owner not reached): ${spread(ownerStage)}`);
  const nobodyOk = nobody.length === 0;
  ok &&= nobodyOk;
  console.log(`[${verdict(nobodyOk)}] every alarm reached its owner or a contact (or was acknowledged/closed): ${nobody.length} reached nobody`);
  for (const a of nobody.slice(0, 5)) {
    const rows = sms.filter((m) => m.alarm_id === a.id);
    console.log(
      `    alarm ${a.id} (${a.class}, zone ${a.zone}, opened ${a.opened_at.toISOString()}, stage ${a.stage}): ${rows.length} SMS rows: ` +
        rows
          .map(
            (m) =>
              `${m.purpose} ${m.status} attempts ${m.attempts} error ${m.error_code ?? '-'} created ${m.created_at.toISOString()} sent ${m.sent_at?.toISOString() ?? '-'}`,
          )
          .join('; '),
    );
    await printTimeline(a.id);
  }

  // 3. Nobody got the same alarm SMS twice.
  const dupTexts = [...perText].filter(([, list]) => list.length > 1);
  const dupOk = dupTexts.length === 0;
  ok &&= dupOk;
  const dupPurposes = new Map<string, number>();
  for (const [k] of dupTexts) count(dupPurposes, byText.get(k)?.[0]?.purpose ?? 'no sms_message row');
  console.log(
    `[${verdict(dupOk)}] no one got the same SMS twice (alarm SMS and notices alike): ${dupTexts.length} texts accepted more than once (${dupTexts.reduce((n, [, l]) => n + l.length - 1, 0)} extra SMS)` +
      (dupPurposes.size ? ` by purpose: ${[...dupPurposes].map(([k, n]) => `${k} ${n}`).join(', ')}` : ''),
  );
  for (const [k, list] of dupTexts.slice(0, 5)) {
    const [to, body] = k.split('\u0000');
    const rows = byText.get(k) ?? [];
    const at = list.map((a) => `${((a.at - t0) / 1000).toFixed(1)} s`).join(', ');
    console.log(
      `    to ${to}, accepted at ${at}, ${rows.length} sms_message row(s): ${rows.map((m) => `${m.id} ${m.purpose} ${m.status} attempts ${m.attempts} error ${m.error_code ?? '-'} provider ${m.provider_id ?? '-'}`).join('; ')}`,
    );
    console.log(`      "${body}"`);
    const alarmId = rows.find((m) => m.alarm_id)?.alarm_id;
    if (alarmId) await printTimeline(alarmId);
  }
  // ... nor two alarm SMS for one alarm (a step run twice would give a new reply code: another text).
  const perPersonAlarm = new Map<string, number>();
  for (const [k, list] of perText) {
    for (const row of byText.get(k) ?? [])
      if (row.alarm_id) perPersonAlarm.set(`${row.alarm_id}|${row.to_phone}`, (perPersonAlarm.get(`${row.alarm_id}|${row.to_phone}`) ?? 0) + list.length);
  }
  const twice = [...perPersonAlarm].filter(([, n]) => n > 1);
  const twiceOk = twice.length === 0;
  ok &&= twiceOk;
  console.log(`[${verdict(twiceOk)}] no one got two SMS for the same alarm: ${twice.length} (alarm, person) pairs texted more than once`);
  for (const [k, n] of twice.slice(0, 5)) {
    const [alarmId, to] = k.split('|');
    console.log(
      `    alarm ${alarmId}, ${to}: ${n} SMS: ${sms
        .filter((m) => m.alarm_id === alarmId && m.to_phone === to)
        .map((m) => `${m.purpose} ${m.status} attempts ${m.attempts} "${m.body}"`)
        .join('; ')}`,
    );
  }

  // 4. The faults.
  console.log(`\nfaults injected (${faults.length}):`);
  for (const f of faults) console.log(`  ${f.at.toFixed(1).padStart(6)} s  ${f.kind.padEnd(12)} ${f.seconds.toFixed(1).padStart(5)} s  ${f.detail}`);
  if (surprises.length) console.log(`not injected, yet happened: ${surprises.join('; ')}`);
  if (unconfirmed)
    console.log(`note: ${unconfirmed} events were never confirmed by the end (panels gave up): not an invariant, a 202/ACK was never given for them`);
  console.log(`\nresult: ${ok ? 'every invariant held' : 'AN INVARIANT FAILED'} (seed ${SEED}; run again with seed=${SEED})`);
  return ok;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  dbDir = await fs.mkdtemp(path.join(os.tmpdir(), 'keyholder-chaos-db-'));
  await fs.chmod(dbDir, 0o755);
  await startDatabase();
  dbPort = Number(new URL(db!.url).port);
  process.env.DATABASE_URL = db!.url;
  dc09Port = await freePort();
  const accepted: AcceptedSms[] = [];
  bench = await startBench(
    'chaos',
    { SMS_HANDOVER_TIMEOUT_SECONDS: String(HANDOVER_SECONDS), DC09_PORT: String(dc09Port), LOG_LEVEL: 'error' },
    { fullTwilio: true, appStderr: (text) => process.env.CHAOS_APP_LOG === '1' && process.stderr.write(text) },
  );
  bench.fake.onMessage = (m) => accepted.push(m);
  // The database goes away under the pool: its idle clients' errors must not end this process.
  bench.pool.on('error', () => undefined);
  appPort = Number(new URL(bench.baseUrl).port);
  watchApp(bench.app);
  let ok: boolean;
  const panels: Panel[] = [];
  try {
    say(
      `chaos: seed ${SEED}, ${SECONDS} s, ${RATE} events/s (${ALARM_SHARE * 100}% alarms), ${HTTP_HOUSEHOLDS} HTTP + ${DC09_HOUSEHOLDS} DC-09 households with 2 contacts each; node ${process.version}, PostgreSQL ${bench.pgVersion}, ${os.cpus().length} CPUs`,
    );
    say(
      `app ${bench.baseUrl} (DC-09 on ${dc09Port}), PostgreSQL on ${dbPort} in ${dbDir}, escalation waits ${WAIT_SECONDS} s, SMS_HANDOVER_TIMEOUT_SECONDS ${HANDOVER_SECONDS}`,
    );
    const httpHouseholds = await bench.seed(HTTP_HOUSEHOLDS, 2);
    const dc09Households = await bench.seedDc09(DC09_HOUSEHOLDS, 2, HTTP_HOUSEHOLDS);
    for (const [i, h] of [...httpHouseholds, ...dc09Households].entries())
      panels.push({ index: i, h, kind: h.dc09 ? 'dc09' : 'http', queue: [], running: false, zones: 0, events: 0, seq: 0 });
    const login = await api<{ accessToken: string }>('POST', '/api/auth/login', { email: 'admin@localhost', password: 'bench-password-123' });
    if (login.status !== 200) throw new Error(`login: ${login.status}`);
    token = login.body.accessToken;
    for (const cls of ['burglary', 'fire']) {
      const r = await api('PUT', `/api/settings/escalation/${cls}`, { ownerWaitSeconds: WAIT_SECONDS, contactWaitSeconds: WAIT_SECONDS });
      if (r.status !== 200) throw new Error(`PUT /api/settings/escalation/${cls}: ${r.status} ${JSON.stringify(r.body)}`);
    }

    say(`load and faults for ${SECONDS} s`);
    const loading = load(panels, SECONDS);
    const faulting = chaos(SECONDS);
    const progress = setInterval(() => {
      const queued = panels.reduce((n, p) => n + p.queue.length, 0);
      say(
        `  ${tally.generated} events, ${tally.http202 + tally.http200dup} 202/200, ${tally.acks} ACKs, ${queued} waiting at panels, ${accepted.length} SMS accepted`,
      );
    }, 10_000);
    await loading;
    say('load over; waiting for the fault in progress');
    await faulting;
    bench.fake.fail(null);
    await appRestarting;
    say('faults over; panels finish what they hold');
    const drainUntil = performance.now() + DRAIN_SECONDS * 1000;
    while (panels.some((p) => p.queue.length) && performance.now() < drainUntil) await sleep(500);
    clearInterval(progress);
    say(`settling: waiting (up to ${SETTLE_SECONDS} s) until no alarm is in stage owner/contacts and no SMS is queued or sending`);
    const settleUntil = performance.now() + SETTLE_SECONDS * 1000;
    let last = '';
    for (;;) {
      try {
        const { rows } = await bench.pool.query<{ escalating: number; unsent: number }>(
          `SELECT (SELECT count(*) FROM alarm WHERE status = 'open' AND stage IN ('owner', 'contacts'))::int AS escalating,
                  (SELECT count(*) FROM sms_message WHERE direction = 'outbound' AND status IN ('queued', 'sending'))::int AS unsent`,
        );
        last = `${rows[0].escalating} alarms escalating, ${rows[0].unsent} SMS queued or sending`;
        if (rows[0].escalating === 0 && rows[0].unsent === 0) break;
      } catch (e) {
        last = `database: ${(e as Error).message}`;
      }
      if (performance.now() > settleUntil) {
        say(`  not settled: ${last}`);
        break;
      }
      await sleep(2000);
    }
    say(`settled (${last})`);
    await sleep(1000); // the fake's last reports
    stopping = true;
    ok = await check(accepted, panels);
  } finally {
    stopping = true;
    for (const p of panels) p.socket?.destroy();
    agent.destroy();
    appExpectedDown = true;
    await bench.stop();
    await db?.stop();
    await fs.rm(dbDir, { recursive: true, force: true });
  }
  process.exit(ok ? 0 : 1);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

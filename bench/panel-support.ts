// What the panel benchmarks share (bench/panel-ingest.ts, panel-first-sms.ts, panel-storm.ts):
// - a throw-away embedded PostgreSQL (or DATABASE_URL, a scratch database);
// - the real app (src/main.ts, via bench/panel-app.ts) in a child process: its own event loop, so
//   the load generator in this process does not share it, and its own /proc figures (peak RSS);
// - the fake Twilio API on a worker thread (bench/fake-twilio-worker.ts);
// - households seeded with bulk SQL (customer, contacts, panel with its encrypted secret);
// - signed panel events over keep-alive HTTP connections (docs/api-contract.md#panel-events).
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { FieldCipher } from '../src/common/field-cipher.js';
import type { AppConfig } from '../src/config/app-config.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/database/embedded-postgres.js';

/** Absolute time in ms with sub-ms resolution, comparable between this process's threads. */
export const nowAbs = () => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function describe(label: string, values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  const f = (v: number) => `${v.toFixed(1)} ms`;
  return `${label}: n=${s.length} p50 ${f(percentile(s, 50))}, p90 ${f(percentile(s, 90))}, p99 ${f(percentile(s, 99))}, max ${f(s[s.length - 1])}`;
}

export const loadavg = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

export interface Household {
  customerId: string;
  panelId: string;
  secret: string;
  ownerPhone: string;
  contactPhones: string[];
  /** A DC-09 panel (Bench.seedDc09): its account and AES-256 key; the panel's `secret` is the key as upper-case hex. */
  dc09?: { account: string; key: Buffer };
}

/** A message the fake Twilio API accepted (FakeTwilioThread with `full`). */
export interface AcceptedSms {
  to: string;
  body: string;
  sid: string;
  /** nowAbs() time it was accepted. */
  at: number;
}

/**
 * The fake Twilio API on its own thread; `onSms(to, at)` for every accepted message. With `full`
 * (bench:chaos), `onMessage` gets each accepted message whole and `fail(kind)` makes every request
 * fail that way until `fail(null)`.
 */
export class FakeTwilioThread {
  private readonly worker: Worker;
  readonly ready: Promise<{ url: string; accountSid: string; authToken: string }>;
  onSms?: (to: string, at: number) => void;
  onMessage?: (m: AcceptedSms) => void;
  accepted = 0;

  constructor(options: { full?: boolean } = {}) {
    this.worker = new Worker(new URL('./fake-twilio-worker.js', import.meta.url), { workerData: { report: 'to', full: options.full === true } });
    this.ready = new Promise((resolve) => {
      this.worker.on(
        'message',
        (m: { ready?: { url: string; accountSid: string; authToken: string }; accepted?: Array<[string, number]>; messages?: AcceptedSms[] }) => {
          if (m.ready) resolve(m.ready);
          for (const [to, at] of m.accepted ?? []) {
            this.accepted++;
            this.onSms?.(to, at);
          }
          for (const message of m.messages ?? []) this.onMessage?.(message);
        },
      );
    });
  }

  /** Every request fails this way (429, 500, 'timeout': never answered, 'reset') until fail(null). */
  fail(kind: 429 | 500 | 'timeout' | 'reset' | null): void {
    this.worker.postMessage({ fail: kind });
  }

  async stop(): Promise<void> {
    this.worker.postMessage({ stop: true });
    await new Promise((r) => this.worker.once('exit', r));
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** VmRSS and VmHWM (peak) of a process, in MB. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

export interface Bench {
  /** Where the app listens. */
  baseUrl: string;
  pool: pg.Pool;
  fake: FakeTwilioThread;
  app: ChildProcess;
  pgVersion: string;
  /** The PostgreSQL server's process id (0 when DATABASE_URL points elsewhere). */
  postmaster: number;
  /** `numberFrom`: the first household's number (phones, addresses), to seed again without sharing phone numbers. */
  seed(count: number, contactsEach: number, numberFrom?: number): Promise<Household[]>;
  /**
   * As seed, but the panels report over SIA DC-09 (protocol 'dc09', encryption required, a random
   * AES-256 key each, accounts `<prefix><6 digits>`, unique in one bench database).
   */
  seedDc09(count: number, contactsEach: number, numberFrom?: number): Promise<Household[]>;
  /** Kills the app (SIGKILL unless told) and waits until it is gone. */
  killApp(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the app again, same environment and ports, once it is gone; `app` is then the new process. */
  startApp(): Promise<ChildProcess>;
  stop(): Promise<void>;
}

export interface BenchOptions {
  /** The fake Twilio thread reports messages whole and takes fault orders (FakeTwilioThread `full`). */
  fullTwilio?: boolean;
  /** The app's stderr after it listens (crash reports), each chunk as it comes. */
  appStderr?: (text: string) => void;
}

/** Starts the database, the fake Twilio API and the app (child process); `env` adds to the app's environment. */
export async function startBench(name: string, env: Record<string, string> = {}, options: BenchOptions = {}): Promise<Bench> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `keyholder-bench-${name}-`));
  await fs.chmod(dir, 0o755);
  let embedded: EmbeddedDatabase | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    // BENCH_PG_STATS=1: PostgreSQL counts time per statement (pg_stat_statements), printed at the end.
    embedded = await startEmbeddedPostgres(dir, undefined, {
      flags: PG_STATS ? ['-c', 'shared_preload_libraries=pg_stat_statements', '-c', 'pg_stat_statements.track_planning=on'] : [],
    });
    url = embedded.url;
  }
  const fake = new FakeTwilioThread({ full: options.fullTwilio });
  const twilio = await fake.ready;
  const port = await freePort();
  const key = randomBytes(32);
  // The app's node flags as `npm start` and the Docker image give them (the heap cap); APP_NODE_ARGS
  // adds to them (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the app alone).
  const nodeArgs = ['--max-old-space-size=192', ...(process.env.APP_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const launch = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, [...nodeArgs, new URL('./panel-app.js', import.meta.url).pathname], {
      env: {
        ...process.env,
        ...{
          DATABASE_URL: url,
          DATA_DIR: dir,
          PORT: String(port),
          PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
          LOG_LEVEL: 'silent',
          ADMIN_PASSWORD: 'bench-password-123',
          ENCRYPTION_KEY: key.toString('hex'),
          TWILIO_ACCOUNT_SID: twilio.accountSid,
          TWILIO_AUTH_TOKEN: twilio.authToken,
          TWILIO_FROM: '+46700000001',
          TWILIO_API_URL: twilio.url,
          // Not what a real sender takes; here the provider is not what is measured.
          SMS_RATE_PER_SECOND: '100000',
          // Any free port; /health says which.
          DC09_PORT: '0',
        },
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      let text = '';
      const onData = (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('listening on')) {
          child.stderr!.off('data', onData);
          // Keep draining (a full pipe would block the app).
          child.stderr!.on('data', (c: Buffer) => options.appStderr?.(c.toString()));
          resolve();
        }
      };
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`the app exited (${code}) before listening:\n${text}`)));
    });
    return child;
  };
  let app: ChildProcess;
  try {
    app = await launch();
  } catch (e) {
    await fake.stop();
    await embedded?.stop();
    await fs.rm(dir, { recursive: true, force: true });
    throw e;
  }
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const [{ server_version: pgVersion }] = (await pool.query('SHOW server_version')).rows;
  if (PG_STATS && embedded) await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const cipher = new FieldCipher({ encryptionKey: key, dataDir: dir } as AppConfig);

  const bench: Bench = {
    baseUrl: `http://127.0.0.1:${port}`,
    pool,
    fake,
    app,
    pgVersion,
    postmaster: embedded ? Number(readFileSync(path.join(dir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]) : 0,
    seed: (count, contactsEach, numberFrom = 0) => seedHouseholds(pool, cipher, count, contactsEach, undefined, numberFrom),
    seedDc09: (count, contactsEach, numberFrom = 0) =>
      seedHouseholds(pool, cipher, count, contactsEach, randomBytes(2).toString('hex').toUpperCase(), numberFrom),
    async killApp(signal = 'SIGKILL') {
      const child = bench.app;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await gone;
    },
    async startApp() {
      if (bench.app.exitCode === null && bench.app.signalCode === null) throw new Error('the app is still running');
      bench.app = await launch();
      return bench.app;
    },
    async stop() {
      if (PG_STATS && embedded) await printStatementStats(pool).catch((e: Error) => console.log(`(no statement figures: ${e.message})`));
      const app = bench.app;
      if (app.exitCode === null && app.signalCode === null) {
        app.kill('SIGTERM');
        await new Promise((r) => app.once('exit', r));
      }
      await fake.stop();
      await pool.end();
      await embedded?.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
  return bench;
}

const PG_STATS = process.env.BENCH_PG_STATS === '1';

/** Where PostgreSQL spent its time (BENCH_PG_STATS=1): the statements with the most total time. */
async function printStatementStats(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ calls: string; total_ms: number; mean_ms: number; share: number; query: string }>(
    `SELECT calls, total_exec_time + total_plan_time AS total_ms, (total_exec_time + total_plan_time) / NULLIF(calls, 0) AS mean_ms,
            100 * (total_exec_time + total_plan_time) / NULLIF(sum(total_exec_time + total_plan_time) OVER (), 0) AS share, query
       FROM pg_stat_statements WHERE calls > 0 ORDER BY total_ms DESC LIMIT 20`,
  );
  console.log('\nPostgreSQL time by statement (pg_stat_statements; planning + execution):');
  for (const r of rows) {
    console.log(
      `  ${Number(r.share ?? 0)
        .toFixed(1)
        .padStart(5)}%  ${String(r.calls).padStart(7)} calls  ${Number(r.mean_ms ?? 0).toFixed(3)} ms each  ${r.query.replace(/\s+/g, ' ').slice(0, 150)}`,
    );
  }
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
export const ownerPhone = (i: number) => `+46701${pad(i, 6)}`;
export const contactPhone = (i: number, k: number) => `+4670${2 + k}${pad(i, 6)}`;

/**
 * `count` customers, each with `contactsEach` contacts and one panel, with bulk SQL (unnest of
 * arrays, 2,000 households a statement). The panel secret is encrypted the way PanelsService does it.
 * With `dc09Prefix` the panels are DC-09 panels (accounts `<prefix><6 digits>`, an AES-256 key each).
 */
async function seedHouseholds(
  pool: pg.Pool,
  cipher: FieldCipher,
  count: number,
  contactsEach: number,
  dc09Prefix?: string,
  numberFrom = 0,
): Promise<Household[]> {
  const households: Household[] = [];
  const started = performance.now();
  const CHUNK = 2000;
  for (let from = 0; from < count; from += CHUNK) {
    const chunk: Household[] = [];
    const secrets: Buffer[] = [];
    for (let i = from; i < Math.min(count, from + CHUNK); i++) {
      const key = dc09Prefix ? randomBytes(32) : undefined;
      const h: Household = {
        customerId: randomUUID(),
        panelId: randomUUID(),
        // A DC-09 panel's secret is its AES key as PanelsService keeps it: upper-case hex.
        secret: key ? key.toString('hex').toUpperCase() : randomBytes(32).toString('base64url'),
        ownerPhone: ownerPhone(numberFrom + i),
        contactPhones: Array.from({ length: contactsEach }, (_, k) => contactPhone(numberFrom + i, k)),
        ...(key ? { dc09: { account: `${dc09Prefix}${pad(i, 6)}`, key } } : {}),
      };
      chunk.push(h);
      secrets.push(cipher.encrypt(h.secret, `panel.secret:${h.panelId}`));
    }
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO customer (id, name, phone, language, alarm_address)
         SELECT id, 'Bench customer ' || (n + $3::int), phone, 'sv', jsonb_build_object('street', 'Storgatan ' || (n + $3::int), 'postalCode', '11122', 'city', 'Stockholm', 'country', 'SE')
           FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS x(id, phone, n)`,
        [chunk.map((h) => h.customerId), chunk.map((h) => h.ownerPhone), numberFrom + from],
      );
      for (let k = 0; k < contactsEach; k++) {
        await client.query(
          `INSERT INTO contact (customer_id, name, phone, priority)
           SELECT customer_id, 'Bench contact ' || ($3::int + 1), phone, $3::int + 1 FROM unnest($1::uuid[], $2::text[]) AS x(customer_id, phone)`,
          [chunk.map((h) => h.customerId), chunk.map((h) => h.contactPhones[k]), k],
        );
      }
      if (dc09Prefix) {
        await client.query(
          `INSERT INTO panel (id, customer_id, label, secret_encrypted, protocol, dc09_account, dc09_encryption)
           SELECT id, customer_id, 'bench dc09', secret, 'dc09', account, 'required'
             FROM unnest($1::uuid[], $2::uuid[], $3::bytea[], $4::text[]) AS x(id, customer_id, secret, account)`,
          [chunk.map((h) => h.panelId), chunk.map((h) => h.customerId), secrets, chunk.map((h) => h.dc09!.account)],
        );
      } else {
        await client.query(
          `INSERT INTO panel (id, customer_id, label, secret_encrypted)
           SELECT id, customer_id, 'bench', secret FROM unnest($1::uuid[], $2::uuid[], $3::bytea[]) AS x(id, customer_id, secret)`,
          [chunk.map((h) => h.panelId), chunk.map((h) => h.customerId), secrets],
        );
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
    households.push(...chunk);
    console.log(
      `  seeded ${households.length}/${count} households (customer, ${contactsEach} contact(s), ${dc09Prefix ? 'DC-09 ' : ''}panel) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  await pool.query('ANALYZE customer; ANALYZE contact; ANALYZE panel');
  return households;
}

export interface PanelEvent {
  eventId: string;
  code: string;
  zone?: string;
}

export interface PostResult {
  status: number;
  body: string;
  /** The Retry-After header of a 429 or 503, in seconds. */
  retryAfter?: string;
  /** Absolute times (nowAbs) the request was started and its answer fully read. */
  sentAt: number;
  doneAt: number;
}

/** Signs and posts panel events over keep-alive connections (at most `connections` at once). */
export class PanelClient {
  readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string, connections: number) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  }

  post(h: Household, event: PanelEvent): Promise<PostResult> {
    const raw = JSON.stringify({ ...event, occurredAt: new Date().toISOString() });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = 'sha256=' + createHmac('sha256', h.secret).update(`${timestamp}.${raw}`).digest('hex');
    const sentAt = nowAbs();
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.host,
          port: this.port,
          method: 'POST',
          path: `/api/panels/${h.panelId}/events`,
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(raw),
            'x-keyholder-timestamp': timestamp,
            'x-keyholder-signature': signature,
          },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, sentAt, doneAt: nowAbs(), retryAfter: res.headers['retry-after'] }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(raw);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** CPU time (user + system) a process has used so far, in ms (/proc/<pid>/stat, clock ticks of 10 ms). */
export function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU time used by one PostgreSQL server (the postmaster and its children: backends, WAL writer...), in ms. */
export function postgresCpuMs(postmaster: number): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.split(') ')[1].split(' ');
      if (Number(entry) !== postmaster && Number(fields[1]) !== postmaster) continue;
      total += (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      /* gone meanwhile */
    }
  }
  return total;
}

/** Samples the app's RSS every 100 ms; `stop()` returns the highest sample (MB). */
export function sampleRss(pid: number): { stop(): number } {
  let max = 0;
  const timer = setInterval(() => {
    try {
      max = Math.max(max, memoryOf(pid).rssMb);
    } catch {
      /* the app is gone */
    }
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return max;
    },
  };
}

/**
 * bench:ingest's load (the issue's mix): a share `alarmShare` of burglary alarms on zones 1-8, the
 * rest as 7 : 1 : 1 heartbeats, arms and disarms.
 */
export function ingestEvent(label: string, seq: number, alarmShare: number): PanelEvent {
  const eventId = `${label}-${seq}`;
  const r = Math.random();
  if (r < alarmShare) return { eventId, code: 'BA', zone: String(1 + Math.floor(Math.random() * 8)) };
  const q = (r - alarmShare) / (1 - alarmShare);
  if (q < 7 / 9) return { eventId, code: 'RP' };
  if (q < 8 / 9) return { eventId, code: 'CL', zone: '0' };
  return { eventId, code: 'OP', zone: '0' };
}

/**
 * Closed loop: `connections` workers, each calling `once` again as soon as its last call is over,
 * for `seconds`. Returns the seconds it took.
 */
export async function closedLoop(connections: number, seconds: number, once: () => Promise<void>): Promise<number> {
  const start = performance.now();
  const until = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) await once();
    }),
  );
  return (performance.now() - start) / 1000;
}

/** bench:ingest's load over `connections` keep-alive connections (closedLoop). */
async function ingestLoad(label: string, connections: number, seconds: number, households: Household[], baseUrl: string, alarmShare: number) {
  const client = new PanelClient(baseUrl, connections);
  const latencies: number[] = [];
  const accepted: string[] = [];
  const failures = new Map<string, number>();
  let seq = 0;
  const elapsed = await closedLoop(connections, seconds, async () => {
    const h = households[Math.floor(Math.random() * households.length)];
    const event = ingestEvent(label, seq++, alarmShare);
    try {
      const r = await client.post(h, event);
      if (r.status === 202) {
        latencies.push(r.doneAt - r.sentAt);
        accepted.push(`${h.panelId}/${event.eventId}`);
      } else failures.set(String(r.status), (failures.get(String(r.status)) ?? 0) + 1);
    } catch (e) {
      failures.set((e as Error).message, (failures.get((e as Error).message) ?? 0) + 1);
    }
  });
  client.close();
  return { latencies, accepted, failures, elapsed };
}

/** What measureIngest measured at one concurrency (CPU in µs per accepted event). */
export interface IngestFigures {
  connections: number;
  eventsPerSecond: number;
  accepted: number;
  elapsed: number;
  /** 202 latencies, ms. */
  latencies: number[];
  cpuUs: { server: number; postgres: number; self: number };
  failures: number;
  missing: number;
}

/**
 * bench:ingest's measurement, shared with bench:floor (and bench:dc09): a 3 s warm-up at 50
 * connections (JIT, pools, caches; not counted), then `seconds` at 50 and at 200 connections (or at
 * `connections`) against `baseUrl`. Prints the events/s, the latency of the 202, CPU per event of
 * `server` (and of `idle`, in all), PostgreSQL and this process, checks that every 202 is a row in
 * panel_event, and returns the figures.
 */
export async function measureIngest(
  bench: Bench,
  baseUrl: string,
  households: Household[],
  o: {
    seconds: number;
    alarmShare: number;
    server: { name: string; pid: number };
    idle?: { name: string; pid: number };
    self: string;
    connections?: number[];
    /** Distinguishes the event ids of several measurements against one database (default ''). */
    label?: string;
  },
): Promise<IngestFigures[]> {
  const figures: IngestFigures[] = [];
  await ingestLoad(`${o.label ?? ''}warm`, 50, 3, households, baseUrl, o.alarmShare);
  for (const connections of o.connections ?? [50, 200]) {
    const label = `${o.label ?? ''}c${connections}`;
    const before = loadavg();
    const cpu = { server: cpuMsOf(o.server.pid), idle: o.idle ? cpuMsOf(o.idle.pid) : 0, pg: postgresCpuMs(bench.postmaster), self: process.cpuUsage() };
    const r = await ingestLoad(label, connections, o.seconds, households, baseUrl, o.alarmShare);
    const selfCpu = process.cpuUsage(cpu.self);
    const per = (ms: number) => ((ms * 1000) / r.accepted.length).toFixed(0);
    const idle = o.idle ? ` (${o.idle.name}: ${cpuMsOf(o.idle.pid) - cpu.idle} ms in all)` : '';
    const serverMs = cpuMsOf(o.server.pid) - cpu.server;
    const pgMs = postgresCpuMs(bench.postmaster) - cpu.pg;
    const cpuLine =
      `CPU per event: ${o.server.name} ${per(serverMs)} µs, PostgreSQL ${per(pgMs)} µs, ` +
      `${o.self} ${per((selfCpu.user + selfCpu.system) / 1000)} µs${idle}`;
    const { rows } = await bench.pool.query<{ k: string }>(`SELECT panel_id || '/' || event_id AS k FROM panel_event WHERE event_id LIKE $1`, [`${label}-%`]);
    const stored = new Set(rows.map((x) => x.k));
    const missing = r.accepted.filter((k) => !stored.has(k)).length;
    const total = r.accepted.length + [...r.failures.values()].reduce((a, b) => a + b, 0);
    console.log(
      `\n${connections} connections: ${Math.round(r.accepted.length / r.elapsed)} events/s accepted (${r.accepted.length} x 202 in ${r.elapsed.toFixed(1)} s; ${total} sent), load average before ${before}, after ${loadavg()}`,
    );
    console.log(`   ${describe('202 latency', r.latencies)}`);
    console.log(`   ${cpuLine}`);
    console.log(
      `   not 202: ${r.failures.size ? JSON.stringify(Object.fromEntries(r.failures)) : 'none'}; every 202 in panel_event: ${missing === 0 ? 'yes' : `NO, ${missing} missing`}`,
    );
    const us = (ms: number) => (ms * 1000) / r.accepted.length;
    figures.push({
      connections,
      eventsPerSecond: r.accepted.length / r.elapsed,
      accepted: r.accepted.length,
      elapsed: r.elapsed,
      latencies: r.latencies,
      cpuUs: { server: us(serverMs), postgres: us(pgMs), self: us((selfCpu.user + selfCpu.system) / 1000) },
      failures: total - r.accepted.length,
      missing,
    });
  }
  return figures;
}

/**
 * An operator at the dashboard during a benchmark: logs in (an operator account made with the
 * bench's admin), then reads the alarm queue (GET /api/alarms?status=open, what the dashboard
 * fetches) every `everyMs`, one request at a time, and keeps when each was asked and how long it
 * took. `stop()` returns them. The question it answers: does the screen still answer while panels flood the app?
 */
export async function startOperatorProbe(
  baseUrl: string,
  everyMs = 500,
): Promise<{ stop(): Promise<{ samples: Array<{ at: number; ms: number }>; failures: number }> }> {
  const json = async (path: string, body: unknown, token?: string) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { accessToken: string };
  };
  const admin = await json('/api/auth/login', { email: 'admin@localhost', password: 'bench-password-123' });
  const operator = { email: `probe-${randomUUID().slice(0, 8)}@bench.example`, name: 'Bench Operator', role: 'operator', password: 'bench-operator-123' };
  await json('/api/operators', operator, admin.accessToken);
  const { accessToken } = await json('/api/auth/login', { email: operator.email, password: operator.password });
  const samples: Array<{ at: number; ms: number }> = [];
  let failures = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const started = nowAbs();
      try {
        const res = await fetch(`${baseUrl}/api/alarms?status=open`, { headers: { authorization: `Bearer ${accessToken}` } });
        await res.arrayBuffer();
        if (res.status === 200) samples.push({ at: started, ms: nowAbs() - started });
        else failures++;
      } catch {
        failures++;
      }
      await sleep(Math.max(0, everyMs - (nowAbs() - started)));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { samples, failures };
    },
  };
}

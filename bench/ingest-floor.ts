// The floor under panel event ingest: the best this machine gives for bench:ingest's load
// without the app's framework. A bare node:http server (this file with --server, in a child process
// of its own) does only what every accepted event cannot do without: reads the body (64 KiB limit),
// checks the signature as PanelSignatureGuard does (timestamp within 300 s, "sha256=" + hex
// HMAC-SHA256 over `<timestamp>.<raw body>` with the panel's secret, timingSafeEqual; secrets in a
// Map loaded at start), parses the JSON, and stores the event with group commit as PanelSignalBatch
// does (up to 4 statements in flight, each taking everything queued, at most 500 rows; one prepared
// statement per batch marks the panels seen and inserts into panel_event, ON CONFLICT DO NOTHING,
// on a pg.Pool of 8). The 202 goes out after that statement committed. No NestJS/Express, no
// validation pipes, no request logging, no processing log, no alarm handling (a BA is stored like
// any other event): whatever bench:ingest measures, the app cannot beat this figure here.
//
// The load is bench:ingest's: same mix (70% heartbeats, 10% arm, 10% disarm, 10% burglary),
// closed loop at 50 and then 200 keep-alive connections, warm-up 3 s at 50, same report. The bench
// environment is startBench's (embedded PostgreSQL, migrated by the real app, which stays idle),
// the load generator on this thread: all on this machine, as for bench:ingest.
//
// A third run (warm-up 2 s, then 50 connections) drives the real app with `GET /api/no-such-route`,
// a 404 through its whole NestJS + Express stack (body parsers, cookie parser, pino-http, metrics, the
// global exception filter) with no database work: the stack is fixed by the project brief, so the
// app's CPU per request here is the lower bound of bench:ingest's app CPU per event.
//
//   npm run bench:floor [-- seconds=15 panels=2000 alarmShare=0.1]
//   (= npx tsc -p bench/tsconfig.json && node dist/bench/bench/ingest-floor.js [seconds] [panels] [alarmShare])
import { fork, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { closedLoop, cpuMsOf, describe, loadavg, measureIngest, startBench, type Household } from './panel-support.js';

// ---------------------------------------------------------------------------------------------
// The floor server (child process: `ingest-floor.js --server`, configured over IPC).
// ---------------------------------------------------------------------------------------------

interface ServerConfig {
  url: string;
  /** [panelId, secret] */
  panels: Array<[string, string]>;
}

const MAX_BODY = 64 * 1024;
const MAX_CLOCK_SKEW_SECONDS = 300;
const MAX_IN_FLIGHT = 4;
const MAX_BATCH = 500;
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;
const TIMESTAMP = /^\d{1,12}$/;
const PATH = /^\/api\/panels\/([^/?]+)\/events$/;

const CLASSES: Record<string, [string, string | null]> = {
  BA: ['burglary', null],
  RP: ['test', null],
  CL: ['arming', 'arm'],
  OP: ['arming', 'disarm'],
};

interface Pending {
  panelId: string;
  eventId: string;
  code: string;
  cls: string;
  arming: string | null;
  zone: string | null;
  user: string | null;
  method: string | null;
  text: string | null;
  occurredAt: string;
  receivedAt: string;
  done: (storedId: string | null | Error) => void;
}

// Same shape as PanelSignalBatch's statement without the offline-alarm and processing-log parts:
// the batch's panels locked in id order (two batches cannot deadlock), marked as seen, the events
// stored once per (panel, eventId).
const STORE_SQL = `WITH v AS (
  SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                       $8::text[], $9::text[], $10::text[], $11::timestamptz[])
    WITH ORDINALITY AS v(panel_id, received_at, event_id, code, class, arming, zone, panel_user, method, text, occurred_at, n)),
k AS (SELECT id FROM panel WHERE id IN (SELECT panel_id FROM v) ORDER BY id FOR UPDATE),
p AS (
  UPDATE panel SET last_seen_at = GREATEST(panel.last_seen_at, s.at)
    FROM (SELECT panel_id, max(received_at) AS at FROM v WHERE panel_id IN (SELECT id FROM k) GROUP BY panel_id) s
   WHERE panel.id = s.panel_id
   RETURNING panel.id, panel.customer_id),
e AS (
  INSERT INTO panel_event (panel_id, customer_id, event_id, code, class, restore, arming, zone, panel_user, method, text, occurred_at, received_at)
  SELECT v.panel_id, p.customer_id, v.event_id, v.code, v.class, false, v.arming, v.zone, v.panel_user, v.method, v.text, v.occurred_at, v.received_at
    FROM v JOIN p ON p.id = v.panel_id ORDER BY v.n
  ON CONFLICT (panel_id, event_id) DO NOTHING
  RETURNING id, panel_id, event_id)
SELECT v.n, e.id AS stored_id FROM v LEFT JOIN e ON e.panel_id = v.panel_id AND e.event_id = v.event_id ORDER BY v.n`;

async function serve(config: ServerConfig): Promise<number> {
  const secrets = new Map<string, Buffer>(config.panels.map(([id, secret]) => [id.toLowerCase(), Buffer.from(secret, 'utf8')]));
  const decoy = randomBytes(32);
  const pool = new pg.Pool({ connectionString: config.url, max: 8 });
  const queue: Pending[] = [];
  let inFlight = 0;

  async function flush(): Promise<void> {
    inFlight++;
    try {
      while (queue.length) {
        const batch = queue.splice(0, MAX_BATCH);
        const col = <T>(f: (p: Pending) => T) => batch.map(f);
        try {
          const { rows } = await pool.query<{ n: string; stored_id: string | null }>({
            name: 'floor_store',
            text: STORE_SQL,
            values: [
              col((p) => p.panelId),
              col((p) => p.receivedAt),
              col((p) => p.eventId),
              col((p) => p.code),
              col((p) => p.cls),
              col((p) => p.arming),
              col((p) => p.zone),
              col((p) => p.user),
              col((p) => p.method),
              col((p) => p.text),
              col((p) => p.occurredAt),
            ],
          });
          batch.forEach((p, i) => p.done(rows[i]?.stored_id ?? null));
        } catch (e) {
          for (const p of batch) p.done(e instanceof Error ? e : new Error(String(e)));
        }
      }
    } finally {
      inFlight--;
    }
  }

  const answer = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  function handle(req: http.IncomingMessage, res: http.ServerResponse, panelId: string, raw: Buffer): void {
    const timestamp = req.headers['x-keyholder-timestamp'];
    const signature = req.headers['x-keyholder-signature'];
    if (typeof timestamp !== 'string' || typeof signature !== 'string') return answer(res, 401, { code: 'panel_signature_missing' });
    if (!TIMESTAMP.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS) {
      return answer(res, 401, { code: 'panel_timestamp_out_of_range' });
    }
    const given = SIGNATURE.exec(signature);
    if (!given) return answer(res, 401, { code: 'panel_signature_malformed' });
    const secret = secrets.get(panelId.toLowerCase());
    const expected = createHmac('sha256', secret ?? decoy)
      .update(`${timestamp}.`)
      .update(raw)
      .digest();
    if (!timingSafeEqual(expected, Buffer.from(given[1], 'hex')) || !secret) return answer(res, 401, { code: 'panel_signature_invalid' });

    let dto: Record<string, unknown>;
    try {
      dto = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      return answer(res, 400, { code: 'invalid_json' });
    }
    const { eventId, code, occurredAt } = dto ?? {};
    if (typeof eventId !== 'string' || typeof code !== 'string' || typeof occurredAt !== 'string' || Number.isNaN(Date.parse(occurredAt))) {
      return answer(res, 400, { code: 'validation_failed' });
    }
    const str = (v: unknown) => (typeof v === 'string' ? v : null);
    const [cls, arming] = CLASSES[code] ?? ['unknown', null];
    queue.push({
      panelId,
      eventId,
      code,
      cls,
      arming,
      zone: str(dto.zone),
      user: str(dto.user),
      method: str(dto.method),
      text: str(dto.text),
      occurredAt,
      receivedAt: new Date().toISOString(),
      done: (r) => {
        if (r instanceof Error) answer(res, 503, { code: 'store_failed', message: r.message });
        else if (r === null) answer(res, 200, { duplicate: true });
        else answer(res, 202, { id: r, class: cls });
      },
    });
    if (inFlight < MAX_IN_FLIGHT) void flush();
  }

  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const m = req.method === 'POST' ? PATH.exec(req.url ?? '') : null;
    if (!m) return answer(res, 404, { code: 'not_found' });
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) {
      res.setHeader('connection', 'close');
      return answer(res, 413, { code: 'payload_too_large' });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY && !refused) {
        refused = true;
        res.setHeader('connection', 'close');
        answer(res, 413, { code: 'payload_too_large' });
      }
      if (!refused) chunks.push(c);
    });
    req.on('end', () => {
      if (!refused) handle(req, res, m[1], chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

if (process.argv[2] === '--server') {
  // Parent gone (or told to stop): exit; the pool's connections close with the process.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  process.once('message', (config: ServerConfig) => {
    serve(config).then(
      (port) => process.send!({ port }),
      (e) => {
        console.error(e);
        process.exit(1);
      },
    );
  });
} else if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Run as the bench itself (not imported, e.g. by bench:dc09 for startFloor).
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

// ---------------------------------------------------------------------------------------------
// The bench (parent process): bench:ingest's load against the floor server.
// ---------------------------------------------------------------------------------------------

/** Starts the floor server (this file with --server) in a child process, loaded with the households' secrets. */
export async function startFloor(url: string, households: Household[]): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = fork(fileURLToPath(import.meta.url), ['--server'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`the floor server exited (${code}) before listening`)));
    child.send({ url, panels: households.map((h) => [h.panelId, h.secret]) } satisfies ServerConfig);
  });
  return { child, baseUrl: `http://127.0.0.1:${port}` };
}

export async function stopFloor(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function main(): Promise<void> {
  const SECONDS = Number(process.argv[2] ?? 15);
  const PANELS = Number(process.argv[3] ?? 2000);
  /** The share of burglary alarms (the mix: 0.1); 0 for heartbeats and arming alone. */
  const ALARMS = Number(process.argv[4] ?? 0.1);

  /** Closed loop of `GET path` at `connections` keep-alive connections (an Agent as PanelClient's). */
  async function runGet(baseUrl: string, path: string, connections: number, seconds: number) {
    const u = new URL(baseUrl);
    const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
    const get = () =>
      new Promise<{ status: number; ms: number }>((resolve, reject) => {
        const sentAt = performance.now();
        const req = http.request({ host: u.hostname, port: Number(u.port), method: 'GET', path, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - sentAt }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
    const latencies: number[] = [];
    const others = new Map<string, number>();
    let count = 0;
    const elapsed = await closedLoop(connections, seconds, async () => {
      count++;
      try {
        const r = await get();
        if (r.status === 404) latencies.push(r.ms);
        else others.set(String(r.status), (others.get(String(r.status)) ?? 0) + 1);
      } catch (e) {
        others.set((e as Error).message, (others.get((e as Error).message) ?? 0) + 1);
      }
    });
    agent.destroy();
    return { latencies, others, count, elapsed };
  }

  const bench = await startBench('floor');
  let floor: ChildProcess | undefined;
  try {
    console.log(
      `Panel ingest FLOOR bench: ${PANELS} panels, ${SECONDS} s per run, node ${process.version}, PostgreSQL ${bench.pgVersion}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`,
    );
    console.log(
      'bare node:http floor server in a child process (HMAC + group commit, no framework), app idle, load generator on the main thread, PostgreSQL embedded; all on this machine',
    );
    const households = await bench.seed(PANELS, 1);
    const started = await startFloor(String(bench.pool.options.connectionString), households);
    floor = started.child;
    const baseUrl = started.baseUrl;
    await measureIngest(bench, baseUrl, households, {
      seconds: SECONDS,
      alarmShare: ALARMS,
      server: { name: 'floor server', pid: floor.pid! },
      idle: { name: 'idle app', pid: bench.app.pid! },
      self: 'load generator',
    });

    // The real app's framework with no work behind it: a 404 through the whole stack.
    await stopFloor(floor);
    floor = undefined;
    await runGet(bench.baseUrl, '/api/no-such-route', 50, 2); // warm-up, not counted
    {
      const before = loadavg();
      const cpu = { app: cpuMsOf(bench.app.pid!), bench: process.cpuUsage() };
      const r = await runGet(bench.baseUrl, '/api/no-such-route', 50, SECONDS);
      const appMs = cpuMsOf(bench.app.pid!) - cpu.app;
      const benchCpu = process.cpuUsage(cpu.bench);
      const per = (ms: number) => ((ms * 1000) / r.count).toFixed(0);
      console.log(
        `\nreal app, GET of an unknown route (404; the framework's cost before any work), 50 connections: ${Math.round(r.count / r.elapsed)} requests/s (${r.count} in ${r.elapsed.toFixed(1)} s), load average before ${before}, after ${loadavg()}`,
      );
      console.log(`   ${describe('404 latency', r.latencies)}`);
      console.log(`   CPU per request: app ${per(appMs)} µs, load generator ${per((benchCpu.user + benchCpu.system) / 1000)} µs`);
      console.log(`   not 404: ${r.others.size ? JSON.stringify(Object.fromEntries(r.others)) : 'none'}`);
    }
  } finally {
    if (floor) await stopFloor(floor);
    await bench.stop();
  }
}

// The SMS outbox end to end, through the real app, the real Twilio SDK and a local fake Twilio API:
//  1. drain: N messages already queued, how fast the dispatcher hands them to the provider;
//  2. paced: messages enqueued at a steady 100/s (also inside a caller's transaction, as escalation
//     does), 300/s, and N at 1000/s; the delay from the enqueue's commit to the provider receiving
//     the call (the "first SMS within milliseconds" promise);
//  3. flat out: N messages enqueued as fast as 64 concurrent callers can, end-to-end rate and delay.
// Not rate-limited (SMS_RATE_PER_SECOND=100000). Against DATABASE_URL if set (a scratch database:
// migrations run and rows are added), else a throw-away embedded PostgreSQL.
//
//   npm run bench:sms [-- N=10000]
//   (= npx tsc -p bench/tsconfig.json && node dist/bench/bench/sms-outbox.js [N])
import 'reflect-metadata';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/app-config.js';
import { runMigrations } from '../src/database/data-source.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/database/embedded-postgres.js';
import { Worker } from 'node:worker_threads';
import { SmsDispatcher } from '../src/sms/sms-dispatcher.js';
import { SmsOutbox } from '../src/sms/sms-outbox.js';

const N = Number(process.argv[2] ?? 10_000);
const PACED_PER_SECOND = 1000;
const FLAT_OUT_CALLERS = 64;
const PUBLIC = 'https://bench.example.test';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function describeDelays(label: string, delays: number[]): string {
  const s = [...delays].sort((a, b) => a - b);
  const f = (v: number) => `${v.toFixed(1)} ms`;
  return `${label}: p50 ${f(percentile(s, 50))}, p90 ${f(percentile(s, 90))}, p99 ${f(percentile(s, 99))}, max ${f(s[s.length - 1])}`;
}

/** The fake Twilio API on its own thread (bench/fake-twilio-worker.ts). */
class FakeTwilioThread {
  private readonly worker = new Worker(new URL('./fake-twilio-worker.js', import.meta.url), { workerData: { report: 'body' } });
  private listener?: (body: string, at: number) => void;
  readonly ready: Promise<{ url: string; accountSid: string; authToken: string }>;
  accepted = 0;

  constructor() {
    this.ready = new Promise((resolve) => {
      this.worker.on('message', (m: { ready?: { url: string; accountSid: string; authToken: string }; accepted?: Array<[string, number]> }) => {
        if (m.ready) resolve(m.ready);
        for (const [body, absolute] of m.accepted ?? []) {
          this.accepted++;
          // Back onto this thread's performance.now() scale.
          this.listener?.(body, absolute - performance.timeOrigin);
        }
      });
    });
  }

  /** Resolves when every body starting with `prefix` has been accepted, `count` of them, each once. */
  collect(prefix: string, count: number): { done: Promise<void>; received: Map<string, number> } {
    const received = new Map<string, number>();
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    this.listener = (body, at) => {
      if (!body.startsWith(prefix)) return;
      if (received.has(body)) throw new Error(`sent twice: ${body}`);
      received.set(body, at);
      if (received.size === count) resolve();
    };
    return { done, received };
  }

  async stop(): Promise<void> {
    this.worker.postMessage({ stop: true });
    await new Promise((r) => this.worker.once('exit', r));
  }
}

async function main(): Promise<void> {
  let embedded: EmbeddedDatabase | undefined;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'keyholder-bench-sms-'));
  await fs.chmod(dir, 0o755);
  let url = process.env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres(dir);
    url = embedded.url;
  }
  await runMigrations(url);
  const fake = new FakeTwilioThread();
  const twilioApi = await fake.ready;
  let app: INestApplication | undefined;
  try {
    const config = loadConfig({
      DATABASE_URL: url,
      DATA_DIR: dir,
      PORT: '0',
      DC09_PORT: 'off',
      LOG_LEVEL: 'silent',
      ADMIN_PASSWORD: 'bench-password-123',
      TWILIO_ACCOUNT_SID: twilioApi.accountSid,
      TWILIO_AUTH_TOKEN: twilioApi.authToken,
      TWILIO_FROM: '+46700000001',
      TWILIO_API_URL: twilioApi.url,
      PUBLIC_BASE_URL: PUBLIC,
      SMS_RATE_PER_SECOND: '100000',
      // The bench queues its N notices in one day: lift the daily caps out of the way (their count
      // and lock are still taken for every notice, as in production).
      SMS_DAILY_CAP: '10000000',
      SMS_DAILY_CAP_PER_OPERATOR: '10000000',
    });
    app = await createApp(config);
    const outbox = app.get(SmsOutbox);
    const ds = app.get(DataSource);
    const phone = '+46701234567';
    const [customer] = await ds.query(
      `INSERT INTO customer (name, phone, language, alarm_address) VALUES ('Bench', '+46709999999', 'sv', '{"street":"Storgatan 1","postalCode":"11122","city":"Stockholm","country":"SE"}') RETURNING id`,
    );
    const [contact] = await ds.query(`INSERT INTO contact (customer_id, name, phone, priority) VALUES ($1, 'Bench', $2, 1) RETURNING id`, [customer.id, phone]);
    // Contact notices: the full send policy (opt-out, contact row, phone, restriction) without an
    // alarm behind them, so the escalation (which reacts to alarm SMS) is not measured here.
    const sms = (body: string) => ({ purpose: 'contact_notice' as const, to: phone, body, customerId: customer.id as string, contactId: contact.id as string });
    const [{ server_version: pgVersion }] = await ds.query('SHOW server_version');
    console.log(`SMS outbox bench: N=${N}, node ${process.version}, PostgreSQL ${pgVersion}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`);
    console.log('the fake Twilio API runs on a worker thread (its own event loop), the app and this script on the main one\n');

    // Warm-up: SDK modules, connection pools, JIT.
    {
      const { done } = fake.collect('warm ', 300);
      for (let i = 0; i < 300; i++) await outbox.enqueue(sms(`warm ${i}`));
      await done;
      await outbox.idle();
    }

    // 1. Drain a backlog committed behind the dispatcher's back (one INSERT), then kick once.
    {
      await ds.query(
        `INSERT INTO sms_message (direction, to_phone, from_phone, body, purpose, legal_basis, alarm_id, customer_id, status, priority)
         SELECT 'outbound', $1, '+46700000001', 'drain ' || n, 'contact_notice', 'legal_obligation', NULL, $2, 'queued', 10
           FROM generate_series(1, $3::int) n`,
        [phone, customer.id, N],
      );
      const { done, received } = fake.collect('drain ', N);
      const start = performance.now();
      app.get(SmsDispatcher).kick();
      await done;
      const last = Math.max(...received.values());
      await outbox.idle();
      const [{ n: sent }] = await ds.query(`SELECT count(*)::int AS n FROM sms_message WHERE body LIKE 'drain %' AND status = 'sent'`);
      console.log(
        `1. drain ${N} queued: ${Math.round((N / (last - start)) * 1000)} msg/s handed to the provider (${(last - start).toFixed(0)} ms; ${sent} rows 'sent', each sent once)`,
      );
    }

    // 2. Paced arrivals: the latency an alarm SMS sees. Below capacity this is the normal path; at
    //    1000/s it shows what this machine can take (arrivals slow down when enqueues fall behind).
    const paced = async (label: string, rate: number, count: number, inTransaction: boolean) => {
      const prefix = `${label} `;
      const { done, received } = fake.collect(prefix, count);
      const committedAt = new Map<string, number>();
      const calledAt = new Map<string, number>();
      const pending: Promise<unknown>[] = [];
      const cpu = process.cpuUsage();
      const start = performance.now();
      let open = 0;
      for (let i = 0; i < count; i++) {
        const wait = start + (i / rate) * 1000 - performance.now();
        if (wait > 1) await sleep(wait);
        // A real caller does not open thousands of transactions at once: when enqueues fall behind,
        // arrivals slow down (and the achieved rate shows it) instead of exhausting the pool.
        while (open >= 256) await sleep(1);
        const body = prefix + i;
        calledAt.set(body, performance.now());
        open++;
        const enqueue = inTransaction ? ds.transaction((m) => outbox.enqueue(sms(body), m)) : outbox.enqueue(sms(body));
        pending.push(
          enqueue.then(
            () => {
              open--;
              committedAt.set(body, performance.now());
            },
            (e: Error) => {
              throw new Error(`enqueue failed at ${i} (${e.message}): the app cannot keep up with ${rate}/s here`);
            },
          ),
        );
      }
      await Promise.all(pending);
      await done;
      const end = Math.max(...received.values());
      await outbox.idle();
      const used = process.cpuUsage(cpu);
      const commitToProvider = [...received].map(([body, at]) => at - committedAt.get(body)!);
      const enqueueCall = [...committedAt].map(([body, at]) => at - calledAt.get(body)!);
      console.log(
        `2. paced ${count} at ${rate}/s${inTransaction ? " in the caller's transaction (commit hook)" : ''}: achieved ${Math.round((count / (end - start)) * 1000)} msg/s, ` +
          `process CPU (app + fake thread) ${Math.round((used.user + used.system) / count)} µs/msg`,
      );
      console.log(`   ${describeDelays('commit -> provider call', commitToProvider)}`);
      console.log(`   ${describeDelays('enqueue() (policy + insert + commit)', enqueueCall)}`);
    };
    await paced('slow', 100, Math.min(N, 2000), false);
    await paced('slowtx', 100, Math.min(N, 2000), true);
    await paced('medium', 300, Math.min(N, 3000), false);
    await paced('paced', PACED_PER_SECOND, N, false);

    // 3. Flat out: as many enqueues as 64 callers can make, dispatched as they commit.
    {
      const { done, received } = fake.collect('flat ', N);
      const committedAt = new Map<string, number>();
      let next = 0;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: FLAT_OUT_CALLERS }, async () => {
          while (next < N) {
            const body = `flat ${next++}`;
            await outbox.enqueue(sms(body));
            committedAt.set(body, performance.now());
          }
        }),
      );
      const enqueued = performance.now();
      await done;
      const end = Math.max(...received.values());
      await outbox.idle();
      console.log(
        `3. flat out, ${FLAT_OUT_CALLERS} callers: enqueue ${Math.round((N / (enqueued - start)) * 1000)}/s, ${Math.round((N / (end - start)) * 1000)} msg/s end to end`,
      );
      console.log(
        `   ${describeDelays(
          'commit -> provider call',
          [...received].map(([body, at]) => at - committedAt.get(body)!),
        )}`,
      );
    }
    const [{ n: total }] = await ds.query(`SELECT count(*)::int AS n FROM sms_message`);
    console.log(`\n${total} messages in sms_message; the fake Twilio API accepted ${fake.accepted}`);
  } finally {
    await app?.close();
    await fake.stop();
    await embedded?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

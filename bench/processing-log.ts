// What one processing-log entry costs: writing it (record / recordMany) and sealing it into the
// hash chain, plus verifying the chain, whole and from a checkpoint. Against DATABASE_URL if set (use
// a scratch database: the migrations run and rows are added), else a throw-away embedded PostgreSQL.
//
//   npm run bench:log [-- entries=10000]
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { withBenchDatabase } from './bench-database.js';
import { dataSourceOptions } from '../src/database/data-source.js';
import { ProcessingLogSealer } from '../src/privacy/processing-log.sealer.js';
import { ProcessingLogVerifier } from '../src/privacy/processing-log.verifier.js';
import { ProcessingLog, type ProcessingLogEntry } from '../src/privacy/processing-log.service.js';
import type { ProcessingRegistry } from '../src/privacy/processing-registry.js';

const N = Number(process.argv[2] ?? 10_000);
const CONCURRENCY = 16;

const entry = (i: number): ProcessingLogEntry => ({
  actor: { type: 'operator', id: '0b8f2c1e-2f7a-4c55-9d0e-3a1b2c3d4e5f' },
  operation: 'alarms.escalate',
  legalBasis: 'vital_interests',
  purpose: 'Reach the owner, then the contacts, when an alarm goes off',
  subjectIds: [randomUUID(), randomUUID()],
  httpStatus: 201,
  requestId: `bench-${i}`,
});

async function timed(label: string, count: number, run: () => Promise<void>): Promise<void> {
  const start = process.hrtime.bigint();
  await run();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const perSecond = Math.round((count / ms) * 1000);
  console.log(
    `${label.padEnd(58)} ${String(count).padStart(7)} in ${ms.toFixed(0).padStart(6)} ms  ${String(perSecond).padStart(7)}/s  ${((ms * 1000) / count).toFixed(1).padStart(7)} µs/entry`,
  );
}

async function main(): Promise<void> {
  await withBenchDatabase(async (db, url) => {
    const registry = { isDeclared: () => true } as unknown as ProcessingRegistry;
    const sealer = new ProcessingLogSealer(db);
    const verifier = new ProcessingLogVerifier(db, sealer);
    // Writers alone first: a sealer that is never nudged.
    const quiet = new ProcessingLog(db, { nudge: () => undefined } as unknown as ProcessingLogSealer, registry);
    const live = new ProcessingLog(db, sealer, registry);
    const pending = async () =>
      (await db.query(`SELECT count(*)::int AS n FROM processing_log e WHERE NOT EXISTS (SELECT 1 FROM processing_log_seal s WHERE s.seq = e.seq)`))[0]
        .n as number;

    console.log(
      `processing log bench: ${N} entries per run, PostgreSQL ${(await db.query('SHOW server_version'))[0].server_version}, fsync ${(await db.query('SHOW fsync'))[0].fsync}, synchronous_commit ${(await db.query('SHOW synchronous_commit'))[0].synchronous_commit}\n`,
    );

    await timed('record(), one at a time (latency-bound)', N, async () => {
      for (let i = 0; i < N; i++) await quiet.record(entry(i));
    });
    await timed(`record(), ${CONCURRENCY} concurrent writers`, N, async () => {
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < N) await quiet.record(entry(next++));
        }),
      );
    });
    await timed('recordMany(), batches of 500', N, async () => {
      for (let i = 0; i < N; i += 500) await quiet.recordMany(Array.from({ length: Math.min(500, N - i) }, (_, k) => entry(i + k)));
    });
    // The same writers without waiting for the WAL flush at commit: what is CPU, what is fsync.
    const asyncDb = new DataSource({ ...dataSourceOptions(url), extra: { max: 20, options: '-c synchronous_commit=off' } } as typeof db.options);
    await asyncDb.initialize();
    const asyncLog = new ProcessingLog(asyncDb, { nudge: () => undefined } as unknown as ProcessingLogSealer, registry);
    await timed(`record(), ${CONCURRENCY} concurrent, synchronous_commit=off (no fsync wait)`, N, async () => {
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < N) await asyncLog.record(entry(next++));
        }),
      );
    });
    await asyncDb.destroy();
    const backlog = await pending();
    await timed('seal the backlog (sealPending)', backlog, async () => {
      await sealer.sealPending();
    });
    await timed(`record(), ${CONCURRENCY} concurrent writers, sealer live`, N, async () => {
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < N) await live.record(entry(next++));
        }),
      );
    });
    const start = Date.now();
    while ((await pending()) > 0 && Date.now() - start < 30_000) await new Promise((r) => setTimeout(r, 5));
    console.log(`  ... all sealed ${Date.now() - start} ms after the last insert returned`);
    const total = (await db.query(`SELECT count(*)::int AS n FROM processing_log`))[0].n as number;
    let result: Awaited<ReturnType<ProcessingLogVerifier['verify']>> | undefined;
    await timed('verify() the whole chain', total, async () => {
      result = await verifier.verify();
    });
    console.log(`  ... verify says ${JSON.stringify(result)}`);
    // What the DPO's page does: a check from the checkpoint the whole check just recorded, after a
    // tenth as many entries again came in.
    const more = Math.max(1, Math.round(N / 10));
    for (let i = 0; i < more; i += 500) await quiet.recordMany(Array.from({ length: Math.min(500, more - i) }, (_, k) => entry(i + k)));
    await sealer.sealPending({ full: true });
    let quick: Awaited<ReturnType<ProcessingLogVerifier['verify']>> | undefined;
    await timed('verify() from the checkpoint (what came after it)', more, async () => {
      quick = await verifier.verify(undefined, { fromCheckpoint: true });
    });
    console.log(`  ... verify says ${JSON.stringify(quick)}`);
    const size = (await db.query(`SELECT pg_total_relation_size('processing_log') AS log, pg_total_relation_size('processing_log_seal') AS seal`))[0];
    console.log(`  ... on disk per entry: log ${Math.round(size.log / total)} B (with indexes), seal ${Math.round(size.seal / total)} B`);
    await sealer.onModuleDestroy();
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

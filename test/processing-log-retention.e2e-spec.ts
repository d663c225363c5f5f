// The processing log's own retention: entries older than PROCESSING_LOG_YEARS are removed, oldest
// first, under a sealed checkpoint, and verify still proves everything kept. Only the owner's
// function removes anything, and nothing younger than ten years by the database's clock.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { PROCESSING_LOG_RETENTION } from '../src/privacy/privacy.processing.js';
import { ProcessingLogRetention } from '../src/privacy/processing-log-retention.js';
import { ProcessingLogSealer } from '../src/privacy/processing-log.sealer.js';
import { PROCESSING_LOG_YEARS, ProcessingLog } from '../src/privacy/processing-log.service.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { sql } from './support/test-db.js';

const OLD = 40;

describe('processing log retention', () => {
  let t: TestApp;
  let dpo: string;
  let oldSeqs: number[];
  let linkHash: string;
  let oldOperations: Record<string, number>;

  const verify = async (query = '') => {
    const res = await t.request('GET', `/api/privacy/processing-log/verify${query}`, { token: dpo });
    expect(res.status).toBe(200);
    return res.body;
  };
  /** Only the owner can do this: switch the append-only triggers off. */
  async function tamper(table: string, statement: string, params: unknown[] = []): Promise<void> {
    await t.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
    try {
      await t.query(statement, params);
    } finally {
      await t.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
    }
  }
  const newestCheckpoint = async () =>
    (
      await t.query(
        `SELECT first_position::int, through_position::int, first_seq::int, last_seq::int, entries::int, encode(link_hash, 'hex') AS link_hash,
                operations, encode(hash, 'hex') AS hash, recorded_seq::int
           FROM processing_log_retention ORDER BY through_position DESC LIMIT 1`,
      )
    )[0];

  beforeAll(async () => {
    t = await createTestApp();
    dpo = await t.tokenFor('dpo');
    const log = t.app.get(ProcessingLog);
    const job = { actor: { type: 'system' as const, id: 'j' }, legalBasis: 'legal_obligation' as const, purpose: 'filler' };
    await log.recordMany(Array.from({ length: OLD }, (_, i) => ({ ...job, operation: i % 4 === 0 ? 'test.old.a' : 'test.old.b' })));
    await log.recordMany(Array.from({ length: 5 }, () => ({ ...job, operation: 'test.young' })));

    // As if the log had been written eleven years ago: the first OLD entries by seq are backdated
    // and the chain is sealed again from the start (only the owner could; a fixture, not a path).
    const owner = await sql(t.databaseUrl);
    try {
      await owner.query('BEGIN');
      await owner.query('SELECT pg_advisory_xact_lock(727002)');
      for (const table of ['processing_log', 'processing_log_seal', 'processing_log_checkpoint'])
        await owner.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
      const { rows } = await owner.query(
        `UPDATE processing_log SET at = at - interval '11 years'
          WHERE seq IN (SELECT seq FROM processing_log ORDER BY seq LIMIT $1) RETURNING seq::int, operation`,
        [OLD],
      );
      oldSeqs = rows.map((r: { seq: number }) => r.seq).sort((a: number, b: number) => a - b);
      oldOperations = {};
      for (const r of rows as Array<{ operation: string }>) oldOperations[r.operation] = (oldOperations[r.operation] ?? 0) + 1;
      await owner.query(`DELETE FROM processing_log_seal`);
      await owner.query(`DELETE FROM processing_log_checkpoint`);
      await owner.query(`DELETE FROM processing_log_seal_gap`);
      for (const table of ['processing_log', 'processing_log_seal', 'processing_log_checkpoint']) await owner.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
      await owner.query('COMMIT');
    } finally {
      await owner.end();
    }
    await t.app.get(ProcessingLogSealer).sealPending({ full: true });
    [{ hash: linkHash }] = await t.query(`SELECT encode(hash, 'hex') AS hash FROM processing_log_seal WHERE position = $1`, [OLD]);
  });
  afterAll(async () => t?.close());

  it('is scheduled each night and declared with its reasoning in the record of processing', async () => {
    expect(t.app.get(SchedulerRegistry).getCronJob('retention-processing-log')).toBeDefined();
    // The database's own floor is the same period as the log module's.
    const [{ src }] = await t.query(`SELECT prosrc AS src FROM pg_proc WHERE proname = 'processing_log_remove_old'`);
    expect(src).toContain(`now() - interval '${PROCESSING_LOG_YEARS} years'`);
    const ropa = await t.request('GET', '/api/privacy/ropa', { token: dpo });
    expect(JSON.stringify(ropa.body)).toContain('privacy.processing-log.retention');
    expect(JSON.stringify(ropa.body)).toMatch(/ten years, then removed by a nightly job under a sealed checkpoint/);
    expect(JSON.stringify(ropa.body)).not.toMatch(/not set yet/);
  });

  it('removes the entries past ten years under a sealed checkpoint, and verify still proves the rest', async () => {
    const before = await verify();
    expect(before).toMatchObject({ ok: true });
    const kept = (await t.query(`SELECT count(*)::int AS n FROM processing_log`))[0].n - OLD;

    const run = await t.app.get(ProcessingLogRetention).removeOld(new Date());
    expect(run).toEqual({ removed: OLD, checkpoints: 1 });
    expect(await t.query(`SELECT seq FROM processing_log WHERE seq = ANY($1::bigint[])`, [oldSeqs])).toEqual([]);
    expect(await t.query(`SELECT 1 FROM processing_log_seal WHERE position <= $1`, [OLD])).toEqual([]);

    const checkpoint = await newestCheckpoint();
    expect(checkpoint).toMatchObject({
      first_position: 1,
      through_position: OLD,
      first_seq: oldSeqs[0],
      last_seq: oldSeqs[OLD - 1],
      entries: OLD,
      link_hash: linkHash,
      operations: oldOperations,
    });
    // The run recorded itself, the checkpoint's hash in its entry's detail.
    const [recorded] = await t.query(`SELECT operation, actor_type, actor_id, legal_basis, detail FROM processing_log WHERE seq = $1`, [
      checkpoint.recorded_seq,
    ]);
    expect(recorded).toMatchObject({
      operation: PROCESSING_LOG_RETENTION.operation,
      actor_type: 'system',
      actor_id: 'processing-log-retention',
      legal_basis: 'legal_obligation',
      detail: { checkpoint: { firstPosition: 1, throughPosition: OLD, entries: OLD, operations: oldOperations, hash: checkpoint.hash } },
    });

    const whole = await verify();
    expect(whole).toMatchObject({ ok: true, retained: { throughPosition: OLD, removed: OLD, removedBefore: expect.any(String) } });
    expect(whole.entries).toBeGreaterThanOrEqual(kept);
    expect(await verify('?from=checkpoint')).toMatchObject({ ok: true });
    // An anchor noted at the last removed position is still checked, against the checkpoint's link.
    expect(await verify(`?position=${OLD}&hash=${linkHash}`)).toMatchObject({ ok: true });
    expect(await verify(`?position=${OLD}&hash=${'0'.repeat(64)}`)).toMatchObject({ ok: false, reason: 'anchor_mismatch' });

    // Nothing more is old enough: the next night removes nothing, and says it ran.
    expect(await t.app.get(ProcessingLogRetention).removeOld(new Date())).toEqual({ removed: 0, checkpoints: 0 });
    const [ran] = await t.query(`SELECT detail FROM processing_log WHERE operation = $1 ORDER BY seq DESC LIMIT 1`, [PROCESSING_LOG_RETENTION.operation]);
    expect(ran.detail).toMatchObject({ removed: 0 });
  });

  it("removes nothing younger than ten years by the database's clock, whatever the caller asks", async () => {
    const count = async () => (await t.query(`SELECT count(*)::int AS n FROM processing_log`))[0].n as number;
    const before = await count();
    // A clock twenty years ahead, and the function asked directly for everything.
    expect(await t.app.get(ProcessingLogRetention).removeOld(new Date(Date.now() + 20 * 365 * 86_400_000))).toEqual({ removed: 0, checkpoints: 0 });
    const direct = await t.query(`SELECT * FROM processing_log_remove_old(now() + interval '100 years', 1000000, 'test.job', 'legal_obligation', 'x')`);
    expect(direct).toEqual([]);
    expect(await count()).toBeGreaterThanOrEqual(before);
    expect((await verify()).ok).toBe(true);
  });

  it('a plain DELETE or UPDATE is still refused, also by the owner outside the function', async () => {
    for (const table of ['processing_log', 'processing_log_seal', 'processing_log_retention']) {
      await expect(t.query(`DELETE FROM ${table}`)).rejects.toThrow(`${table} is append-only: DELETE refused`);
      const column = table === 'processing_log' ? 'purpose' : 'hash';
      await expect(t.query(`UPDATE ${table} SET ${column} = ${column}`)).rejects.toThrow(`${table} is append-only: UPDATE refused`);
      await expect(t.query(`TRUNCATE ${table}`)).rejects.toThrow(`${table} is append-only: TRUNCATE refused`);
    }
  });

  describe('tampering', () => {
    it("with a checkpoint's counts is found", async () => {
      const checkpoint = await newestCheckpoint();
      await tamper('processing_log_retention', `UPDATE processing_log_retention SET operations = '{"test.old.b": 1}' WHERE through_position = $1`, [
        checkpoint.through_position,
      ]);
      try {
        expect(await verify()).toMatchObject({ ok: false, reason: 'retention_checkpoint_altered' });
        // Its hash recomputed too: it no longer matches the one its run sealed into the log.
        await tamper(
          'processing_log_retention',
          `UPDATE processing_log_retention r SET hash = processing_log_retention_digest(r) WHERE through_position = $1`,
          [checkpoint.through_position],
        );
        expect(await verify('?from=checkpoint')).toMatchObject({ ok: false, reason: 'retention_checkpoint_mismatch' });
      } finally {
        await tamper('processing_log_retention', `UPDATE processing_log_retention SET operations = $2, hash = decode($3, 'hex') WHERE through_position = $1`, [
          checkpoint.through_position,
          checkpoint.operations,
          checkpoint.hash,
        ]);
      }
      expect((await verify()).ok).toBe(true);
    });

    it('with the link the kept chain starts from is found', async () => {
      const checkpoint = await newestCheckpoint();
      await tamper('processing_log_retention', `UPDATE processing_log_retention r SET link_hash = sha256(link_hash) WHERE through_position = $1`, [
        checkpoint.through_position,
      ]);
      try {
        expect(await verify()).toMatchObject({ ok: false, reason: 'retention_checkpoint_altered' });
      } finally {
        await tamper('processing_log_retention', `UPDATE processing_log_retention SET link_hash = decode($2, 'hex') WHERE through_position = $1`, [
          checkpoint.through_position,
          checkpoint.link_hash,
        ]);
      }
      expect((await verify()).ok).toBe(true);
    });

    it('a checkpoint added to skip entries that are still there is found, even one recorded in the log', async () => {
      const checkpoint = await newestCheckpoint();
      const skipTo = checkpoint.through_position + 5;
      // What an attacker with the owner's rights could forge, chained and hashed as the real one, with
      // an entry carrying its hash (anyone who may append to the log can write one).
      await tamper(
        'processing_log_retention',
        `INSERT INTO processing_log_retention
         SELECT $2::bigint, $1::bigint + 1, 0, 0, $2::bigint - $1::bigint, s.hash, '{}', now(), now(), r.hash, r.hash, r.recorded_seq
           FROM processing_log_retention r, processing_log_seal s WHERE r.through_position = $1::bigint AND s.position = $2::bigint`,
        [checkpoint.through_position, skipTo],
      );
      await tamper('processing_log_retention', `UPDATE processing_log_retention r SET hash = processing_log_retention_digest(r) WHERE through_position = $1`, [
        skipTo,
      ]);
      const [{ hash }] = await t.query(`SELECT encode(hash, 'hex') AS hash FROM processing_log_retention WHERE through_position = $1`, [skipTo]);
      const [{ seq }] = await t.query(
        `INSERT INTO processing_log (actor_type, actor_id, operation, legal_basis, purpose, outcome, detail)
         VALUES ('system', 'processing-log-retention', 'privacy.processing-log.retention', 'legal_obligation', 'forged', 'success', $1) RETURNING seq::int`,
        [{ checkpoint: { hash } }],
      );
      await tamper('processing_log_retention', `UPDATE processing_log_retention SET recorded_seq = $2 WHERE through_position = $1`, [skipTo, seq]);
      try {
        const result = await verify();
        expect(result).toMatchObject({ ok: false, reason: 'retention_checkpoint_mismatch' });
        expect(result.detail).toMatch(/still there/);
      } finally {
        await tamper('processing_log_retention', `DELETE FROM processing_log_retention WHERE through_position > $1`, [checkpoint.through_position]);
      }
      expect((await verify()).ok).toBe(true);
    });

    it('with a kept entry is found', async () => {
      const [kept] = await t.query(
        `SELECT e.seq::int, e.purpose FROM processing_log e JOIN processing_log_seal s ON s.seq = e.seq ORDER BY s.position LIMIT 1`,
      );
      await tamper('processing_log', `UPDATE processing_log SET purpose = 'nothing to see' WHERE seq = $1`, [kept.seq]);
      try {
        expect(await verify()).toMatchObject({ ok: false, firstBadSeq: kept.seq, reason: 'entry_altered' });
      } finally {
        await tamper('processing_log', `UPDATE processing_log SET purpose = $2 WHERE seq = $1`, [kept.seq, kept.purpose]);
      }
      expect((await verify()).ok).toBe(true);
    });
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { RouteDeclarations } from '../src/common/route-declarations.js';
import { ARTICLE_6, LEGAL_BASES, type ProcessingDeclaration } from '../src/privacy/processing.decorator.js';
import { ProcessingLogCheck } from '../src/privacy/processing-log-check.js';
import { ProcessingLog } from '../src/privacy/processing-log.service.js';
import { ProcessingLogSealer, SEALER_LOCK } from '../src/privacy/processing-log.sealer.js';
import { ProcessingRegistry } from '../src/privacy/processing-registry.js';
import { ROPA_CSV_COLUMNS } from '../src/privacy/record-of-processing.js';
import { recipientNames, transfersOf } from '../src/privacy/recipients.js';
import { describeSpecialCategories } from '../src/privacy/special-categories.js';
import { parseCsv } from './support/csv.js';
import { ADMIN, createTestApp, type TestApp } from './support/test-app.js';
import { sql } from './support/test-db.js';

const JOB: Omit<ProcessingDeclaration, 'operation' | 'purpose'> = {
  legalBasis: 'legal_obligation',
  dataSubjects: ['customers'],
  dataCategories: ['ids'],
  recipients: ['none'],
  retention: 'test',
};

describe('privacy: processing log, its hash chain, the record of processing', () => {
  let t: TestApp;
  let dpo: string;
  let admin: string;
  let adminId: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.tokenFor('admin');
    dpo = await t.tokenFor('dpo');
    adminId = (await t.request('GET', '/api/auth/me', { token: admin })).body.id;
  });
  afterAll(async () => t?.close());

  /** Entries written after an error answer land a moment after the response: look until they do. */
  async function logFor(subjectId: string, until: (items: any[]) => boolean = (i) => i.length > 0): Promise<any[]> {
    for (let i = 0; ; i++) {
      const res = await t.request('GET', `/api/privacy/processing-log?subjectId=${subjectId}`, { token: dpo });
      expect(res.status).toBe(200);
      if (until(res.body.items) || i === 50) return res.body.items;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const verify = async () => {
    const res = await t.request('GET', '/api/privacy/processing-log/verify', { token: dpo });
    expect(res.status).toBe(200);
    return res.body;
  };

  /** What only someone with the database's owner rights can do: switch the append-only triggers off. */
  async function tamper(table: string, statement: string, params: unknown[] = []): Promise<void> {
    await t.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
    try {
      await t.query(statement, params);
    } finally {
      await t.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
    }
  }

  describe('declarations', () => {
    it('every route of the running app declares its processing, or that it touches no personal data', () => {
      const declarations = t.app.get(RouteDeclarations);
      const routes = declarations.routes();
      expect(routes.length).toBeGreaterThan(10);
      expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
        expect.arrayContaining([
          'POST /api/auth/login',
          'POST /api/operators',
          'GET /api/privacy/ropa',
          'GET /api/privacy/processing-log',
          'GET /api/privacy/processing-log/verify',
        ]),
      );
      expect(declarations.undeclared()).toEqual([]);
      for (const r of routes) {
        expect(r.processing).toBeDefined();
        if (r.processing && 'operation' in r.processing) {
          const d = r.processing;
          expect(LEGAL_BASES).toContain(d.legalBasis);
          expect(d.operation).toMatch(/^[a-z][\w.-]+$/);
          for (const text of [d.purpose, d.retention]) expect(text.trim().length).toBeGreaterThan(2);
          for (const list of [d.dataSubjects, d.dataCategories, d.recipients]) expect(list.length).toBeGreaterThan(0);
        } else {
          expect((r.processing as { none: string }).none.length).toBeGreaterThan(5);
        }
      }
    });

    it('no route is served that Nest does not know about (the HTTP server has no undeclared routes)', () => {
      const known = new Set(
        t.app
          .get(RouteDeclarations)
          .routes()
          .map((r) => `${r.method} ${r.path}`),
      );
      const express = t.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } };
      const served = express.router.stack.flatMap((layer) =>
        layer.route ? Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${layer.route!.path}`) : [],
      );
      expect(served.length).toBeGreaterThan(10);
      // The API documentation (Swagger UI and its JSON) is served by SwaggerModule, not a controller:
      // it describes the API and holds no personal data. `{/*splat}` are Nest's own catch-alls (404).
      const undeclared = served.filter((r) => !known.has(r) && !/ \/api\/docs/.test(r) && !r.endsWith(' {/*splat}'));
      expect(undeclared).toEqual([]);
    });

    it('no operation name is declared twice with different content', () => {
      expect(t.app.get(ProcessingRegistry).conflicts()).toEqual([]);
    });
  });

  describe('record of processing', () => {
    it('lists every declared operation with its basis, the Art. 6 text, and the controller', async () => {
      const res = await t.request('GET', '/api/privacy/ropa', { token: dpo });
      expect(res.status).toBe(200);
      expect(res.body.controller).toEqual(t.config.controller);
      // Not configured here (no NODE_ENV=production): the record says so plainly rather than guessing.
      expect(res.body.controller).toMatchObject({
        orgNumber: 'not configured (set CONTROLLER_ORG_NUMBER)',
        address: 'not configured (set CONTROLLER_ADDRESS)',
      });
      expect(Date.parse(res.body.generatedAt)).toBeGreaterThan(Date.now() - 60_000);
      expect(res.body.total).toBe(res.body.items.length);

      const byOperation = new Map<string, any>(res.body.items.map((i: any) => [i.operation, i]));
      expect(byOperation.size).toBe(res.body.items.length);
      const routeDeclared = t.app.get(RouteDeclarations).declarations();
      expect(routeDeclared.length).toBeGreaterThan(5);
      for (const d of routeDeclared) {
        const row = byOperation.get(d.operation);
        expect(row).toMatchObject({
          purpose: d.purpose,
          legalBasis: d.legalBasis,
          legalBasisArticle: ARTICLE_6[d.legalBasis],
          legalBasisNote: d.legalBasisNote ?? null,
          dataSubjects: d.dataSubjects,
          dataCategories: d.dataCategories,
          recipients: recipientNames(d.recipients),
          retention: d.retention,
          thirdCountryTransfers: transfersOf(d.recipients),
          specialCategories: describeSpecialCategories(d.specialCategories),
        });
        expect(row.securityMeasures.length).toBeGreaterThan(0);
      }
      expect(byOperation.get('operators.create').performedBy).toEqual(['POST /api/operators']);
      // Keeping the log is itself processing, declared on ProcessingLog.record (not a route).
      expect(byOperation.get('privacy.processing-log.record')).toMatchObject({ legalBasis: 'legal_obligation', performedBy: ['ProcessingLog.record'] });
      // Nothing in the record that the code does not declare.
      const routeOps = new Set(routeDeclared.map((d) => d.operation));
      const others = res.body.items.filter((i: any) => !routeOps.has(i.operation));
      for (const o of others) expect(o.performedBy.every((w: string) => /^\w+\.\w+$/.test(w))).toBe(true);
    });

    it('includes operations that jobs and message handlers declare, and its CSV parses back to the same rows', async () => {
      t.app
        .get(ProcessingRegistry)
        .declare({ ...JOB, operation: 'test.job', purpose: 'A purpose, with a comma, "quotes"\nand a line break', legalBasisNote: ' padded ' }, 'TestJob.run');
      const json = (await t.request('GET', '/api/privacy/ropa', { token: dpo })).body;
      expect(json.items.find((i: any) => i.operation === 'test.job')).toMatchObject({ performedBy: ['TestJob.run'], legalBasis: 'legal_obligation' });

      const res = await t.request('GET', '/api/privacy/ropa?format=csv', { token: dpo });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
      expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="record-of-processing-\d{4}-\d{2}-\d{2}\.csv"/);
      const [header, ...rows] = parseCsv(res.text);
      expect(header).toEqual(ROPA_CSV_COLUMNS);
      expect(rows).toHaveLength(json.total);
      rows.forEach((row, i) => {
        const item = json.items[i];
        expect(row).toHaveLength(header.length);
        for (const [c, column] of header.entries()) {
          const value = item[column];
          expect(row[c]).toBe(Array.isArray(value) ? value.join('; ') : (value ?? '') + '');
        }
      });
      expect(rows.find((r) => r[0] === 'test.job')![1]).toBe('A purpose, with a comma, "quotes"\nand a line break');
    });
  });

  describe('the log of route executions', () => {
    it('writes an entry with the actor, the subject ids and the outcome for each declared route execution', async () => {
      const created = await t.request('POST', '/api/operators', {
        token: admin,
        body: { email: 'logged@test.local', name: 'Logged', role: 'operator', password: 'logged-password-1' },
      });
      expect(created.status).toBe(201);
      const [entry, ...more] = await logFor(created.body.id);
      expect(more).toEqual([]);
      expect(entry).toMatchObject({
        actorType: 'operator',
        actorId: adminId,
        operation: 'operators.create',
        legalBasis: 'contract',
        purpose: 'Give alarm-central staff an account and a role',
        subjectIds: [created.body.id],
        outcome: 'success',
        httpStatus: 201,
      });
      expect(entry.requestId).toEqual(created.headers.get('x-request-id'));
      expect(Date.parse(entry.at)).toBeGreaterThan(Date.now() - 60_000);

      // A list names everyone it showed.
      const list = await t.request('GET', '/api/operators', { token: admin });
      const listed = await logFor(created.body.id, (items) => items.some((i) => i.operation === 'operators.list'));
      const listEntry = listed.find((i) => i.operation === 'operators.list');
      expect(listEntry.subjectIds).toEqual(expect.arrayContaining(list.body.items.map((o: { id: string }) => o.id)));
      expect(listEntry.subjectIds).toHaveLength(list.body.total);
    });

    it('logs a refused execution with its status, and stores only ids (never the email that was sent)', async () => {
      const body = { email: 'twice@test.local', name: 'Twice', role: 'operator', password: 'twice-password-1' };
      const first = await t.request('POST', '/api/operators', { token: admin, body });
      const again = await t.request('POST', '/api/operators', { token: admin, body });
      expect(again.status).toBe(409);
      // The refused call named nobody by id, so look for it by its request id.
      const requestId = again.headers.get('x-request-id');
      let rows: any[] = [];
      for (let i = 0; i < 50 && rows.length === 0; i++) {
        rows = await t.query(`SELECT * FROM processing_log WHERE request_id = $1`, [requestId]);
        if (rows.length === 0) await new Promise((r) => setTimeout(r, 20));
      }
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ operation: 'operators.create', outcome: 'refused', http_status: 409, actor_type: 'operator', actor_id: adminId });
      const dump = JSON.stringify(await t.query(`SELECT * FROM processing_log`));
      expect(dump).not.toContain('twice@test.local');
      expect(first.status).toBe(201);
    });

    it('does not log a refused anonymous caller of a public declared route (the app log has it), and names the operator of a successful login', async () => {
      const refusedId = randomUUID();
      const res = await t.request('POST', '/api/auth/login', {
        body: { email: 'nobody@test.local', password: 'nobody-password' },
        headers: { 'x-request-id': refusedId },
      });
      expect(res.status).toBe(401);
      const loggedInId = randomUUID();
      expect((await t.request('POST', '/api/auth/login', { body: ADMIN, headers: { 'x-request-id': loggedInId } })).status).toBe(200);
      let rows: any[] = [];
      for (let i = 0; i < 50 && rows.length === 0; i++) {
        rows = await t.query(`SELECT * FROM processing_log WHERE request_id = $1`, [loggedInId]);
        if (rows.length === 0) await new Promise((r) => setTimeout(r, 20));
      }
      expect(rows[0]).toMatchObject({ operation: 'operators.login', actor_type: 'operator', actor_id: adminId, outcome: 'success', http_status: 200 });
      expect(await t.query(`SELECT * FROM processing_log WHERE request_id = $1`, [refusedId])).toEqual([]);
    });

    it('does not log routes that declare no personal data', async () => {
      const before = (await t.query(`SELECT count(*)::int AS n FROM processing_log`))[0].n;
      expect((await t.request('GET', '/health')).status).toBe(200);
      expect((await t.request('GET', '/metrics')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 50));
      expect((await t.query(`SELECT count(*)::int AS n FROM processing_log`))[0].n).toBe(before);
    });

    it('still answers when the entry cannot be written, and counts the lost entry for alerting', async () => {
      await t.query(`CREATE FUNCTION test_log_down() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'log down'; END $$`);
      await t.query(`CREATE TRIGGER test_log_down BEFORE INSERT ON processing_log FOR EACH ROW EXECUTE FUNCTION test_log_down()`);
      try {
        const res = await t.request('GET', '/api/operators', { token: admin });
        expect(res.status).toBe(200);
        expect(res.body.total).toBeGreaterThan(0);
      } finally {
        await t.query(`DROP TRIGGER test_log_down ON processing_log`);
        await t.query(`DROP FUNCTION test_log_down()`);
      }
      const metrics = await t.request('GET', '/metrics');
      expect(metrics.text).toMatch(/^keyholder_processing_log_failures_total 1$/m);
    });

    it('pages newest first and filters by time window', async () => {
      const subject = randomUUID();
      const log = t.app.get(ProcessingLog);
      for (let i = 0; i < 5; i++) {
        await log.record({ ...JOB, operation: 'test.job', purpose: `step ${i}`, actor: { type: 'system', id: 'test-job' }, subjectIds: [subject] });
      }
      const page1 = await t.request('GET', `/api/privacy/processing-log?subjectId=${subject}&limit=2`, { token: dpo });
      expect(page1.body.total).toBe(5);
      expect(page1.body.items.map((i: any) => i.purpose)).toEqual(['step 4', 'step 3']);
      // Reading a subject's log is itself processing of that subject, so it is logged under their id.
      const page2 = await t.request('GET', `/api/privacy/processing-log?subjectId=${subject}&limit=3&page=2`, { token: dpo });
      expect(page2.body.total).toBe(6);
      expect(page2.body.items.map((i: any) => i.purpose)).toEqual(['step 2', 'step 1', 'step 0']);
      expect(page2.body.items[0].seq).toBeGreaterThan(page2.body.items[1].seq);
      const newest = (await t.request('GET', `/api/privacy/processing-log?subjectId=${subject}&limit=1`, { token: dpo })).body.items[0];
      expect(newest).toMatchObject({ operation: 'privacy.processing-log.read', actorType: 'operator', legalBasis: 'legal_obligation', subjectIds: [subject] });

      const today = new Date().toISOString().slice(0, 10);
      const inWindow = await t.request('GET', `/api/privacy/processing-log?subjectId=${subject}&from=${today}&to=${today}`, { token: dpo });
      expect(inWindow.body.total).toBe(8);
      const future = await t.request('GET', `/api/privacy/processing-log?subjectId=${subject}&from=2999-01-01`, { token: dpo });
      expect(future.body).toEqual({ items: [], total: 0 });
      const past = await t.request('GET', `/api/privacy/processing-log?subjectId=${subject}&to=2000-01-01T00:00:00Z`, { token: dpo });
      expect(past.body.total).toBe(0);
      const all = await t.request('GET', `/api/privacy/processing-log`, { token: dpo });
      expect(all.body.total).toBeGreaterThan(5);
    });
  });

  describe('ProcessingLog for jobs and message handlers', () => {
    it('records one or many entries, in order, and refuses anything but ids as subjects', async () => {
      const log = t.app.get(ProcessingLog);
      const [a, b] = [randomUUID(), randomUUID()];
      await log.recordMany([
        { ...JOB, operation: 'test.job', purpose: 'first', actor: { type: 'system', id: 'retention' }, subjectIds: [a, b] },
        { ...JOB, operation: 'test.job', purpose: 'second', actor: { type: 'panel', id: randomUUID() }, subjectIds: [a], outcome: 'error' },
      ]);
      const rows = await t.query(`SELECT purpose, actor_type, subject_ids::text[] AS s, outcome FROM processing_log WHERE $1 = ANY(subject_ids) ORDER BY seq`, [
        a,
      ]);
      expect(rows).toEqual([
        { purpose: 'first', actor_type: 'system', s: [a, b], outcome: 'success' },
        { purpose: 'second', actor_type: 'panel', s: [a], outcome: 'error' },
      ]);
      const before = (await t.query(`SELECT count(*)::int AS n FROM processing_log`))[0].n;
      await expect(
        log.record({ ...JOB, operation: 'test.job', purpose: 'x', actor: { type: 'system', id: 'j' }, subjectIds: ['+46701234567'] }),
      ).rejects.toThrow(/UUIDs/);
      await expect(log.record({ ...JOB, operation: 'test.job', purpose: 'x', actor: { type: 'operator' } })).rejects.toThrow(/needs an id/);
      // Even past the service, the database takes ids only.
      await expect(
        t.query(
          `INSERT INTO processing_log (actor_type, operation, legal_basis, purpose, subject_ids, outcome) VALUES ('public', 'x', 'contract', 'x', ARRAY['Anna Lind'], 'success')`,
        ),
      ).rejects.toThrow(/uuid/);
      expect((await t.query(`SELECT count(*)::int AS n FROM processing_log`))[0].n).toBe(before);
    });

    it('writes concurrent entries together, and one bad entry does not fail the others sharing its INSERT', async () => {
      const log = t.app.get(ProcessingLog);
      const subject = randomUUID();
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) =>
          log.record({
            ...JOB,
            operation: 'test.job',
            purpose: i === 17 ? 'x'.repeat(2000) : `part ${i}`,
            actor: { type: 'system', id: 'j' },
            subjectIds: [subject],
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([
        expect.stringMatching(/processing_log_purpose_check/),
      ]);
      const rows = await t.query(`SELECT purpose FROM processing_log WHERE $1 = ANY(subject_ids)`, [subject]);
      expect(rows).toHaveLength(39);
    });

    it("writes inside the caller's transaction: rolled back, the entry is gone", async () => {
      const subject = randomUUID();
      const log = t.app.get(ProcessingLog);
      await t.app
        .get(DataSource)
        .transaction(async (manager) => {
          await log.record({ ...JOB, operation: 'test.job', purpose: 'rolled back', actor: { type: 'system', id: 'j' }, subjectIds: [subject] }, { manager });
          throw new Error('abort');
        })
        .catch(() => undefined);
      expect(await t.query(`SELECT 1 FROM processing_log WHERE $1 = ANY(subject_ids)`, [subject])).toEqual([]);
    });
  });

  describe('append-only, in the database', () => {
    for (const [table, column] of [
      ['processing_log', 'purpose'],
      ['processing_log_seal', 'hash'],
    ]) {
      it(`refuses UPDATE, DELETE and TRUNCATE of ${table}`, async () => {
        await expect(t.query(`UPDATE ${table} SET ${column} = ${column}`)).rejects.toThrow(`${table} is append-only: UPDATE refused`);
        await expect(t.query(`UPDATE ${table} SET ${column} = ${column} WHERE false`)).rejects.toThrow(/append-only/);
        await expect(t.query(`DELETE FROM ${table}`)).rejects.toThrow(`${table} is append-only: DELETE refused`);
        await expect(t.query(`TRUNCATE ${table}`)).rejects.toThrow(`${table} is append-only: TRUNCATE refused`);
        expect((await t.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n).toBeGreaterThan(0);
      });
    }
  });

  describe('the hash chain', () => {
    it('has its safety-net sealing run scheduled', () => {
      expect(t.app.get(SchedulerRegistry).getInterval('processing-log-sealer')).toBeDefined();
    });

    it('checks out on an untouched log, counting every entry', async () => {
      const before = (await t.query(`SELECT count(*)::int AS n FROM processing_log`))[0].n;
      expect(await verify()).toEqual({ ok: true, entries: before });
      const seals = await t.query(`SELECT count(*)::int AS n, count(DISTINCT seq)::int AS d FROM processing_log_seal`);
      expect(seals[0].d).toBe(seals[0].n);
    });

    it('gives the newest seal as the head, its position compared as a number (text would put 99 after 100)', async () => {
      // Past a digit boundary, where the text order differs.
      const entry = { ...JOB, operation: 'test.job', purpose: 'filler', actor: { type: 'system' as const, id: 'j' } };
      await t.app.get(ProcessingLog).recordMany(Array.from({ length: 120 }, () => entry));
      const head = (await t.request('GET', '/api/privacy/processing-log/head', { token: dpo })).body;
      const [newest] = await t.query(
        `SELECT position::int, encode(hash, 'hex') AS hash FROM processing_log_seal WHERE position = (SELECT max(position) FROM processing_log_seal)`,
      );
      expect(newest.position).toBeGreaterThan(100);
      expect(head.position).toBeGreaterThanOrEqual(newest.position);
      const [sealed] = await t.query(`SELECT encode(hash, 'hex') AS hash FROM processing_log_seal WHERE position = $1`, [head.position]);
      expect(head.hash).toBe(sealed.hash);
      expect((await t.app.get(ProcessingLogSealer).logHead())!.position).toBeGreaterThanOrEqual(newest.position);
    });

    describe("checkpoints: the whole chain is read once a night, the DPO's check starts where it last checked out", () => {
      const fromCheckpoint = async () => {
        const res = await t.request('GET', '/api/privacy/processing-log/verify?from=checkpoint', { token: dpo });
        expect(res.status).toBe(200);
        return res.body;
      };
      const newestCheckpoint = async () =>
        (await t.query(`SELECT position::int, encode(hash, 'hex') AS hash, entries::int FROM processing_log_checkpoint ORDER BY position DESC LIMIT 1`))[0];
      /** Entries written and sealed now, so they lie after the newest checkpoint. */
      const writeEntries = async (n: number) => {
        for (let i = 0; i < n; i++)
          await t.app.get(ProcessingLog).record({ ...JOB, operation: 'test.job', purpose: `after the checkpoint ${i}`, actor: { type: 'system', id: 'j' } });
        await t.app.get(ProcessingLogSealer).sealPending({ full: true });
      };

      it('a whole check that checks out records where it ended; a check from there reads only what came after', async () => {
        const whole = await verify();
        expect(whole.ok).toBe(true);
        expect(whole.from).toBeUndefined();
        const checkpoint = await newestCheckpoint();
        expect(checkpoint.entries).toBe(whole.entries);
        const [seal] = await t.query(`SELECT encode(hash, 'hex') AS hash FROM processing_log_seal WHERE position = $1`, [checkpoint.position]);
        expect(seal.hash).toBe(checkpoint.hash);

        await writeEntries(3);
        const quick = await fromCheckpoint();
        expect(quick).toMatchObject({
          ok: true,
          from: { position: checkpoint.position, hash: checkpoint.hash, entries: whole.entries, verifiedAt: expect.any(String) },
        });
        const [{ head }] = await t.query(`SELECT max(position)::int AS head FROM processing_log_seal`);
        expect(quick.entries).toBeGreaterThanOrEqual(3);
        expect(quick.entries).toBeLessThanOrEqual(head - checkpoint.position);
        // It recorded no checkpoint of its own: only a whole check vouches for everything before it.
        expect((await newestCheckpoint()).position).toBe(checkpoint.position);

        // Append-only, as the log is.
        await expect(t.query(`UPDATE processing_log_checkpoint SET entries = entries`)).rejects.toThrow(
          'processing_log_checkpoint is append-only: UPDATE refused',
        );
        await expect(t.query(`DELETE FROM processing_log_checkpoint`)).rejects.toThrow('processing_log_checkpoint is append-only: DELETE refused');
        await expect(t.query(`TRUNCATE processing_log_checkpoint`)).rejects.toThrow('processing_log_checkpoint is append-only: TRUNCATE refused');
      });

      it('from the checkpoint finds an entry altered after it; one altered before it only the nightly whole check finds', async () => {
        expect((await verify()).ok).toBe(true);
        const checkpoint = await newestCheckpoint();
        await writeEntries(2);
        const [after] = await t.query(
          `SELECT e.seq::int, e.purpose FROM processing_log e JOIN processing_log_seal s ON s.seq = e.seq WHERE s.position > $1 ORDER BY s.position LIMIT 1`,
          [checkpoint.position],
        );
        await tamper('processing_log', `UPDATE processing_log SET purpose = 'nothing to see' WHERE seq = $1`, [after.seq]);
        expect(await fromCheckpoint()).toMatchObject({ ok: false, firstBadSeq: after.seq, reason: 'entry_altered' });
        await tamper('processing_log', `UPDATE processing_log SET purpose = $2 WHERE seq = $1`, [after.seq, after.purpose]);
        expect((await fromCheckpoint()).ok).toBe(true);

        const [before] = await t.query(
          `SELECT e.seq::int, e.purpose FROM processing_log e JOIN processing_log_seal s ON s.seq = e.seq WHERE s.position < $1 ORDER BY s.position DESC LIMIT 1`,
          [checkpoint.position],
        );
        await tamper('processing_log', `UPDATE processing_log SET purpose = 'nothing to see' WHERE seq = $1`, [before.seq]);
        // Taken on trust from the checkpoint...
        expect((await fromCheckpoint()).ok).toBe(true);
        // ... and found by the whole check the scheduler runs each night.
        expect(t.app.get(SchedulerRegistry).getCronJob('processing-log-full-check')).toBeDefined();
        const check = t.app.get(ProcessingLogCheck);
        expect(await check.checkWholeChain()).toMatchObject({ ok: false, firstBadSeq: before.seq, reason: 'entry_altered' });
        await tamper('processing_log', `UPDATE processing_log SET purpose = $2 WHERE seq = $1`, [before.seq, before.purpose]);
        const night = await check.checkWholeChain();
        expect(night).toMatchObject({ ok: true });
        // It moved the checkpoint on, and left its own entry in the log.
        expect((await newestCheckpoint()).position).toBeGreaterThan(checkpoint.position);
        expect(
          await t.query(
            `SELECT 1 FROM processing_log WHERE actor_type = 'system' AND actor_id = 'processing-log-check' AND operation = 'privacy.processing-log.verify'`,
          ),
        ).not.toHaveLength(0);
      });

      it('tells when the seal at the checkpoint is no longer the one found there (the chain rebuilt or cut)', async () => {
        expect((await verify()).ok).toBe(true);
        const checkpoint = await newestCheckpoint();
        // Not at the head while it is altered: the sealer links each new seal to the head's hash, and
        // a seal linked to the altered one would break the chain for good once it is put back.
        await writeEntries(2);
        await tamper('processing_log_seal', `UPDATE processing_log_seal SET hash = sha256(hash) WHERE position = $1`, [checkpoint.position]);
        try {
          const result = await fromCheckpoint();
          expect(result).toMatchObject({ ok: false, entries: 0, reason: 'checkpoint_mismatch', from: { position: checkpoint.position } });
          expect(result.detail).toContain(`the seal at chain position ${checkpoint.position} is not the one a full check found there`);
        } finally {
          await tamper('processing_log_seal', `UPDATE processing_log_seal SET hash = decode($2, 'hex') WHERE position = $1`, [
            checkpoint.position,
            checkpoint.hash,
          ]);
        }
        expect((await fromCheckpoint()).ok).toBe(true);
      });

      it("looks for unsealed entries only after the checkpoint (no scan of the whole log); one older is the nightly check's", async () => {
        const late = await sql(t.databaseUrl);
        try {
          await late.query('BEGIN');
          const [{ seq }] = (
            await late.query(
              `INSERT INTO processing_log (actor_type, actor_id, operation, legal_basis, purpose, outcome) VALUES ('system', 'late', 'test.job', 'legal_obligation', 'older than the checkpoint', 'success') RETURNING seq::int`,
            )
          ).rows;
          await writeEntries(1);
          expect((await verify()).ok).toBe(true); // the checkpoint now lies above the open entry
          // As if its gap had expired (ten minutes): only a look below the head finds it now. Gone
          // before the commit, so no background run can seal it through the gap meanwhile.
          await t.query(`DELETE FROM processing_log_seal_gap WHERE lo <= $1 AND hi >= $1`, [seq]);
          await late.query('COMMIT');
          expect((await fromCheckpoint()).ok).toBe(true);
          expect(await t.query(`SELECT 1 FROM processing_log_seal WHERE seq = $1`, [seq])).toHaveLength(0);
          expect((await t.app.get(ProcessingLogCheck).checkWholeChain())?.ok).toBe(true);
          expect(await t.query(`SELECT 1 FROM processing_log_seal WHERE seq = $1`, [seq])).toHaveLength(1);
        } finally {
          await late.end();
        }
      });

      it('names a wrong from, and refuses it together with an anchor (an anchor is checked against the whole chain)', async () => {
        const bad = await t.request('GET', '/api/privacy/processing-log/verify?from=yesterday', { token: dpo });
        expect(bad.status).toBe(400);
        expect(bad.body.message).toEqual(['from must be "checkpoint" (or left out, to check the whole chain)']);
        const both = await t.request('GET', `/api/privacy/processing-log/verify?from=checkpoint&position=1&hash=${'0'.repeat(64)}`, { token: dpo });
        expect(both.status).toBe(400);
        expect(both.body).toMatchObject({ code: 'anchor_with_checkpoint', message: 'an anchor is checked against the whole chain: leave out from=checkpoint' });
      });
    });

    it('seals an entry whose transaction commits after later entries were sealed', async () => {
      const sealer = t.app.get(ProcessingLogSealer);
      // The scheduled run may hold the lock at this moment: wait for our own run.
      const sealNow = async () => {
        while (!(await sealer.sealPending()).locked) await new Promise((r) => setTimeout(r, 10));
      };
      const late = await sql(t.databaseUrl);
      try {
        await late.query('BEGIN');
        const [{ seq }] = (
          await late.query(
            `INSERT INTO processing_log (actor_type, actor_id, operation, legal_basis, purpose, outcome) VALUES ('system', 'late', 'test.job', 'legal_obligation', 'late', 'success') RETURNING seq::int`,
          )
        ).rows;
        await t.app.get(ProcessingLog).record({ ...JOB, operation: 'test.job', purpose: 'after', actor: { type: 'system', id: 'j' } });
        await sealNow();
        const higher = await t.query(`SELECT max(seq)::int AS m FROM processing_log_seal`);
        expect(higher[0].m).toBeGreaterThan(seq);
        // Remembered as a gap: not visible when the entries around it were sealed.
        expect(await t.query(`SELECT lo, hi FROM processing_log_seal_gap WHERE lo <= $1 AND hi >= $1`, [seq])).toHaveLength(1);
        await late.query('COMMIT');
        await sealNow(); // the quick run, not verify's full pass
        const [sealed] = await t.query(`SELECT position::int FROM processing_log_seal WHERE seq = $1`, [seq]);
        const [after] = await t.query(`SELECT position::int FROM processing_log_seal WHERE seq = $1`, [higher[0].m]);
        expect(sealed.position).toBeGreaterThan(after.position);
        // Its gap, now sealed throughout, is no longer looked at by every run.
        expect(await t.query(`SELECT lo, hi FROM processing_log_seal_gap WHERE lo <= $1 AND hi >= $1`, [seq])).toEqual([]);
      } finally {
        await late.end();
      }
      expect((await verify()).ok).toBe(true);
    });

    it('finds an altered entry at its seq, and checks out again once it is put back', async () => {
      expect((await verify()).ok).toBe(true);
      const [victim] = await t.query(`SELECT seq::int, purpose FROM processing_log WHERE operation = 'operators.create' ORDER BY seq LIMIT 1 OFFSET 1`);
      await tamper('processing_log', `UPDATE processing_log SET purpose = 'nothing to see' WHERE seq = $1`, [victim.seq]);
      const result = await verify();
      expect(result).toMatchObject({ ok: false, firstBadSeq: victim.seq, reason: 'entry_altered' });
      expect(result.entries).toBeGreaterThan(victim.seq);

      await tamper('processing_log', `UPDATE processing_log SET purpose = $2 WHERE seq = $1`, [victim.seq, victim.purpose]);
      expect((await verify()).ok).toBe(true);
      // Even a change that keeps the text but moves the time by a microsecond.
      await tamper('processing_log', `UPDATE processing_log SET at = at + interval '1 microsecond' WHERE seq = $1`, [victim.seq]);
      expect(await verify()).toMatchObject({ ok: false, firstBadSeq: victim.seq, reason: 'entry_altered' });
      await tamper('processing_log', `UPDATE processing_log SET at = at - interval '1 microsecond' WHERE seq = $1`, [victim.seq]);
      expect((await verify()).ok).toBe(true);
    });

    it('finds a deleted entry at its seq', async () => {
      const [victim] = await t.query(`SELECT seq::int FROM processing_log WHERE operation = 'operators.list' ORDER BY seq LIMIT 1`);
      await t.query(`CREATE TEMP TABLE saved_entry AS SELECT * FROM processing_log WHERE seq = $1`, [victim.seq]);
      await tamper('processing_log', `DELETE FROM processing_log WHERE seq = $1`, [victim.seq]);
      expect(await verify()).toMatchObject({ ok: false, firstBadSeq: victim.seq, reason: 'entry_deleted' });
      await t.query(`INSERT INTO processing_log OVERRIDING SYSTEM VALUE SELECT * FROM saved_entry`);
      expect((await verify()).ok).toBe(true);
    });

    it('finds a deleted seal: the chain breaks at the next seal', async () => {
      const seals = await t.query(`SELECT position::int, seq::int FROM processing_log_seal ORDER BY position LIMIT 3 OFFSET 3`);
      await tamper('processing_log_seal', `DELETE FROM processing_log_seal WHERE position = $1`, [seals[0].position]);
      const result = await verify();
      expect(result).toMatchObject({ ok: false, firstBadSeq: seals[1].seq, reason: 'seal_missing' });
      expect(result.detail).toMatch(new RegExp(`position ${seals[0].position}\\.\\.${seals[0].position}`));
      // The orphaned entry is sealed again at the end, but the break stays visible for good.
      expect(await t.query(`SELECT 1 FROM processing_log_seal WHERE seq = $1`, [seals[0].seq])).toHaveLength(1);
      expect((await verify()).ok).toBe(false);
    });

    it('with an anchor read earlier, tells a cut tail (the newest entries removed with their seals)', async () => {
      // Its own database: the cut cannot be put back for the tests after it.
      const own = await createTestApp();
      try {
        const ownDpo = await own.tokenFor('dpo');
        const get = async (path: string) => (await own.request('GET', path, { token: ownDpo })).body;
        for (let i = 0; i < 3; i++) await get('/api/privacy/processing-log');
        const head = await get('/api/privacy/processing-log/head');
        expect(head).toEqual({ position: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
        // The line logged once a minute carries the same kind of anchor.
        expect(await own.app.get(ProcessingLogSealer).logHead()).toEqual({ position: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
        const anchored = (a: { position: number; hash: string }) => get(`/api/privacy/processing-log/verify?position=${a.position}&hash=${a.hash}`);
        expect(await anchored(head)).toEqual({ ok: true, entries: expect.any(Number) });
        // The chain grows past the anchor: still fine.
        expect((await anchored(head)).ok).toBe(true);

        // Cut the tail: every entry from two before the anchor on, with its seal. In one transaction
        // holding the sealer's lock, as a careful intruder would: a seal run in flight between the two
        // DELETEs would otherwise commit a seal for an entry already gone, and the cut would show
        // without any anchor (CI saw exactly that once).
        const from = head.position - 1;
        const cutter = await sql(own.databaseUrl);
        try {
          await cutter.query('BEGIN');
          await cutter.query('SELECT pg_advisory_xact_lock($1)', [SEALER_LOCK]);
          for (const table of ['processing_log_seal', 'processing_log']) await cutter.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
          await cutter.query(
            `DELETE FROM processing_log WHERE seq IN (SELECT seq FROM processing_log_seal WHERE position >= $1) OR seq > (SELECT max(seq) FROM processing_log_seal WHERE position < $1)`,
            [from],
          );
          await cutter.query(`DELETE FROM processing_log_seal WHERE position >= $1`, [from]);
          for (const table of ['processing_log_seal', 'processing_log']) await cutter.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
          await cutter.query('COMMIT');
        } finally {
          await cutter.end();
        }

        // What is left is a valid chain: without the anchor nothing shows.
        expect((await get('/api/privacy/processing-log/verify')).ok).toBe(true);
        // With it, the chain either ends before the anchor or (new entries sealed since) differs there.
        const cut = await anchored(head);
        expect(cut).toMatchObject({ ok: false, reason: expect.stringMatching(/^anchor_(not_reached|mismatch)$/) });
        expect(cut.detail).toContain(`position ${head.position}`);

        expect(await anchored({ position: head.position, hash: '0'.repeat(64) })).toMatchObject({ ok: false });
        const half = await own.request('GET', `/api/privacy/processing-log/verify?position=${head.position}`, { token: ownDpo });
        expect(half.status).toBe(400);
        expect(half.body.code).toBe('anchor_incomplete');
        const badHash = await own.request('GET', `/api/privacy/processing-log/verify?position=1&hash=xyz`, { token: ownDpo });
        expect(badHash.status).toBe(400);
        expect(badHash.body.message).toEqual(['hash must be 64 lowercase hex characters']);
      } finally {
        await own.close();
      }
    });
  });

  describe('access and validation', () => {
    const routes = ['/api/privacy/processing-log', '/api/privacy/processing-log/verify', '/api/privacy/ropa', '/api/privacy/ropa?format=csv'];

    it('is for the DPO and admin only: 401 without a token, 403 for operators and supervisors', async () => {
      const operator = await t.tokenFor('operator');
      const supervisor = await t.tokenFor('supervisor');
      for (const path of routes) {
        expect([path, (await t.request('GET', path)).status]).toEqual([path, 401]);
        expect([path, (await t.request('GET', path, { token: operator })).status]).toEqual([path, 403]);
        expect([path, (await t.request('GET', path, { token: supervisor })).status]).toEqual([path, 403]);
        expect([path, (await t.request('GET', path, { token: dpo })).status]).toEqual([path, 200]);
        expect([path, (await t.request('GET', path, { token: admin })).status]).toEqual([path, 200]);
      }
    });

    it.each([
      ['subjectId=not-a-uuid', /subjectId must be a UUID/],
      ['from=yesterday', /from must be an ISO 8601 date/],
      ['to=2025-13-45', /to must be an ISO 8601 date/],
      ['from=2025-W05-1', /from must be a calendar date/],
      ['from=2025-02-01&to=2025-01-01', /from must be before to/],
      ['page=0', /page must be at least 1/],
      ['page=two', /page must be a whole number/],
      ['limit=501', /limit must be at most 500/],
      ['color=red', /property color should not exist/],
    ])('refuses ?%s with 400 naming the field', async (query, message) => {
      const res = await t.request('GET', `/api/privacy/processing-log?${query}`, { token: dpo });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.message)).toMatch(message);
    });

    it('refuses an unknown ROPA format with 400', async () => {
      const res = await t.request('GET', '/api/privacy/ropa?format=xml', { token: dpo });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.message)).toMatch(/format must be json or csv/);
    });
  });
});

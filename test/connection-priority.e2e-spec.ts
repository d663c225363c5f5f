import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { asPerson, inBackground, PeopleFirstPool, type PoolLike } from '../src/database/connection-priority.js';
import { AlarmFixtures, waitUntil } from './support/alarm-fixtures.js';
import { createTestApp, type TestApp } from './support/test-app.js';

type Client = pg.PoolClient;

/** Takes a connection the way TypeORM does (callback style); resolves with the client and its release. */
function take(pool: PoolLike): Promise<{ client: Client; release: (e?: Error) => void }> {
  return new Promise((resolve, reject) => {
    pool.connect((err, client, release) => (err ? reject(err) : resolve({ client: client as unknown as Client, release })));
  });
}

/** Lets every callback and promise that is ready run (no clock involved). */
const settle = () => new Promise((r) => setImmediate(r));

describe('connection priority: people before machines (real PostgreSQL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  describe('PeopleFirstPool', () => {
    const pools: pg.Pool[] = [];
    const poolOf = (max: number, connectionTimeoutMillis = 0) => {
      const pool = new pg.Pool({ connectionString: t.databaseUrl, max, connectionTimeoutMillis });
      pools.push(pool);
      return { pool, people: new PeopleFirstPool(pool as unknown as PoolLike) };
    };
    afterAll(async () => Promise.all(pools.map((p) => p.end())));

    it('gives the next free connection to a person who asked after machines, and keeps the machines in their order', async () => {
      const { pool } = poolOf(2);
      const held = [await take(pool as unknown as PoolLike), await take(pool as unknown as PoolLike)];
      const order: string[] = [];
      const waiting = [
        ...['m1', 'm2', 'm3'].map((name) => take(pool as unknown as PoolLike).then((c) => (order.push(name), c))),
        asPerson(() => take(pool as unknown as PoolLike)).then((c) => (order.push('person'), c)),
      ];
      await settle();
      expect(order).toEqual([]);

      held[0].release();
      await waitUntil(async () => order.length === 1, 5000, 'the first grant');
      expect(order).toEqual(['person']);

      (await waiting[3]).release(); // the person's goes back: to m1, the first machine
      held[1].release(); // to m2
      (await waiting[0]).release(); // to m3
      const [m2, m3] = await Promise.all([waiting[1], waiting[2]]);
      expect(order).toEqual(['person', 'm1', 'm2', 'm3']);
      // Granted connections work, and each goes back once.
      for (const c of [m2, m3]) {
        expect((await c.client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
        c.release();
      }
      await settle();
      expect(pool.totalCount).toBeLessThanOrEqual(2);
      expect((await pool.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    });

    it('frees a slot once however the client is released (release callback and client.release)', async () => {
      const { pool, people } = poolOf(1);
      const first = await take(pool as unknown as PoolLike);
      const second = take(pool as unknown as PoolLike);
      const third = take(pool as unknown as PoolLike);
      await settle();
      expect(people.waiting).toEqual({ people: 0, machines: 2 });
      first.release();
      first.client.release(); // a second release must not free a second slot
      const s = await second;
      await settle();
      expect(people.waiting).toEqual({ people: 0, machines: 1 });
      s.client.release();
      (await third).release();
      expect((await pool.query('SELECT 3 AS three')).rows).toEqual([{ three: 3 }]);
    });

    it('background work started inside a request queues as a machine, and so do the timers it arms', async () => {
      const { pool, people } = poolOf(1);
      const held = await take(pool as unknown as PoolLike);
      const inRequest = asPerson(() => ({
        own: take(pool as unknown as PoolLike),
        worker: inBackground(() => new Promise<Awaited<ReturnType<typeof take>>>((resolve) => setTimeout(() => resolve(take(pool as unknown as PoolLike)), 1))),
      }));
      await waitUntil(async () => people.waiting.machines === 1 || undefined, 5000, 'the worker to queue');
      expect(people.waiting).toEqual({ people: 1, machines: 1 });
      held.release();
      (await inRequest.own).release();
      (await inRequest.worker).release();
    });

    it("a caller waiting past connectionTimeoutMillis gets pg's own timeout error (the app answers it with 503)", async () => {
      const { pool, people } = poolOf(1, 300);
      const held = await take(pool as unknown as PoolLike);
      await expect(take(pool as unknown as PoolLike)).rejects.toThrow('timeout exceeded when trying to connect');
      expect(people.waiting).toEqual({ people: 0, machines: 0 });
      held.release();
      // pool.query and a promise-style connect go through the same slots.
      expect((await pool.query('SELECT 4 AS four')).rows).toEqual([{ four: 4 }]);
      const client = await pool.connect();
      client.release();
    });

    it('a held connection that the server ends, with nobody listening on it, does not take the process down; the pool replaces it', async () => {
      const { pool } = poolOf(1);
      const held = await take(pool as unknown as PoolLike);
      const [{ pid }] = (await held.client.query('SELECT pg_backend_pid() AS pid')).rows as Array<{ pid: number }>;
      const ended = new Promise((resolve) => held.client.once('end', resolve));
      // What a database restart does to every connection: FATAL 57P01 while no query runs on it.
      // Without a listener of the pool's own, pg's 'error' event would throw out of the socket handler.
      await t.query('SELECT pg_terminate_backend($1)', [pid]);
      await ended;
      held.release();
      expect((await pool.query('SELECT 5 AS five')).rows).toEqual([{ five: 5 }]);
    });
  });

  it("the app: an operator's request is served before panel work queued for the full pool", async () => {
    const f = await AlarmFixtures.create(t, 8800);
    const pool = (t.app.get(DataSource).driver as unknown as { master: PoolLike }).master;
    const max = pool.options.max!;
    const gauges = async () => {
      const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
      const gauge = (name: string) => Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1]);
      return {
        inUse: gauge('keyholder_db_connections_in_use'),
        people: gauge('keyholder_db_connections_waiting{for="people"}'),
        machines: gauge('keyholder_db_connections_waiting{for="machines"}'),
      };
    };
    // A quiet start: the fixtures' requests write their processing-log entries just after answering,
    // and one of those queued behind the full pool would count as the operator's.
    await waitUntil(async () => (await gauges()).inUse === 0 || undefined, 10_000, 'the pool to be idle');

    // Machine work holds every connection, and 30 more machine callers queue behind it. Each keeps
    // what it gets until the end; a caller left waiting past the pool's timeout gives up (as the
    // app's own would, with a 503).
    const held = await Promise.all(Array.from({ length: max }, () => take(pool)));
    const machines: Array<{ release: () => void }> = [];
    let gaveUp = 0;
    try {
      for (let i = 0; i < 30; i++)
        take(pool).then(
          (c) => void machines.push(c),
          () => void gaveUp++,
        );
      await settle();
      expect(machines).toHaveLength(0);
      // What an operations dashboard sees meanwhile (the scrape needs no connection). The 30, and
      // any step of the escalation engine's once-a-second sweep that queued meanwhile.
      const full = await gauges();
      expect(full).toEqual({ inUse: max, people: 0, machines: expect.any(Number) });
      expect(full.machines).toBeGreaterThanOrEqual(30);

      let answered: number | undefined;
      const read = t.request('GET', '/api/alarms?status=open', { token: f.tokens.operator }).then((r) => (answered = r.status));
      // Only once the operator's query is queued too: freed earlier, a connection rightly goes to a machine.
      await waitUntil(async () => (await gauges()).people > 0 || undefined, 10_000, "the operator's query to queue");
      // Free the held connections one at a time, each once the last one freed has been taken. First
      // come, first served, all 30 machines would take them first and the operator would get none;
      // people first, the operator's queries take them, and a machine gets one only between two of them.
      for (let i = 0; i < max && answered === undefined; i++) {
        const before = machines.length;
        held[i].release();
        await waitUntil(async () => answered !== undefined || machines.length > before || undefined, 10_000, 'the freed connection to be taken');
      }
      await read;
      expect({ answered, gaveUp }).toEqual({ answered: 200, gaveUp: 0 });
      expect(machines.length).toBeLessThan(10);
    } finally {
      // Whatever happened above, the app gets its connections back (or closing it would hang).
      for (const h of held) h.release();
      await waitUntil(async () => machines.length + gaveUp === 30 || undefined, 10_000, 'every machine caller served');
      for (const c of machines) c.release();
    }
  });
});

import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { requestKind } from '../common/request-kind.js';

/**
 * People before machines, for pooled database connections.
 *
 * In an alarm storm, panels' signals fill every pooled connection and queue for more. pg's pool
 * serves its queue first come first served, so an operator reading the alarm queue waited behind
 * hundreds of panel transactions: 4-5 s per answer while the events came in (bench:storm). The
 * dashboard is what the operators handle the storm with, and a reply code texted by an owner stops
 * an escalation, so both go first.
 *
 * How: at most `max` connections are asked of the pool at once, so the pool's own queue stays empty
 * and the order is decided here, in two queues: people first, then everything else in arrival order
 * (panels, the escalation engine and the SMS outbox keep the order they had). Work runs as a
 * person's when it runs inside `asPerson` (the HTTP middleware below does that for every request
 * that is not a machine's); the context follows the request through every await.
 */
const person = new AsyncLocalStorage<true>();

/** Runs `fn` with a person's priority for the connections it asks for. */
export const asPerson = <T>(fn: () => T): T => person.run(true, fn);

/**
 * Runs `fn` as background work, whoever started it. The context follows every promise and timer, so
 * a worker loop (the SMS outbox, the escalation engine, the log sealer) kicked by an operator's
 * request would otherwise take people's place for as long as it runs, and every timer it re-arms
 * would carry that on.
 */
export const inBackground = <T>(fn: () => T): T => person.exit(fn);

/** Express middleware: every request except a panel's signal or a provider's callback is a person's. */
export function peopleFirst(req: Request, _res: Response, next: NextFunction): void {
  if (requestKind(req.method, req.originalUrl) === 'machine') next();
  else asPerson(next);
}

/** What pg's Pool offers and TypeORM's driver calls (callback style). */
type Release = (err?: Error | boolean) => void;
type ConnectCallback = (err: Error | undefined, client: ({ release: Release } & object) | undefined, release: Release) => void;
export interface PoolLike {
  connect(cb?: ConnectCallback): void | Promise<unknown>;
  options: { max?: number; connectionTimeoutMillis?: number };
}

/** pg's own words for a connection that did not come in time, so errors map the same way (503). */
const TIMEOUT_MESSAGE = 'timeout exceeded when trying to connect';

export class PeopleFirstPool {
  private used = 0;
  private readonly people: Array<() => void> = [];
  private readonly machines: Array<() => void> = [];
  private readonly connect: (cb: ConnectCallback) => void;
  private readonly max: number;
  private readonly timeoutMs: number;

  constructor(pool: PoolLike) {
    this.connect = pool.connect.bind(pool);
    this.max = pool.options.max ?? 10;
    this.timeoutMs = pool.options.connectionTimeoutMillis ?? 0;
    // TypeORM and pool.query() call connect with a callback; a promise-style caller gets the same slots.
    pool.connect = ((cb?: ConnectCallback) =>
      cb ? this.acquire(cb) : new Promise((resolve, reject) => this.acquire((err, client) => (err ? reject(err) : resolve(client))))) as PoolLike['connect'];
  }

  /** Connections handed out and not yet released. */
  get inUse(): number {
    return this.used;
  }

  /** Waiting for a connection now: people, machines. */
  get waiting(): { people: number; machines: number } {
    return { people: this.people.length, machines: this.machines.length };
  }

  private acquire(cb: ConnectCallback): void {
    const go = () => this.take(cb);
    if (this.used < this.max) return go();
    const queue = person.getStore() ? this.people : this.machines;
    let timer: NodeJS.Timeout | undefined;
    const waiter = () => {
      if (timer) clearTimeout(timer);
      go();
    };
    queue.push(waiter);
    if (this.timeoutMs > 0) {
      timer = setTimeout(() => {
        const at = queue.indexOf(waiter);
        if (at < 0) return;
        queue.splice(at, 1);
        cb(new Error(TIMEOUT_MESSAGE), undefined, () => undefined);
      }, this.timeoutMs);
      timer.unref();
    }
  }

  private take(cb: ConnectCallback): void {
    this.used++;
    this.connect((err, client, release) => {
      if (err || !client) {
        this.freed();
        return cb(err, client, release);
      }
      let done = false;
      keepErrorsHeard(client as unknown as ListenedClient);
      const stuck = giveUpOnStuck(client as unknown as QueryingClient);
      const once: Release = (e) => {
        if (done) return;
        done = true;
        // A connection whose query went unanswered is dropped, not given to the next caller.
        release(e || stuck());
        this.freed();
      };
      // pg also puts release on the client; whichever the caller uses, the slot is freed once.
      client.release = once;
      cb(undefined, client, once);
    });
  }

  private freed(): void {
    this.used--;
    const next = this.people.shift() ?? this.machines.shift();
    if (next) next();
  }
}

/** pg's message when a query was sent and no answer came within `query_timeout`. */
export const QUERY_TIMEOUT_MESSAGE = 'Query read timeout';

interface QueryingClient {
  query: (...args: unknown[]) => unknown;
}

/**
 * A server that stops answering (paused, or cut off) cannot cancel anything: pg then gives up on
 * the query after `query_timeout`, but the connection still waits for that answer, and whatever is
 * sent next on it (the ROLLBACK that follows the error) would wait the whole timeout again. So once
 * a query on this connection went unanswered, every later one fails at once, and the connection is
 * dropped when released. Returns whether that happened.
 */
function giveUpOnStuck(client: QueryingClient): () => boolean {
  // The pool hands the same client out again and again: it is watched once, for its whole life.
  const known = watched.get(client);
  if (known) return known;
  let stuck = false;
  const query = client.query.bind(client);
  const failed = () => new Error(QUERY_TIMEOUT_MESSAGE);
  client.query = (...args: unknown[]) => {
    const callback = typeof args[args.length - 1] === 'function' ? (args[args.length - 1] as (e: Error) => void) : undefined;
    if (stuck) {
      if (callback) return void process.nextTick(() => callback(failed()));
      return Promise.reject(failed());
    }
    const watch = (e: unknown) => {
      if ((e as Error | undefined)?.message === QUERY_TIMEOUT_MESSAGE) stuck = true;
    };
    if (callback) {
      args[args.length - 1] = (e: Error, ...rest: unknown[]) => {
        watch(e);
        callback(e, ...(rest as []));
      };
      return query(...args);
    }
    const result = query(...args);
    if (result && typeof (result as Promise<unknown>).catch === 'function') {
      return (result as Promise<unknown>).catch((e: unknown) => {
        watch(e);
        throw e;
      });
    }
    return result;
  };
  const isStuck = () => stuck;
  watched.set(client, isStuck);
  return isStuck;
}

const watched = new WeakMap<QueryingClient, () => boolean>();

interface ListenedClient {
  on(event: 'error', listener: (e: Error) => void): unknown;
  listenerCount(event: 'error'): number;
}

const heard = new WeakSet<ListenedClient>();
const poolLogger = new Logger('DatabasePool');

/**
 * pg emits 'error' on a connection that the server ends (a restart, a failover, an administrator's
 * terminate) even when no query is running on it, and an 'error' event nobody listens to throws out
 * of the socket handler and ends the process. The pool listens while a connection is idle and
 * TypeORM while it holds one, but not in every moment between (one such gap took a test app down
 * when its database stopped). The next query on that connection fails anyway and the pool drops it,
 * so a listener that is always there only has to keep the process alive and say what happened.
 */
function keepErrorsHeard(client: ListenedClient): void {
  if (heard.has(client)) return;
  heard.add(client);
  client.on('error', (e) => {
    if (client.listenerCount('error') === 1) poolLogger.warn(`a pooled database connection broke while nothing was listening: ${e.message}`);
  });
}

/** Puts the app's pool behind PeopleFirstPool. */
export function prioritisePeople(dataSource: DataSource): PeopleFirstPool {
  const pool = (dataSource.driver as unknown as { master?: PoolLike }).master;
  if (!pool) throw new Error('prioritisePeople: the data source has no pool (not initialised?)');
  return new PeopleFirstPool(pool);
}

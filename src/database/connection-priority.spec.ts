import { EventEmitter } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import { PeopleFirstPool, QUERY_TIMEOUT_MESSAGE, type PoolLike } from './connection-priority.js';

/** A pool of one connection, handed out again and again as pg-pool does. */
function poolOfOne() {
  const released: unknown[] = [];
  // An event emitter, as a pg client is: the pool keeps an error listener on each connection.
  const client = Object.assign(new EventEmitter(), {
    calls: 0,
    answer: 'ok' as 'ok' | 'timeout',
    async query(): Promise<string> {
      this.calls += 1;
      if (this.answer === 'timeout') throw new Error(QUERY_TIMEOUT_MESSAGE);
      return 'ok';
    },
    release: (() => undefined) as (e?: unknown) => void,
  });
  const pool: PoolLike = {
    options: { max: 2 },
    connect(cb?: (err: Error | undefined, c: any, release: (e?: unknown) => void) => void) {
      cb!(undefined, client, (e?: unknown) => released.push(e));
    },
  };
  new PeopleFirstPool(pool);
  const acquire = () => new Promise<typeof client>((resolve) => pool.connect((_e: Error | undefined, c: any) => resolve(c)));
  return { client, acquire, released };
}

describe('PeopleFirstPool and unanswered queries', () => {
  it('watches a reused connection once: its query is wrapped on the first acquire only', async () => {
    const { acquire } = poolOfOne();
    const first = await acquire();
    const wrapped = first.query;
    first.release();
    const again = await acquire();
    expect(again.query).toBe(wrapped);
    again.release();
  });

  it('after a query went unanswered, the next one fails at once and the connection is dropped on release', async () => {
    const { client, acquire, released } = poolOfOne();
    const c = await acquire();
    c.answer = 'timeout';
    await expect(c.query()).rejects.toThrow(QUERY_TIMEOUT_MESSAGE);
    c.answer = 'ok';
    await expect(c.query()).rejects.toThrow(QUERY_TIMEOUT_MESSAGE); // the ROLLBACK does not wait again
    expect(client.calls).toBe(1);
    c.release();
    expect(released).toEqual([true]);
  });
});

import { describe, expect, it } from '@jest/globals';
import { Clock } from './clock.js';
import { LoadedCache } from './loaded-cache.js';

class TestClock extends Clock {
  ms = 0;
  now(): Date {
    return new Date(this.ms);
  }
}

describe('LoadedCache', () => {
  const setup = (max = 10) => {
    const clock = new TestClock();
    const cache = new LoadedCache<string>(clock, 1000, max);
    let reads = 0;
    const rows = new Map([
      ['a', 'A1'],
      ['b', 'B1'],
      ['c', 'C1'],
    ]);
    const load = async (k: string) => {
      reads += 1;
      return rows.get(k);
    };
    return { clock, cache, rows, load, reads: () => reads };
  };

  it('reads once, then serves from memory until the time limit', async () => {
    const { clock, cache, rows, load, reads } = setup();
    expect(await cache.get('a', load)).toEqual({ value: 'A1', cached: false });
    rows.set('a', 'A2');
    expect(await cache.get('a', load)).toEqual({ value: 'A1', cached: true });
    clock.ms = 1000;
    expect(await cache.get('a', load)).toEqual({ value: 'A2', cached: false });
    expect(reads()).toBe(2);
  });

  it('forgets one key or all of them at once', async () => {
    const { cache, rows, load } = setup();
    await cache.get('a', load);
    await cache.get('b', load);
    rows.set('a', 'A2');
    rows.set('b', 'B2');
    cache.forget('a');
    expect(await cache.get('a', load)).toEqual({ value: 'A2', cached: false });
    expect(await cache.get('b', load)).toEqual({ value: 'B1', cached: true });
    cache.forgetAll();
    expect(await cache.get('b', load)).toEqual({ value: 'B2', cached: false });
  });

  it('does not keep what was read while a change arrived, nor what was not found', async () => {
    const { cache, rows, load, reads } = setup();
    const slow = async (k: string) => {
      const v = await load(k);
      cache.forget(k); // the change lands while the read is under way
      return v;
    };
    expect(await cache.get('a', slow)).toEqual({ value: 'A1', cached: false });
    expect(await cache.get('a', load)).toEqual({ value: 'A1', cached: false });
    expect(await cache.get('x', load)).toBeUndefined();
    rows.set('x', 'X1');
    expect(await cache.get('x', load)).toEqual({ value: 'X1', cached: false });
    expect(reads()).toBe(4);
  });

  it('holds at most maxEntries, dropping the oldest', async () => {
    const { cache, load } = setup(2);
    await cache.get('a', load);
    await cache.get('b', load);
    await cache.get('c', load);
    expect(await cache.get('a', load)).toEqual({ value: 'A1', cached: false });
    expect(await cache.get('c', load)).toEqual({ value: 'C1', cached: true });
  });
});

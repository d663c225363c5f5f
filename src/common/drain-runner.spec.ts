import { describe, expect, it } from '@jest/globals';
import { DrainRunner } from './drain-runner.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A pass that waits until released, recording how many ran and the most that ran at once. */
function gatedWork() {
  const seen = { passes: 0, atOnce: 0, maxAtOnce: 0 };
  let release: () => void = () => undefined;
  const pass = async () => {
    seen.passes++;
    seen.atOnce++;
    seen.maxAtOnce = Math.max(seen.maxAtOnce, seen.atOnce);
    await new Promise<void>((resolve) => (release = resolve));
    seen.atOnce--;
  };
  return { seen, pass, release: () => release() };
}

describe('DrainRunner', () => {
  it('runs one pass per kick when idle, and one more (not one per kick) for kicks during a pass', async () => {
    const work = gatedWork();
    const runner = new DrainRunner({ pass: work.pass, onError: () => undefined });
    runner.kick();
    await tick();
    expect(work.seen.passes).toBe(1);
    runner.kick();
    runner.kick();
    runner.kick();
    work.release();
    await tick();
    expect(work.seen.passes).toBe(2);
    work.release();
    await runner.idle();
    expect(work.seen.passes).toBe(2);
    expect(work.seen.maxAtOnce).toBe(1);
    runner.kick();
    await tick();
    expect(work.seen.passes).toBe(3);
    work.release();
    await runner.idle();
  });

  it('reports a failed pass and runs again at the next kick', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const runner = new DrainRunner({
      pass: async () => {
        calls++;
        if (calls === 1) throw new Error('database away');
      },
      onError: (e) => errors.push(e),
    });
    runner.kick();
    await runner.idle();
    expect(errors).toEqual([new Error('database away')]);
    expect(runner.busy).toBe(false);
    runner.kick();
    await runner.idle();
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
  });

  it('is not stuck when a pass throws before its first await', async () => {
    let calls = 0;
    const runner = new DrainRunner({
      pass: (() => {
        calls++;
        throw new Error('synchronous');
      }) as () => Promise<void>,
      onError: () => undefined,
    });
    runner.kick();
    await runner.idle();
    runner.kick();
    await runner.idle();
    expect(calls).toBe(2);
  });

  it('stop waits for the running pass, asks for no more, and ignores later kicks', async () => {
    const work = gatedWork();
    const runner = new DrainRunner({ pass: work.pass, onError: () => undefined });
    runner.kick();
    await tick();
    runner.kick();
    let stopped = false;
    const stopping = runner.stop().then(() => (stopped = true));
    await tick();
    expect(stopped).toBe(false);
    expect(runner.stopped).toBe(true);
    work.release();
    await stopping;
    runner.kick();
    await tick();
    expect(work.seen.passes).toBe(1);
  });

  it('lets the kicker finish its turn first when asked to', async () => {
    const order: string[] = [];
    const runner = new DrainRunner({ pass: async () => void order.push('pass'), onError: () => undefined, yieldFirst: true });
    runner.kick();
    await Promise.resolve();
    order.push('kicker');
    await runner.idle();
    expect(order).toEqual(['kicker', 'pass']);
  });
});

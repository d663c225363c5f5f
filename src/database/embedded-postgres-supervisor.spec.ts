import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { EmbeddedDatabaseState } from './embedded-database-state.js';
import { EmbeddedPostgresSupervisor, restartDelayMs, type ServerProcess } from './embedded-postgres-supervisor.js';

type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** A fake postmaster: `die()` ends it as a kill would. */
function proc(pid: number): ServerProcess & { die(exit?: Exit): void } {
  let die!: (exit: Exit) => void;
  const exited = new Promise<Exit>((resolve) => (die = resolve));
  return { pid, exited, die: (exit = { code: null, signal: 'SIGKILL' }) => die(exit) };
}

describe('EmbeddedPostgresSupervisor', () => {
  let lines: Array<[string, string]>;
  const log = { error: (l: string) => lines.push(['error', l]), info: (l: string) => lines.push(['info', l]) };

  beforeEach(() => {
    lines = [];
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('backs off 0.5 s, 1 s, 2 s, ... up to 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10].map(restartDelayMs)).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it('logs a death at once naming the process, restarts after backoff, and keeps trying until it starts', async () => {
    const first = proc(100);
    const next = proc(200);
    const restart = jest
      .fn<() => Promise<ServerProcess>>()
      .mockRejectedValueOnce(new Error('pre-existing shared memory block is still in use'))
      .mockResolvedValueOnce(next);
    const state = new EmbeddedDatabaseState();
    new EmbeddedPostgresSupervisor(first, { restart, stop: async () => undefined }, state, log);
    expect(state).toMatchObject({ phase: 'running', pid: 100 });

    first.die();
    await jest.advanceTimersByTimeAsync(0);
    expect(lines).toEqual([['error', 'embedded PostgreSQL (pid 100) exited with signal SIGKILL; restarting']]);
    expect(state).toMatchObject({ phase: 'restarting', lastExit: { pid: 100, signal: 'SIGKILL' } });

    await jest.advanceTimersByTimeAsync(499);
    expect(restart).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(restart).toHaveBeenCalledTimes(1);
    expect(lines[1]).toEqual([
      'error',
      'embedded PostgreSQL did not start again (attempt 1): pre-existing shared memory block is still in use; next attempt in 1 s',
    ]);
    expect(state).toMatchObject({ phase: 'restarting', attempts: 1 });

    await jest.advanceTimersByTimeAsync(1000);
    expect(restart).toHaveBeenCalledTimes(2);
    expect(state).toMatchObject({ phase: 'running', pid: 200, restarts: 1, attempts: 0 });
    expect(lines[2][0]).toBe('info');
    expect(lines[2][1]).toMatch(/^embedded PostgreSQL is running again \(pid 200\) after 1\.5 s down$/);

    // The restarted one is supervised too, starting again from the shortest wait.
    next.die({ code: 1, signal: null });
    await jest.advanceTimersByTimeAsync(0);
    expect(lines[3]).toEqual(['error', 'embedded PostgreSQL (pid 200) exited with code 1; restarting']);
  });

  it('does not restart what it was asked to stop, nor a server that dies while stopping', async () => {
    const first = proc(100);
    const restart = jest.fn<() => Promise<ServerProcess>>();
    const stop = jest.fn(async () => first.die({ code: 0, signal: null }));
    const state = new EmbeddedDatabaseState();
    const supervisor = new EmbeddedPostgresSupervisor(first, { restart, stop }, state, log);
    await supervisor.stop();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(stop).toHaveBeenCalledTimes(1);
    expect(restart).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
    expect(state.phase).toBe('stopped');
  });

  it('stopped while restarting: cancels the next attempt and does not wait for a dead server', async () => {
    const first = proc(100);
    const restart = jest.fn<() => Promise<ServerProcess>>();
    const stop = jest.fn(async () => undefined);
    const state = new EmbeddedDatabaseState();
    const supervisor = new EmbeddedPostgresSupervisor(first, { restart, stop }, state, log);
    first.die();
    await jest.advanceTimersByTimeAsync(0);
    await supervisor.stop();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(restart).not.toHaveBeenCalled();
    expect(stop).not.toHaveBeenCalled(); // the package's stop() waits for an exit that already happened
    expect(state.phase).toBe('stopped');
  });

  it('stopped during a restart attempt: stops the server that attempt started', async () => {
    const first = proc(100);
    const next = proc(200);
    let started!: (p: ServerProcess) => void;
    const restart = jest.fn(() => new Promise<ServerProcess>((resolve) => (started = resolve)));
    const stop = jest.fn(async () => next.die({ code: 0, signal: null }));
    const state = new EmbeddedDatabaseState();
    const supervisor = new EmbeddedPostgresSupervisor(first, { restart, stop }, state, log);
    first.die();
    await jest.advanceTimersByTimeAsync(500);
    expect(restart).toHaveBeenCalledTimes(1);
    const stopping = supervisor.stop();
    started(next);
    await stopping;
    expect(stop).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(restart).toHaveBeenCalledTimes(1);
    expect(state.phase).toBe('stopped');
  });
});

import type { EmbeddedDatabaseState } from './embedded-database-state.js';

/** A running postmaster, and how it ended once it has. */
export interface ServerProcess {
  pid: number | undefined;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Where the supervisor reports: the app's logger in `main.ts` (error and info levels). */
export interface SupervisionLog {
  error(line: string): void;
  info(line: string): void;
}

/** Waits before restart attempt n (0-based): 0.5 s, 1 s, 2 s, 4 s, ... at most 30 s. */
export function restartDelayMs(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 30_000);
}

/**
 * Brings the embedded PostgreSQL back whenever it dies without being asked to stop (kill -9, the
 * OOM killer, a crash): without this the app answered 503 and every escalation waited until a
 * person restarted the app. The death is logged at once, as an error naming the process; restarts
 * are tried on the same port and data directory with backoff, for as long as it takes. The app's
 * connections need no help: the pool, the notification listener and the health probe reconnect by
 * themselves, and the escalation engine's sweep runs every step that fell due meanwhile.
 */
export class EmbeddedPostgresSupervisor {
  private current!: ServerProcess;
  private gone = false;
  private stopping = false;
  private timer?: NodeJS.Timeout;
  private attempt?: Promise<void>;

  constructor(
    first: ServerProcess,
    private readonly server: { restart(): Promise<ServerProcess>; stop(): Promise<void> },
    readonly state: EmbeddedDatabaseState,
    private readonly log: SupervisionLog,
  ) {
    this.watch(first);
    state.running(first.pid);
  }

  /** Stops supervising, then the server (if it is running, or as soon as a restart in progress ends). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.attempt?.catch(() => undefined);
    if (!this.gone) await this.server.stop();
    this.state.stopped();
  }

  private watch(proc: ServerProcess): void {
    this.current = proc;
    this.gone = false;
    void proc.exited.then(({ code, signal }) => {
      if (this.current !== proc) return;
      this.gone = true;
      if (this.stopping) return;
      this.state.died({ pid: proc.pid ?? 0, code, signal, at: new Date() });
      this.log.error(`embedded PostgreSQL (pid ${proc.pid ?? 'unknown'}) exited with ${signal ? `signal ${signal}` : `code ${code ?? 'unknown'}`}; restarting`);
      this.schedule();
    });
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.attempt = this.restart().finally(() => (this.attempt = undefined));
    }, restartDelayMs(this.state.attempts));
  }

  private async restart(): Promise<void> {
    if (this.stopping) return;
    try {
      const proc = await this.server.restart();
      this.watch(proc);
      if (this.stopping) return; // stop() is waiting for this attempt, and stops what it started
      const downMs = Date.now() - (this.state.lastExit?.at.getTime() ?? Date.now());
      this.state.running(proc.pid);
      this.log.info(`embedded PostgreSQL is running again (pid ${proc.pid ?? 'unknown'}) after ${(downMs / 1000).toFixed(1)} s down`);
    } catch (e) {
      if (this.stopping) return;
      this.state.attempts += 1;
      const next = restartDelayMs(this.state.attempts);
      this.log.error(`embedded PostgreSQL did not start again (attempt ${this.state.attempts}): ${(e as Error).message}; next attempt in ${next / 1000} s`);
      this.schedule();
    }
  }
}

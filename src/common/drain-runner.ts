import { inBackground } from '../database/connection-priority.js';

export interface DrainRunnerOptions {
  /**
   * One pass over the work there is now. It should look at `runner.stopped` between items and return
   * early when it is set. A pass that throws is reported to `onError`; the next kick tries again.
   */
  pass: () => Promise<void>;
  onError: (e: unknown) => void;
  /**
   * Let the caller that kicked finish its turn before the first pass (it is usually answering a
   * request or committing a batch, and its siblings land in the same pass).
   */
  yieldFirst?: boolean;
  /**
   * While kicks keep coming during passes, wait this long between passes: under a steady stream of
   * work, rounds cost less than chasing every kick.
   */
  pauseBetweenPassesMs?: number;
}

/**
 * "Work appears, drain it once, never twice at once, stop cleanly", for the background workers that
 * empty a table (the SMS dispatcher, due escalation steps, the processing-log sealer, deletions at the
 * provider):
 * - `kick()` is cheap and never throws: it starts a pass, or, when one is running, asks for one more
 *   right after it, so work that appeared mid-pass is never missed and two passes never overlap;
 * - passes run as background work (`inBackground`): an operator's request that kicked them does not
 *   lend them its place in the connection queue;
 * - `stop()` refuses new passes and waits for the running one; `idle()` waits until none runs.
 * Across instances the tables' row claims (FOR UPDATE SKIP LOCKED) keep work apart; this keeps the
 * passes of one instance apart.
 */
export class DrainRunner {
  private running?: Promise<void>;
  private again = false;
  private isStopped = false;

  constructor(private readonly options: DrainRunnerOptions) {}

  get stopped(): boolean {
    return this.isStopped;
  }

  /** True while a pass runs (or is about to). */
  get busy(): boolean {
    return this.running !== undefined;
  }

  kick(): void {
    if (this.isStopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = inBackground(() => this.drain());
  }

  /** Resolves when no pass is running, including passes asked for while waiting. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    await this.idle();
  }

  private async drain(): Promise<void> {
    try {
      // Never finish synchronously: `running` is assigned after this returns its promise.
      await (this.options.yieldFirst ? new Promise((resolve) => setImmediate(resolve)) : Promise.resolve());
      for (;;) {
        this.again = false;
        try {
          await this.options.pass();
        } catch (e) {
          if (!this.isStopped) this.options.onError(e);
          return;
        }
        if (!this.again || this.isStopped) return;
        if (this.options.pauseBetweenPassesMs) await new Promise((resolve) => setTimeout(resolve, this.options.pauseBetweenPassesMs));
      }
    } finally {
      // Synchronously after the last look at `again`: a kick from here on starts a new pass.
      this.running = undefined;
    }
  }
}

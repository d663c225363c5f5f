import { DynamicModule, Global, Module } from '@nestjs/common';

/** starting: not yet up; running; restarting: it died and the supervisor is bringing it back; stopped: shut down by us. */
export type EmbeddedDatabasePhase = 'starting' | 'running' | 'restarting' | 'stopped';

export interface EmbeddedDatabaseExit {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  at: Date;
}

/**
 * What the supervisor of the embedded PostgreSQL knows about it, shared with the app (/health says
 * `database: { state: 'restarting' }` from it). Exists only when the app runs the embedded server:
 * with DATABASE_URL nobody here can restart the database, and there is no such state.
 */
export class EmbeddedDatabaseState {
  phase: EmbeddedDatabasePhase = 'starting';
  /** The postmaster's pid while running. */
  pid?: number;
  /** How many times it was brought back after dying. */
  restarts = 0;
  /** Failed restart attempts since it last died. */
  attempts = 0;
  lastExit?: EmbeddedDatabaseExit;

  running(pid: number | undefined): void {
    if (this.phase === 'restarting') this.restarts += 1;
    this.phase = 'running';
    this.pid = pid;
    this.attempts = 0;
  }

  died(exit: EmbeddedDatabaseExit): void {
    this.phase = 'restarting';
    this.pid = undefined;
    this.attempts = 0;
    this.lastExit = exit;
  }

  stopped(): void {
    this.phase = 'stopped';
    this.pid = undefined;
  }
}

/** Makes the embedded database's state injectable (by its class) when the app runs one. */
@Global()
@Module({})
export class EmbeddedDatabaseModule {
  static forRoot(state: EmbeddedDatabaseState): DynamicModule {
    return { module: EmbeddedDatabaseModule, providers: [{ provide: EmbeddedDatabaseState, useValue: state }], exports: [EmbeddedDatabaseState] };
  }
}

import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { defer, endWith, filter, finalize, merge, Subject, takeUntil, timer, type Observable, type Subscription } from 'rxjs';
import type { OperatorSessionRef } from './authenticated-operator.js';
import { SessionService } from './session.service.js';

/**
 * How often the sessions of open streams are checked in the database: the most a stream outlives a
 * session ended on another instance sharing the database (one ended here ends its streams at once).
 */
export const SESSION_CHECK_MS = 2000;

/**
 * Keeps long-lived answers (the alarm stream) tied to the session that opened them: a request is
 * authorised when it arrives, a stream keeps delivering customers' alarms for hours. A stream ends
 * when its session ends here (logout, revocation, disabling, a new role or password), when the
 * periodic check finds it gone (ended on another instance, operator disabled), or when it expires.
 * The check is one query for all open streams together, and runs only while there are some.
 */
@Injectable()
export class SessionWatch implements OnModuleDestroy {
  private readonly logger = new Logger(SessionWatch.name);
  /** Open streams per session id. */
  private readonly watching = new Map<string, number>();
  private readonly ended = new Subject<string>();
  private readonly subscription: Subscription;
  private ticker?: NodeJS.Timeout;
  private checking = false;

  constructor(private readonly sessions: SessionService) {
    this.subscription = sessions.ended$.subscribe((ids) => ids.forEach((id) => this.ended.next(id)));
  }

  /** `source` while `session` lasts; then `farewell`, and completion (which ends the response). */
  whileAlive<T>(session: OperatorSessionRef, source: Observable<T>, farewell: T): Observable<T> {
    return defer(() => {
      this.watch(session.id);
      const end$ = merge(this.ended.pipe(filter((id) => id === session.id)), timer(session.expiresAt));
      return source.pipe(
        takeUntil(end$),
        endWith(farewell),
        finalize(() => this.unwatch(session.id)),
      );
    });
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private watch(id: string): void {
    this.watching.set(id, (this.watching.get(id) ?? 0) + 1);
    if (!this.ticker) {
      this.ticker = setInterval(() => void this.check(), SESSION_CHECK_MS);
      this.ticker.unref();
    }
  }

  private unwatch(id: string): void {
    const left = (this.watching.get(id) ?? 1) - 1;
    if (left > 0) this.watching.set(id, left);
    else this.watching.delete(id);
    if (this.watching.size === 0 && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  private async check(): Promise<void> {
    if (this.checking || this.watching.size === 0) return;
    this.checking = true;
    try {
      const ids = [...this.watching.keys()];
      const alive = await this.sessions.alive(ids);
      for (const id of ids) if (!alive.has(id)) this.ended.next(id);
    } catch (e) {
      // The database is unavailable: the streams stay open until it answers (no alarm can be read for them meanwhile either).
      this.logger.warn({ err: e }, 'could not check the sessions of open streams; trying again');
    } finally {
      this.checking = false;
    }
  }
}

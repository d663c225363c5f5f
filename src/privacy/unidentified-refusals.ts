import type { LoggerService } from '@nestjs/common';

/** App-log lines per operation and minute about refusals of callers nobody identified. */
export const REFUSAL_LINES_PER_MINUTE = 10;
const MINUTE_MS = 60_000;

export interface UnidentifiedRefusal {
  operation: string;
  httpStatus: number | null;
  requestId: string | null;
}

/**
 * Where a declared operation's refusal goes when the caller was never identified (a failed login, an
 * unsigned or forged webhook): the app log, not the processing log. Nobody's data was processed, and
 * the caller could be anyone sending as fast as they like, so these must not become permanent rows
 * naming whoever the caller chose. For the same reason the lines are capped per operation: after
 * REFUSAL_LINES_PER_MINUTE in a minute the rest are only counted, and one line says how many when
 * that minute is over. A line carries the operation, the status and the request id: never the body,
 * an email address or a number.
 */
export class UnidentifiedRefusals {
  private readonly minutes = new Map<string, { lines: number; suppressed: number }>();

  constructor(
    private readonly logger: Pick<LoggerService, 'warn'>,
    private readonly linesPerMinute = REFUSAL_LINES_PER_MINUTE,
  ) {}

  refused(refusal: UnidentifiedRefusal): void {
    let minute = this.minutes.get(refusal.operation);
    if (!minute) {
      minute = { lines: 0, suppressed: 0 };
      this.minutes.set(refusal.operation, minute);
      // unref: a quiet minute's timer must not keep a stopping process alive.
      setTimeout(() => this.close(refusal.operation), MINUTE_MS).unref();
    }
    if (minute.lines >= this.linesPerMinute) {
      minute.suppressed += 1;
      return;
    }
    minute.lines += 1;
    this.logger.warn({ ...refusal }, 'refused before the caller was identified (not in the processing log)');
  }

  private close(operation: string): void {
    const minute = this.minutes.get(operation);
    this.minutes.delete(operation);
    if (minute?.suppressed) {
      this.logger.warn(
        { operation, suppressed: minute.suppressed },
        `${minute.suppressed} more refusals of ${operation} before the caller was identified were suppressed in the last minute`,
      );
    }
  }
}

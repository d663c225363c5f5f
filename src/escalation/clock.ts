/**
 * The time, behind a port (STYLE.md: the clock and the scheduler behind ports), so escalation timing
 * can be reasoned about and tested without depending on when the test happens to run. The class is
 * the DI token.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

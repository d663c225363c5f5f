import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Clock } from '../../src/common/clock.js';

/**
 * A clock that stands still until the test moves it. `useIn(app)` makes it the app's time, so an
 * escalation wait is passed by moving the clock on and running the due steps, not by sleeping
 * through it. It starts at the real time: panel signatures and reply codes are checked against it.
 */
export class FixedClock extends Clock {
  private at: number;

  constructor(start: Date = new Date()) {
    super();
    this.at = start.getTime();
  }

  now(): Date {
    return new Date(this.at);
  }

  advance(ms: number): void {
    this.at += ms;
  }

  set(at: Date): void {
    this.at = at.getTime();
  }

  /** Every reader of the app's Clock (one instance for the whole app) reads this one from now on. */
  useIn(app: INestApplication): this {
    jest.spyOn(app.get(Clock), 'now').mockImplementation(() => this.now());
    return this;
  }
}

import { Module } from '@nestjs/common';

/**
 * The time, behind a port (docs/style.md#clock-and-scheduler-behind-ports), so escalation timing
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

/** The app's one Clock, for every module that reads the time (alarms, escalation, DC-09, SMS, statistics). */
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }],
  exports: [Clock],
})
export class ClockModule {}

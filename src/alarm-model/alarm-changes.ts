import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Observable, Subject, type Subscription } from 'rxjs';
import type { EntityManager } from 'typeorm';
import { queryPrepared } from '../database/prepared-sql.js';
import { DatabaseNotifications, type Channel } from '../database/database-notifications.js';

/** The PostgreSQL channel every instance listens on. */
export const ALARM_CHANNEL: Channel = 'keyholder_alarm';

/** One committed change of an alarm, as every instance hears it. */
export interface AlarmChange {
  alarmId: string;
  /** When the escalation must look at this alarm next (epoch ms), if it must. */
  nextStepAt: number | null;
}

/**
 * Announces a change of an alarm, inside the transaction that makes it: PostgreSQL delivers a
 * NOTIFY only when (and if) the transaction commits, to every listening instance, this one
 * included. A plain function (not a service) so the SMS ports, which run in the SMS module's
 * transactions, can call it with just their EntityManager.
 */
export async function announceAlarmChange(m: EntityManager, alarmId: string, nextStepAt?: Date | null): Promise<void> {
  const payload: AlarmChange = { alarmId, nextStepAt: nextStepAt ? nextStepAt.getTime() : null };
  await queryPrepared(m, 'alarm_announce', `SELECT pg_notify($1::text, $2::text)`, [ALARM_CHANNEL, JSON.stringify(payload)]);
}

/**
 * The same announcement from inside a statement (for a path that must not spend a round trip on
 * it): a SELECT-list expression over SQL expressions for the alarm id and the next step time.
 */
export function announceAlarmChangeSql(channelParam: string, idExpr: string, nextStepAtExpr: string): string {
  return `pg_notify(${channelParam}::text, json_build_object('alarmId', ${idExpr}, 'nextStepAt', round(extract(epoch FROM ${nextStepAtExpr}) * 1000)::bigint)::text)`;
}

/**
 * Hears every committed alarm change, from any instance sharing the database (DatabaseNotifications).
 * The escalation engine re-arms its timer from it; the SSE stream shows it. A notification lost
 * while the listener reconnects costs at most a second: the engine's one-second sweep still runs
 * every due step.
 */
@Injectable()
export class AlarmChanges implements OnModuleDestroy {
  private readonly logger = new Logger(AlarmChanges.name);
  private readonly subject = new Subject<AlarmChange>();
  readonly changes$: Observable<AlarmChange> = this.subject.asObservable();
  private readonly subscription: Subscription;

  constructor(notifications: DatabaseNotifications) {
    this.subscription = notifications.on(ALARM_CHANNEL).subscribe((payload) => {
      try {
        const change = JSON.parse(payload) as AlarmChange;
        if (typeof change.alarmId === 'string') this.subject.next(change);
      } catch {
        this.logger.warn('ignored a malformed alarm notification');
      }
    });
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
    this.subject.complete();
  }

  /** For changes this instance made itself and wants seen at once (the NOTIFY follows anyway). */
  publish(change: AlarmChange): void {
    this.subject.next(change);
  }
}

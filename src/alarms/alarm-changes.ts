import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import pg from 'pg';
import { Observable, Subject } from 'rxjs';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config.js';

/** The PostgreSQL channel every instance listens on. */
export const ALARM_CHANNEL = 'keyholder_alarm';

/** One committed change of an alarm, as every instance hears it. */
export interface AlarmChange {
  alarmId: string;
  /** When the escalation must look at this alarm next (epoch ms), if it must. */
  nextStepAt: number | null;
}

/**
 * Announces a change of an alarm, inside the transaction that makes it: PostgreSQL delivers a
 * NOTIFY only when (and if) the transaction commits, to every listening instance, this one
 * included. A plain function (not a service) so the SMS ports, which are built inside the SMS
 * module, can call it with just their EntityManager.
 */
export async function announceAlarmChange(m: EntityManager, alarmId: string, nextStepAt?: Date | null): Promise<void> {
  const payload: AlarmChange = { alarmId, nextStepAt: nextStepAt ? nextStepAt.getTime() : null };
  await m.query(`SELECT pg_notify($1, $2)`, [ALARM_CHANNEL, JSON.stringify(payload)]);
}

/**
 * Hears every committed alarm change, from any instance sharing the database (LISTEN on one
 * dedicated connection). The escalation engine re-arms its timer from it; the SSE stream shows it.
 * If the connection drops, it reconnects after a second; meanwhile the engine's one-second sweep
 * still runs every due step, so a lost notification costs at most a second, never a step.
 */
@Injectable()
export class AlarmChanges implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AlarmChanges.name);
  private readonly subject = new Subject<AlarmChange>();
  readonly changes$: Observable<AlarmChange> = this.subject.asObservable();
  private client?: pg.Client;
  private stopped = false;
  private reconnect?: NodeJS.Timeout;
  /** Connections already given up on: their late 'end' or 'error' must not start a second listener. */
  private readonly retired = new WeakSet<pg.Client>();

  constructor(private readonly config: AppConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.reconnect) clearTimeout(this.reconnect);
    await this.client?.end().catch(() => undefined);
    this.subject.complete();
  }

  /** For changes this instance made itself and wants seen at once (the NOTIFY follows anyway). */
  publish(change: AlarmChange): void {
    this.subject.next(change);
  }

  private async connect(): Promise<void> {
    if (this.stopped || !this.config.databaseUrl) return;
    const client = new pg.Client({ connectionString: this.config.databaseUrl, application_name: 'keyholder-alarm-listener' });
    client.on('notification', (n) => {
      if (n.channel !== ALARM_CHANNEL || !n.payload) return;
      try {
        const change = JSON.parse(n.payload) as AlarmChange;
        if (typeof change.alarmId === 'string') this.subject.next(change);
      } catch {
        this.logger.warn('ignored a malformed alarm notification');
      }
    });
    client.on('error', (e) => {
      if (!this.stopped) this.logger.warn({ err: e }, 'alarm listener connection failed; reconnecting in a second');
      this.retry(client);
    });
    client.on('end', () => this.retry(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${ALARM_CHANNEL}`);
      this.client = client;
    } catch (e) {
      if (!this.stopped) this.logger.warn({ err: e }, 'could not listen for alarm changes; retrying in a second');
      this.retry(client);
    }
  }

  private retry(client: pg.Client): void {
    if (this.retired.has(client)) return;
    this.retired.add(client);
    if (this.stopped) return;
    if (this.client === client) this.client = undefined;
    client.end().catch(() => undefined);
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      void this.connect();
    }, 1000);
    this.reconnect.unref();
  }
}

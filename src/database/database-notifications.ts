import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import pg from 'pg';
import { filter, map, Observable, Subject } from 'rxjs';
import { AppConfig } from '../config/app-config.js';

/** The channels this app listens on. A NOTIFY on any other channel is ignored. */
export const CHANNELS = ['keyholder_alarm', 'keyholder_panel_secret'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * Hears PostgreSQL NOTIFYs from every instance sharing the database (this one included), on one
 * dedicated connection (LISTEN needs a session of its own; a pooled one would lose it). A NOTIFY is
 * delivered only when, and if, its transaction commits.
 *
 * If the connection drops it reconnects after a second. `reconnected$` fires whenever listening
 * (re)starts: notifications sent before it may have been missed, so whoever keeps state from them
 * (a cache) must start afresh. Users that only speed things up (the escalation engine's timer)
 * have their own sweep behind them.
 */
@Injectable()
export class DatabaseNotifications implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DatabaseNotifications.name);
  private readonly notifications = new Subject<{ channel: Channel; payload: string }>();
  private readonly reconnects = new Subject<void>();
  readonly reconnected$: Observable<void> = this.reconnects.asObservable();
  private client?: pg.Client;
  private stopped = false;
  private reconnect?: NodeJS.Timeout;
  /** Connections already given up on: their late 'end' or 'error' must not start a second listener. */
  private readonly retired = new WeakSet<pg.Client>();

  constructor(private readonly config: AppConfig) {}

  /** The payloads of one channel's notifications. */
  on(channel: Channel): Observable<string> {
    return this.notifications.pipe(
      filter((n) => n.channel === channel),
      map((n) => n.payload),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.reconnect) clearTimeout(this.reconnect);
    await this.client?.end().catch(() => undefined);
    this.notifications.complete();
    this.reconnects.complete();
  }

  private async connect(): Promise<void> {
    if (this.stopped || !this.config.databaseUrl) return;
    const client = new pg.Client({ connectionString: this.config.databaseUrl, application_name: 'keyholder-listener' });
    client.on('notification', (n) => {
      if ((CHANNELS as readonly string[]).includes(n.channel) && n.payload) this.notifications.next({ channel: n.channel as Channel, payload: n.payload });
    });
    client.on('error', (e) => {
      if (!this.stopped) this.logger.warn({ err: e }, 'notification listener connection failed; reconnecting in a second');
      this.retry(client);
    });
    client.on('end', () => this.retry(client));
    try {
      await client.connect();
      for (const channel of CHANNELS) await client.query(`LISTEN ${channel}`);
      this.client = client;
      this.reconnects.next();
    } catch (e) {
      if (!this.stopped) this.logger.warn({ err: e }, 'could not listen for database notifications; retrying in a second');
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

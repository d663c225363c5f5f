import { Injectable, OnModuleDestroy } from '@nestjs/common';
import pg from 'pg';
import { AppConfig } from '../config/app-config.js';

/** How long the database has to answer before /health says it is down. */
export const PROBE_TIMEOUT_MS = 1000;

/**
 * Whether the database answers, asked on a connection of its own, once for however many callers
 * ask at the same moment. Through the pool, /health queued behind a storm's panel work (or 2,000
 * health checks queued behind each other) and said 503 for a database that was fine; here a busy
 * pool cannot delay it, and concurrent checks share one round trip. A connection that did not
 * answer in time is dropped, so a database that froze and came back is asked on a fresh one.
 */
@Injectable()
export class DatabaseProbe implements OnModuleDestroy {
  private client?: pg.Client;
  private connecting?: Promise<pg.Client>;
  private inFlight?: Promise<number>;

  constructor(private readonly config: AppConfig) {}

  /** Milliseconds the database took to answer; rejects when it did not within PROBE_TIMEOUT_MS. */
  ping(): Promise<number> {
    this.inFlight ??= this.once().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  async onModuleDestroy(): Promise<void> {
    await this.drop();
  }

  private async once(): Promise<number> {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the database did not answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.connection().then((c) => c.query('SELECT 1')), timeout]);
      return Date.now() - started;
    } catch (e) {
      await this.drop();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  private connection(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new pg.Client({
        connectionString: this.config.databaseUrl,
        application_name: 'keyholder-health',
        connectionTimeoutMillis: PROBE_TIMEOUT_MS,
      });
      client.on('error', () => void this.drop());
      try {
        await client.connect();
        this.client = client;
        return client;
      } catch (e) {
        void client.end().catch(() => undefined);
        throw e;
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  private async drop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    // end() waits for a query that never finishes on a frozen server: do not wait for it.
    if (client) void client.end().catch(() => undefined);
  }
}

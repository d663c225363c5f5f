import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { DatabaseNotifications } from '../database/database-notifications.js';
import { PanelSecrets } from '../panels/panels.service.js';
import { Clock } from '../escalation/clock.js';

/**
 * How long a decrypted secret is reused at most. Invalidation is by notification (below); this
 * bound is a second line, for a notification lost in a way the listener did not notice.
 */
export const SECRET_TTL_MS = 10 * 60_000;
/** A bound on memory, whatever ids are thrown at the endpoint (only found panels are cached): ~100 B each. */
const MAX_ENTRIES = 100_000;

/**
 * Panel secrets, decrypted once and kept in memory: a signal then costs no database read for its
 * signature check, which was a third of the work of a heartbeat. A secret must stop working the
 * moment it is rotated, or its customer ends, on every instance: triggers on `panel` and
 * `customer` (migration PanelSecretChanges) NOTIFY on commit, and every instance drops the entry
 * (or, for an ended customer, all of them). When the listener reconnects, notifications may have
 * been missed, so everything is dropped. A signature that does not match a cached secret is still
 * checked once against a fresh read (`fresh`), so a secret rotated a moment ago works at once.
 */
@Injectable()
export class PanelSecretCache implements OnModuleDestroy {
  private readonly entries = new Map<string, { secret: Buffer; until: number }>();
  /** Counts invalidations: a read that was under way when one arrived may hold the old secret, so it is not cached. */
  private invalidations = 0;
  private readonly subscriptions: Subscription[];

  constructor(
    private readonly secrets: PanelSecrets,
    private readonly clock: Clock,
    notifications: DatabaseNotifications,
  ) {
    this.subscriptions = [
      notifications.on('keyholder_panel_secret').subscribe((panelId) => this.forget(panelId)),
      notifications.reconnected$.subscribe(() => this.forget('*')),
    ];
  }

  onModuleDestroy(): void {
    for (const s of this.subscriptions) s.unsubscribe();
  }

  /** The secret, and whether it came from the cache (so a mismatch is worth one fresh read). */
  async get(panelId: string): Promise<{ secret: Buffer; cached: boolean } | undefined> {
    const key = panelId.toLowerCase();
    const hit = this.entries.get(key);
    if (hit && hit.until > this.clock.now().getTime()) return { secret: hit.secret, cached: true };
    const secret = await this.fresh(key);
    return secret ? { secret, cached: false } : undefined;
  }

  /** Reads the secret from the database and caches it (or forgets the panel, if it is gone). */
  async fresh(panelId: string): Promise<Buffer | undefined> {
    const key = panelId.toLowerCase();
    const before = this.invalidations;
    const secret = await this.secrets.secretFor(key);
    if (this.invalidations !== before) return secret; // valid when read; the next request reads again
    if (!secret) {
      this.entries.delete(key);
      return undefined;
    }
    if (this.entries.size >= MAX_ENTRIES) this.evictExpired();
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { secret, until: this.clock.now().getTime() + SECRET_TTL_MS });
    return secret;
  }

  private forget(panelId: string): void {
    this.invalidations += 1;
    if (panelId === '*') this.entries.clear();
    else this.entries.delete(panelId);
  }

  private evictExpired(): void {
    const now = this.clock.now().getTime();
    for (const [id, e] of this.entries) if (e.until <= now) this.entries.delete(id);
  }
}

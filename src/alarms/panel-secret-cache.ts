import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { DatabaseNotifications } from '../database/database-notifications.js';
import { PanelSecrets } from '../panels/panels.service.js';
import { Clock } from '../common/clock.js';
import { LoadedCache } from '../common/loaded-cache.js';

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
  private readonly cache: LoadedCache<Buffer>;
  private readonly subscriptions: Subscription[];

  constructor(
    private readonly secrets: PanelSecrets,
    clock: Clock,
    notifications: DatabaseNotifications,
  ) {
    this.cache = new LoadedCache(clock, SECRET_TTL_MS, MAX_ENTRIES);
    this.subscriptions = [
      notifications.on('keyholder_panel_secret').subscribe((panelId) => (panelId === '*' ? this.cache.forgetAll() : this.cache.forget(panelId))),
      notifications.reconnected$.subscribe(() => this.cache.forgetAll()),
    ];
  }

  onModuleDestroy(): void {
    for (const s of this.subscriptions) s.unsubscribe();
  }

  /** The secret, and whether it came from the cache (so a mismatch is worth one fresh read). */
  async get(panelId: string): Promise<{ secret: Buffer; cached: boolean } | undefined> {
    const hit = await this.cache.get(panelId.toLowerCase(), (id) => this.secrets.secretFor(id));
    return hit && { secret: hit.value, cached: hit.cached };
  }

  /** Reads the secret from the database and caches it (or forgets the panel, if it is gone). */
  fresh(panelId: string): Promise<Buffer | undefined> {
    return this.cache.fresh(panelId.toLowerCase(), (id) => this.secrets.secretFor(id));
  }
}

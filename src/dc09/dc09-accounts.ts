import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { LoadedCache } from '../common/loaded-cache.js';
import { DatabaseNotifications } from '../database/database-notifications.js';
import { Clock } from '../common/clock.js';
import { PanelSecrets, type Dc09Panel } from '../panels/panels.service.js';

/** A bound on how long a key is reused if a change notification is lost unnoticed. */
const TTL_MS = 10 * 60_000;
/** Only registered accounts are kept (unknown ones are not), so this bounds memory whatever is sent. */
const MAX_ENTRIES = 100_000;

/**
 * DC-09 panels by account, with their keys decrypted once: every frame names its account, and a
 * panel polling every 90 s should not cost a database read and a decryption each time. A rotated
 * key or an ended customer must stop working at once on every instance: the same change
 * notifications as the HTTP panels' secret cache drop every entry (they are rare, and name a panel,
 * not an account), and so does a reconnect of the listener, which may have missed some.
 */
@Injectable()
export class Dc09Accounts implements OnModuleDestroy {
  private readonly cache: LoadedCache<Dc09Panel>;
  private readonly subscriptions: Subscription[];

  constructor(
    private readonly secrets: PanelSecrets,
    clock: Clock,
    notifications: DatabaseNotifications,
  ) {
    this.cache = new LoadedCache(clock, TTL_MS, MAX_ENTRIES);
    this.subscriptions = [
      notifications.on('keyholder_panel_secret').subscribe(() => this.cache.forgetAll()),
      notifications.reconnected$.subscribe(() => this.cache.forgetAll()),
    ];
  }

  onModuleDestroy(): void {
    for (const s of this.subscriptions) s.unsubscribe();
  }

  async find(account: string): Promise<Dc09Panel | undefined> {
    return (await this.cache.get(account.toUpperCase(), () => this.secrets.dc09Panel(account)))?.value;
  }
}

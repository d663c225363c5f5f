import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { DatabaseNotifications } from '../database/database-notifications.js';
import { Clock } from '../escalation/clock.js';
import { PanelSecrets, type Dc09Panel } from '../panels/panels.service.js';

/** A bound on how long a key is reused if a change notification is lost unnoticed. */
const TTL_MS = 10 * 60_000;
/** Only registered accounts are kept (unknown ones are not), so this bounds memory whatever is sent. */
const MAX_ENTRIES = 100_000;

/**
 * DC-09 panels by account, with their keys decrypted once: every frame names its account, and a
 * panel polling every 90 s should not cost a database read and a decryption each time. A rotated
 * key or an ended customer must stop working at once on every instance: the same change
 * notifications as the HTTP panels' secret cache drop everything (they are rare), and so does a
 * reconnect of the listener, which may have missed some. An account that is not found is not
 * remembered, so a panel registered a moment ago is found on its first frame.
 */
@Injectable()
export class Dc09Accounts implements OnModuleDestroy {
  private readonly entries = new Map<string, { panel: Dc09Panel; until: number }>();
  private invalidations = 0;
  private readonly subscriptions: Subscription[];

  constructor(
    private readonly secrets: PanelSecrets,
    private readonly clock: Clock,
    notifications: DatabaseNotifications,
  ) {
    this.subscriptions = [notifications.on('keyholder_panel_secret').subscribe(() => this.forget()), notifications.reconnected$.subscribe(() => this.forget())];
  }

  onModuleDestroy(): void {
    for (const s of this.subscriptions) s.unsubscribe();
  }

  async find(account: string): Promise<Dc09Panel | undefined> {
    const key = account.toUpperCase();
    const hit = this.entries.get(key);
    if (hit && hit.until > this.clock.now().getTime()) return hit.panel;
    const before = this.invalidations;
    const panel = await this.secrets.dc09Panel(account);
    // A change that arrived while reading may mean the row read is already old: use it once, keep nothing.
    if (!panel || this.invalidations !== before) {
      this.entries.delete(key);
      return panel;
    }
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { panel, until: this.clock.now().getTime() + TTL_MS });
    return panel;
  }

  private forget(): void {
    this.invalidations += 1;
    this.entries.clear();
  }
}

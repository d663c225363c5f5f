import { Injectable } from '@nestjs/common';
import { PanelSecrets } from '../panels/panels.service.js';
import { Clock } from '../escalation/clock.js';

/** How long a decrypted secret is reused. A rotated secret replaces the old one everywhere within this time. */
export const SECRET_TTL_MS = 2000;
/** A bound on memory, whatever ids are thrown at the endpoint (only found panels are cached). */
const MAX_ENTRIES = 10_000;

/**
 * Panel secrets, decrypted once and kept in memory briefly: a panel posting a burst of signals
 * costs one database read and one decryption, not one per signal. Secrets are short-lived here on
 * purpose: rotation (PanelsService.rotateSecret) must take effect, and the cache cannot hear about
 * it from another instance. So an entry lives SECRET_TTL_MS, and a signature that does not match a
 * cached secret is checked once more against a fresh read (`fresh`), so the new secret works at once.
 */
@Injectable()
export class PanelSecretCache {
  private readonly entries = new Map<string, { secret: Buffer; until: number }>();

  constructor(
    private readonly secrets: PanelSecrets,
    private readonly clock: Clock,
  ) {}

  /** The secret, and whether it came from the cache (so a mismatch is worth one fresh read). */
  async get(panelId: string): Promise<{ secret: Buffer; cached: boolean } | undefined> {
    const now = this.clock.now().getTime();
    const hit = this.entries.get(panelId);
    if (hit && hit.until > now) return { secret: hit.secret, cached: true };
    const secret = await this.fresh(panelId);
    return secret ? { secret, cached: false } : undefined;
  }

  /** Reads the secret from the database and caches it (or forgets the panel, if it is gone). */
  async fresh(panelId: string): Promise<Buffer | undefined> {
    const secret = await this.secrets.secretFor(panelId);
    if (!secret) {
      this.entries.delete(panelId);
      return undefined;
    }
    if (this.entries.size >= MAX_ENTRIES) this.evictExpired();
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(panelId, { secret, until: this.clock.now().getTime() + SECRET_TTL_MS });
    return secret;
  }

  private evictExpired(): void {
    const now = this.clock.now().getTime();
    for (const [id, e] of this.entries) if (e.until <= now) this.entries.delete(id);
  }
}

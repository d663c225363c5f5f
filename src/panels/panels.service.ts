import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { notFound } from '../common/domain-error.js';
import { FieldCipher } from '../common/field-cipher.js';
import { CustomersService } from '../customers/customers.service.js';
import { DEFAULT_SUPERVISION_SECONDS, Panel } from './panel.entity.js';

const secretContext = (panelId: string) => `panel.secret:${panelId}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** 32 random bytes, base64url: 43 characters a panel installer can paste. */
function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

@Injectable()
export class PanelsService {
  constructor(
    @InjectRepository(Panel) private readonly panels: Repository<Panel>,
    private readonly customers: CustomersService,
    private readonly cipher: FieldCipher,
  ) {}

  /** Registers a panel; the secret is returned here and on rotation only, never stored in clear. */
  async create(customerId: string, input: { label?: string | null; supervisionIntervalSeconds?: number }): Promise<{ panel: Panel; secret: string }> {
    await this.customers.get(customerId);
    const id = randomUUID();
    const secret = newSecret();
    await this.panels.insert({
      id,
      customerId,
      label: input.label ?? null,
      secretEncrypted: this.cipher.encrypt(secret, secretContext(id)),
      supervisionIntervalSeconds: input.supervisionIntervalSeconds ?? DEFAULT_SUPERVISION_SECONDS,
    });
    return { panel: await this.find(customerId, id), secret };
  }

  async list(customerId: string): Promise<Panel[]> {
    await this.customers.get(customerId);
    return this.panels.find({ where: { customerId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** A new secret replaces the old one at once: events signed with the old one are refused from now on. */
  async rotateSecret(customerId: string, panelId: string): Promise<{ panel: Panel; secret: string }> {
    await this.customers.get(customerId);
    const panel = await this.find(customerId, panelId);
    const secret = newSecret();
    await this.panels.update({ id: panel.id }, { secretEncrypted: this.cipher.encrypt(secret, secretContext(panel.id)), rotatedAt: new Date() });
    return { panel: await this.find(customerId, panelId), secret };
  }

  /** For the panel-events work: the panel was heard from at `at` (never moves back in time). */
  async markSeen(panelId: string, at: Date = new Date()): Promise<void> {
    await this.panels.query(`UPDATE panel SET last_seen_at = GREATEST(last_seen_at, $2) WHERE id = $1`, [panelId, at]);
  }

  private async find(customerId: string, panelId: string): Promise<Panel> {
    const panel = await this.panels.findOneBy({ id: panelId, customerId });
    if (!panel) throw notFound('panel', panelId);
    return panel;
  }
}

/**
 * The one way to read a panel's secret, for checking the HMAC signature of its events
 * (`X-Keyholder-Signature`). Kept apart from PanelsService so that only code that verifies
 * signatures depends on it.
 */
@Injectable()
export class PanelSecrets {
  constructor(
    @InjectRepository(Panel) private readonly panels: Repository<Panel>,
    private readonly cipher: FieldCipher,
  ) {}

  /**
   * The HMAC-SHA256 key of the panel: the bytes of the secret exactly as it was shown (its ASCII
   * text, the way Stripe and GitHub use theirs). Undefined when there is no such panel or its
   * customer's contract has ended, so the caller answers 401 without telling which.
   */
  async secretFor(panelId: string): Promise<Buffer | undefined> {
    if (!UUID.test(panelId)) return undefined;
    const rows: { secret_encrypted: Buffer }[] = await this.panels.query(
      `SELECT p.secret_encrypted FROM panel p JOIN customer c ON c.id = p.customer_id WHERE p.id = $1 AND c.ended_at IS NULL`,
      [panelId],
    );
    if (!rows.length) return undefined;
    return this.cipher.decrypt(rows[0].secret_encrypted, secretContext(panelId));
  }
}

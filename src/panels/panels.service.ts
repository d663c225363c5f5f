import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DomainError, notFound } from '../common/domain-error.js';
import { FieldCipher } from '../common/field-cipher.js';
import { CustomersService } from '../customers/customers.service.js';
import { DEFAULT_SUPERVISION_SECONDS, Panel, type Dc09Encryption, type PanelProtocol } from './panel.entity.js';
import { isUuid } from '../common/uuid.js';
import { execute, firstRow } from '../database/rows.js';

const secretContext = (panelId: string) => `panel.secret:${panelId}`;

/** 32 random bytes, base64url: 43 characters a panel installer can paste. */
function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** An AES key of `bytes` bytes as upper-case hex, the way panels' receiver settings show keys. */
function newDc09Key(bytes = 32): string {
  return randomBytes(bytes).toString('hex').toUpperCase();
}

export interface NewPanel {
  label?: string | null;
  supervisionIntervalSeconds?: number;
  protocol?: PanelProtocol;
  dc09?: { account: string; key?: string; encryption?: Dc09Encryption };
}

@Injectable()
export class PanelsService {
  constructor(
    @InjectRepository(Panel) private readonly panels: Repository<Panel>,
    private readonly customers: CustomersService,
    private readonly cipher: FieldCipher,
  ) {}

  /**
   * Registers a panel; its secret (an HTTP panel's HMAC secret, a DC-09 panel's AES key) is returned
   * here and on rotation only, never stored in clear.
   */
  async create(customerId: string, input: NewPanel): Promise<{ panel: Panel; secret: string }> {
    const protocol = input.protocol ?? 'http';
    if (input.dc09 && protocol !== 'dc09') {
      // Settings for a protocol the panel does not use would be silently ignored: say so instead.
      throw new DomainError('invalid', 'panel_dc09_settings_unused', 'dc09 settings are only for a panel with protocol "dc09"');
    }
    await this.customers.get(customerId);
    const id = randomUUID();
    const secret = protocol === 'dc09' ? (input.dc09!.key?.toUpperCase() ?? newDc09Key()) : newSecret();
    try {
      await this.panels.insert({
        id,
        customerId,
        label: input.label ?? null,
        secretEncrypted: this.cipher.encrypt(secret, secretContext(id)),
        supervisionIntervalSeconds: input.supervisionIntervalSeconds ?? DEFAULT_SUPERVISION_SECONDS,
        protocol,
        dc09Account: protocol === 'dc09' ? input.dc09!.account : null,
        dc09Encryption: protocol === 'dc09' ? (input.dc09!.encryption ?? 'required') : null,
      });
    } catch (e) {
      if (isUniqueViolation(e, 'panel_dc09_account')) {
        throw new DomainError('conflict', 'panel_dc09_account_taken', `DC-09 account ${input.dc09!.account} is already used by another panel`);
      }
      throw e;
    }
    return { panel: await this.find(customerId, id), secret };
  }

  async list(customerId: string): Promise<Panel[]> {
    await this.customers.get(customerId);
    return this.panels.find({ where: { customerId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * A new secret replaces the old one at once: events signed (or frames encrypted) with the old one
   * are refused from now on. A DC-09 key keeps its length: the panel model decided which AES it does.
   */
  async rotateSecret(customerId: string, panelId: string): Promise<{ panel: Panel; secret: string }> {
    await this.customers.get(customerId);
    const panel = await this.find(customerId, panelId);
    let secret = newSecret();
    if (panel.protocol === 'dc09') {
      const row = await firstRow<{ secret_encrypted: Buffer }>(this.panels.manager, `SELECT secret_encrypted FROM panel WHERE id = $1`, [panel.id]);
      const current = this.cipher.decrypt(row!.secret_encrypted, secretContext(panel.id)).toString('utf8');
      secret = newDc09Key(current.length / 2);
    }
    await this.panels.update({ id: panel.id }, { secretEncrypted: this.cipher.encrypt(secret, secretContext(panel.id)), rotatedAt: new Date() });
    return { panel: await this.find(customerId, panelId), secret };
  }

  /** For the panel-events work: the panel was heard from at `at` (never moves back in time). */
  async markSeen(panelId: string, at: Date = new Date()): Promise<void> {
    await execute(this.panels.manager, `UPDATE panel SET last_seen_at = GREATEST(last_seen_at, $2) WHERE id = $1`, [panelId, at]);
  }

  private async find(customerId: string, panelId: string): Promise<Panel> {
    const panel = await this.panels.findOneBy({ id: panelId, customerId });
    if (!panel) throw notFound('panel', panelId);
    return panel;
  }
}

const isUniqueViolation = (e: unknown, constraint: string) => {
  const err = e as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  return (err.driverError?.code ?? err.code) === '23505' && (err.driverError?.constraint ?? err.constraint) === constraint;
};

/** A DC-09 panel as the receiver needs it: which panel an account is, and how its frames must come. */
export interface Dc09Panel {
  panelId: string;
  key: Buffer;
  encryption: Dc09Encryption;
}

/**
 * The one way to read a panel's secret: the HMAC key of an HTTP panel's events, the AES key of a
 * DC-09 panel's frames. Kept apart from PanelsService so that only code that verifies signals
 * depends on it.
 */
@Injectable()
export class PanelSecrets {
  constructor(
    @InjectRepository(Panel) private readonly panels: Repository<Panel>,
    private readonly cipher: FieldCipher,
  ) {}

  /**
   * The HMAC-SHA256 key of an HTTP panel: the bytes of the secret exactly as it was shown (its ASCII
   * text, the way Stripe and GitHub use theirs). Undefined when there is no such panel, it reports
   * over DC-09, or its customer's contract has ended, so the caller answers 401 without telling which.
   */
  async secretFor(panelId: string): Promise<Buffer | undefined> {
    if (!isUuid(panelId)) return undefined;
    const row = await firstRow<{ secret_encrypted: Buffer }>(
      this.panels.manager,
      `SELECT p.secret_encrypted FROM panel p JOIN customer c ON c.id = p.customer_id WHERE p.id = $1 AND p.protocol = 'http' AND c.ended_at IS NULL`,
      [panelId],
    );
    if (!row) return undefined;
    return this.cipher.decrypt(row.secret_encrypted, secretContext(panelId));
  }

  /** The DC-09 panel sending as `account` (case does not matter), undefined as for secretFor. */
  async dc09Panel(account: string): Promise<Dc09Panel | undefined> {
    const row = await firstRow<{ id: string; secret_encrypted: Buffer; dc09_encryption: Dc09Encryption }>(
      this.panels.manager,
      `SELECT p.id, p.secret_encrypted, p.dc09_encryption FROM panel p JOIN customer c ON c.id = p.customer_id
        WHERE upper(p.dc09_account) = upper($1) AND c.ended_at IS NULL`,
      [account],
    );
    if (!row) return undefined;
    const hex = this.cipher.decrypt(row.secret_encrypted, secretContext(row.id)).toString('utf8');
    return { panelId: row.id, key: Buffer.from(hex, 'hex'), encryption: row.dc09_encryption };
  }
}

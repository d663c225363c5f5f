import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Default supervision interval: 25 h, a daily test signal plus an hour's slack (EN 50136 grade 2 reports within 24 h). */
export const DEFAULT_SUPERVISION_SECONDS = 90000;

export type SupervisionState = 'ok' | 'overdue' | 'never_seen';

/** How a panel reports: Keyholder's signed JSON over HTTP, or SIA DC-09 over TCP/UDP. */
export const PANEL_PROTOCOLS = ['http', 'dc09'] as const;
export type PanelProtocol = (typeof PANEL_PROTOCOLS)[number];

/** `required`: plain DC-09 frames are refused (NAK); `optional`: plain and encrypted are both taken. */
export const DC09_ENCRYPTION = ['required', 'optional'] as const;
export type Dc09Encryption = (typeof DC09_ENCRYPTION)[number];

@Entity('panel')
export class Panel {
  /** Set by the service before insert: the secret's ciphertext is bound to it. */
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId: string;

  @Column({ type: 'text', nullable: true })
  label: string | null;

  /**
   * FieldCipher, context `panel.secret:<id>`: the secret must be readable to check event signatures.
   * For a DC-09 panel it is the AES key, as hex.
   */
  @Column({ name: 'secret_encrypted', type: 'bytea', select: false })
  secretEncrypted: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** Set by the panel-events work on every accepted signal. */
  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt: Date | null;

  @Column({ name: 'supervision_interval_seconds', type: 'integer', default: DEFAULT_SUPERVISION_SECONDS })
  supervisionIntervalSeconds: number;

  @Column({ name: 'rotated_at', type: 'timestamptz', nullable: true })
  rotatedAt: Date | null;

  @Column({ type: 'text', default: 'http' })
  protocol: PanelProtocol;

  /** The account a DC-09 panel sends in every frame, as the installer typed it (leading zeros matter). */
  @Column({ name: 'dc09_account', type: 'text', nullable: true })
  dc09Account: string | null;

  @Column({ name: 'dc09_encryption', type: 'text', nullable: true })
  dc09Encryption: Dc09Encryption | null;
}

export function supervisionState(p: Pick<Panel, 'lastSeenAt' | 'supervisionIntervalSeconds'>, now: Date = new Date()): SupervisionState {
  if (!p.lastSeenAt) return 'never_seen';
  return now.getTime() - p.lastSeenAt.getTime() > p.supervisionIntervalSeconds * 1000 ? 'overdue' : 'ok';
}

/** The panel as the API shows it; never the secret (that is added once, on creation and rotation). */
export function toPanelView(p: Panel, now: Date = new Date()) {
  return {
    id: p.id,
    customerId: p.customerId,
    label: p.label,
    createdAt: p.createdAt.toISOString(),
    lastSeenAt: p.lastSeenAt?.toISOString() ?? null,
    supervisionIntervalSeconds: p.supervisionIntervalSeconds,
    supervision: supervisionState(p, now),
    rotatedAt: p.rotatedAt?.toISOString() ?? null,
    protocol: p.protocol,
    ...(p.protocol === 'dc09' ? { dc09: { account: p.dc09Account, encryption: p.dc09Encryption } } : {}),
  };
}

import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Default supervision interval: 25 h, a daily test signal plus an hour's slack (EN 50136 grade 2 reports within 24 h). */
export const DEFAULT_SUPERVISION_SECONDS = 90000;

export type SupervisionState = 'ok' | 'overdue' | 'never_seen';

@Entity('panel')
export class Panel {
  /** Set by the service before insert: the secret's ciphertext is bound to it. */
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId: string;

  @Column({ type: 'text', nullable: true })
  label: string | null;

  /** FieldCipher, context `panel.secret:<id>`: the secret must be readable to check event signatures. */
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
  };
}

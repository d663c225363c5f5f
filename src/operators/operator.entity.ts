import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Role } from '../auth/access.decorator.js';

@Entity('operator')
export class Operator {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'citext', unique: true })
  email: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'enum', enum: ['operator', 'supervisor', 'dpo', 'admin'], enumName: 'operator_role' })
  role: Role;

  @Column({ name: 'password_hash', type: 'text', select: false })
  passwordHash: string;

  /** Set while the account is disabled: its sessions are refused and it cannot log in. */
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  /** Set when the retention job erased the account (name, email, password); the id stays for the history that names it. */
  @Column({ name: 'erased_at', type: 'timestamptz', nullable: true })
  erasedAt: Date | null;

  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

export function toOperatorView(o: Operator) {
  return {
    id: o.id,
    email: o.email,
    name: o.name,
    role: o.role,
    disabled: o.disabledAt !== null,
    disabledAt: o.disabledAt?.toISOString() ?? null,
    lastLoginAt: o.lastLoginAt?.toISOString() ?? null,
    createdAt: o.createdAt.toISOString(),
  };
}

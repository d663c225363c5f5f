import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, Repository } from 'typeorm';
import { PasswordHasher } from '../auth/password-hasher.js';
import type { Role } from '../auth/access.decorator.js';
import { SessionService } from '../auth/session.service.js';
import { DomainError, notFound } from '../common/domain-error.js';
import { AppConfig, randomPassword } from '../config/app-config.js';
import { Operator } from './operator.entity.js';

@Injectable()
export class OperatorsService {
  private readonly logger = new Logger(OperatorsService.name);

  constructor(
    @InjectRepository(Operator) private readonly operators: Repository<Operator>,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly dataSource: DataSource,
  ) {}

  async create(input: { email: string; name: string; role: Role; password: string }): Promise<Operator> {
    const email = input.email.toLowerCase();
    if (await this.operators.existsBy({ email })) {
      throw new DomainError('conflict', 'operator_email_taken', `an operator with email ${email} already exists`);
    }
    const passwordHash = await this.hasher.hash(input.password);
    try {
      return await this.operators.save(this.operators.create({ email, name: input.name, role: input.role, passwordHash }));
    } catch (e) {
      // Two admins creating the same account at once: the unique index decides.
      if ((e as { code?: string }).code === '23505') {
        throw new DomainError('conflict', 'operator_email_taken', `an operator with email ${email} already exists`);
      }
      throw e;
    }
  }

  list(): Promise<Operator[]> {
    return this.operators.find({ order: { createdAt: 'ASC' } });
  }

  /**
   * Renames, re-roles, disables or enables an operator. A new role or disabling ends their sessions
   * (and so their open streams) in the same commit: what they may see is decided again at their next
   * login. Never leaves the central without an enabled admin.
   */
  async update(id: string, change: { name?: string | null; role?: Role | null; disabled?: boolean | null }): Promise<Operator> {
    const ended: string[] = [];
    const operator = await this.dataSource.transaction(async (m) => {
      const mayLoseAdmin = (change.role != null && change.role !== 'admin') || change.disabled === true;
      const admins = mayLoseAdmin ? await this.lockEnabledAdmins(m) : [];
      const operator = await m.findOne(Operator, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!operator) throw notFound('operator', id);
      if (operator.erasedAt && change.disabled === false) {
        throw new DomainError('conflict', 'operator_erased', `operator ${id} was erased after being disabled: create a new account instead`);
      }
      const rerole = change.role != null && change.role !== operator.role;
      const disabling = change.disabled === true && operator.disabledAt === null;
      if ((rerole || disabling) && admins.includes(id) && admins.length === 1) {
        throw new DomainError(
          'conflict',
          'last_admin',
          `${operator.email} is the last enabled admin: make another operator admin before ${disabling ? 'disabling' : 'changing the role of'} this one`,
        );
      }
      if (change.name != null) operator.name = change.name;
      if (change.role != null) operator.role = change.role;
      if (change.disabled != null) operator.disabledAt = change.disabled ? (operator.disabledAt ?? new Date()) : null;
      await m.save(operator);
      if (rerole || disabling) ended.push(...(await this.sessions.deleteAllOf(id, m)));
      return operator;
    });
    this.sessions.announceEnded(ended);
    return operator;
  }

  /** Sets a new password (the admin hands it over); the operator's sessions end with the old one. */
  async resetPassword(id: string, password: string): Promise<void> {
    const passwordHash = await this.hasher.hash(password);
    const ended = await this.dataSource.transaction(async (m) => {
      const { affected } = await m.update(Operator, { id }, { passwordHash });
      if (!affected) throw notFound('operator', id);
      return this.sessions.deleteAllOf(id, m);
    });
    this.sessions.announceEnded(ended);
  }

  /** Logs the operator out everywhere: every session and open stream of theirs ends. */
  async endSessions(id: string): Promise<void> {
    const ended = await this.dataSource.transaction(async (m) => {
      if (!(await m.existsBy(Operator, { id }))) throw notFound('operator', id);
      return this.sessions.deleteAllOf(id, m);
    });
    this.sessions.announceEnded(ended);
  }

  async recordLogin(id: string): Promise<void> {
    await this.operators.update(id, { lastLoginAt: new Date() });
  }

  /**
   * Locks the enabled admins' rows, always in the same order, so that two admins demoting each other
   * at once are taken one after the other and the second sees the first's change.
   */
  private async lockEnabledAdmins(m: EntityManager): Promise<string[]> {
    const rows = await m
      .createQueryBuilder(Operator, 'o')
      .select('o.id', 'id')
      .where(`o.role = 'admin'`)
      .andWhere('o.disabled_at IS NULL')
      .orderBy('o.id')
      .setLock('pessimistic_write')
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  /** For login: the operator with their password hash, which is otherwise never selected. */
  findWithHash(email: string): Promise<Operator | null> {
    return this.operators.createQueryBuilder('o').addSelect('o.passwordHash').where('o.email = :email', { email: email.toLowerCase() }).getOne();
  }

  /**
   * Makes sure the configured admin exists. With ADMIN_PASSWORD the password is (re)set to it,
   * so an operator locked out can recover by restarting; without it, a random password is
   * generated and printed once, at first start only.
   */
  async ensureAdmin(config: AppConfig['admin'], announce: (line: string) => void): Promise<void> {
    const existing = await this.findWithHash(config.email);
    if (existing) {
      if (config.password && !(await this.hasher.verify(existing.passwordHash, config.password))) {
        await this.operators.update(existing.id, { passwordHash: await this.hasher.hash(config.password), role: 'admin' });
        this.logger.log('admin password reset from ADMIN_PASSWORD');
      }
      return;
    }
    const password = config.password ?? randomPassword();
    await this.operators
      .save(this.operators.create({ email: config.email, name: 'Administrator', role: 'admin', passwordHash: await this.hasher.hash(password) }))
      .catch((e: { code?: string }) => {
        if (e.code !== '23505') throw e; // another instance created it first: fine
      });
    if (!config.password) {
      announce(
        `\n  First start: created the admin account.\n    email:    ${config.email}\n    password: ${password}\n` +
          `  This password is shown once. Log in and keep it safe (or set ADMIN_PASSWORD).\n`,
      );
    }
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { PasswordHasher } from '../auth/password-hasher.js';
import type { Role } from '../auth/access.decorator.js';
import { DomainError } from '../common/domain-error.js';
import { AppConfig, randomPassword } from '../config/app-config.js';
import { Operator } from './operator.entity.js';

@Injectable()
export class OperatorsService {
  private readonly logger = new Logger(OperatorsService.name);

  constructor(
    @InjectRepository(Operator) private readonly operators: Repository<Operator>,
    private readonly hasher: PasswordHasher,
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

  /** For login: the operator with their password hash, which is otherwise never selected. */
  findWithHash(email: string): Promise<Operator | null> {
    return this.operators
      .createQueryBuilder('o')
      .addSelect('o.passwordHash')
      .where('o.email = :email', { email: email.toLowerCase() })
      .getOne();
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
    await this.operators.save(
      this.operators.create({ email: config.email, name: 'Administrator', role: 'admin', passwordHash: await this.hasher.hash(password) }),
    ).catch((e: { code?: string }) => {
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

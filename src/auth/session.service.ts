import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import type { AuthenticatedOperator } from './authenticated-operator.js';
import { OperatorSession } from './session.entity.js';

const sha256 = (token: string) => createHash('sha256').update(token).digest();

/**
 * Opaque bearer tokens backed by a table rather than self-contained JWTs: logging out,
 * or changing an operator's role, takes effect on the next request.
 */
@Injectable()
export class SessionService {
  constructor(
    @InjectRepository(OperatorSession) private readonly sessions: Repository<OperatorSession>,
    private readonly config: AppConfig,
  ) {}

  async open(operatorId: string): Promise<{ token: string; expiresIn: number }> {
    const token = randomBytes(32).toString('base64url');
    const expiresIn = this.config.sessionTtlSeconds;
    await this.sessions.insert({
      tokenHash: sha256(token),
      operatorId,
      expiresAt: new Date(Date.now() + expiresIn * 1000),
    });
    // Housekeeping on the login path is cheap and keeps the table small without a job.
    await this.sessions.delete({ expiresAt: LessThan(new Date()) });
    return { token, expiresIn };
  }

  async authenticate(token: string): Promise<AuthenticatedOperator | undefined> {
    if (token.length > 200) return undefined;
    const session = await this.sessions.findOne({
      where: { tokenHash: sha256(token) },
      relations: { operator: true },
    });
    if (!session || session.expiresAt.getTime() <= Date.now()) return undefined;
    const { id, email, name, role } = session.operator;
    return { id, email, name, role };
  }

  async close(token: string): Promise<void> {
    await this.sessions.delete({ tokenHash: sha256(token) });
  }
}

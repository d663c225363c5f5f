import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Observable, Subject } from 'rxjs';
import { type EntityManager, LessThan, Repository } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import type { AuthenticatedOperator, OperatorSessionRef } from './authenticated-operator.js';
import { OperatorSession } from './session.entity.js';

const sha256 = (token: string) => createHash('sha256').update(token).digest();

/**
 * Opaque bearer tokens backed by a table rather than self-contained JWTs: logging out, disabling
 * an operator or changing their role takes effect on the next request, and ends their open streams.
 */
@Injectable()
export class SessionService {
  private readonly ended = new Subject<string[]>();
  /** Ids of sessions ended on this instance: its open streams end at once (SessionWatch). */
  readonly ended$: Observable<string[]> = this.ended.asObservable();

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

  async authenticate(token: string): Promise<{ operator: AuthenticatedOperator; session: OperatorSessionRef } | undefined> {
    if (token.length > 200) return undefined;
    const session = await this.sessions.findOne({
      where: { tokenHash: sha256(token) },
      relations: { operator: true },
    });
    // Disabling deletes the sessions too; checking here as well means no path that forgets to can let one through.
    if (!session || session.expiresAt.getTime() <= Date.now() || session.operator.disabledAt) return undefined;
    const { id, email, name, role } = session.operator;
    return { operator: { id, email, name, role }, session: { id: session.id, expiresAt: session.expiresAt } };
  }

  async close(token: string): Promise<void> {
    const deleted = await this.sessions
      .createQueryBuilder()
      .delete()
      .where('token_hash = :hash', { hash: sha256(token) })
      .returning('id')
      .execute();
    this.announceEnded(idsOf(deleted.raw));
  }

  /**
   * Deletes every session of one operator, inside the caller's transaction when given one, and
   * returns their ids: announce them with `announceEnded` once that transaction has committed.
   */
  async deleteAllOf(operatorId: string, manager: EntityManager = this.sessions.manager): Promise<string[]> {
    const deleted = await manager
      .createQueryBuilder()
      .delete()
      .from(OperatorSession)
      .where('operator_id = :operatorId', { operatorId })
      .returning('id')
      .execute();
    return idsOf(deleted.raw);
  }

  announceEnded(ids: string[]): void {
    if (ids.length > 0) this.ended.next(ids);
  }

  /** Which of these sessions still hold: not logged out, revoked or expired, and their operator not disabled. One query. */
  async alive(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.sessions
      .createQueryBuilder('s')
      .innerJoin('s.operator', 'o')
      .select('s.id', 'id')
      .where('s.id IN (:...ids)', { ids })
      .andWhere('s.expires_at > now()')
      .andWhere('o.disabled_at IS NULL')
      .getRawMany<{ id: string }>();
    return new Set(rows.map((r) => r.id));
  }
}

function idsOf(raw: unknown): string[] {
  return Array.isArray(raw) ? raw.map((r: { id: string }) => r.id) : [];
}

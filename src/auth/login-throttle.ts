import { Injectable } from '@nestjs/common';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error.js';

/**
 * Counts failed logins (not all logins) per account-and-address and per address, in PostgreSQL
 * so that several instances share the count. The classic brute-force pattern of rate-limiter-flexible.
 */
@Injectable()
export class LoginThrottle {
  private readonly byAccountAndAddress: RateLimiterPostgres;
  private readonly byAddress: RateLimiterPostgres;

  constructor(dataSource: DataSource) {
    // The pg pool TypeORM already holds: no second pool to size or to close.
    const pool = (dataSource.driver as unknown as { master: unknown }).master;
    const common = { storeClient: pool, storeType: 'pool', tableName: 'login_failure', tableCreated: true };
    this.byAccountAndAddress = new RateLimiterPostgres({ ...common, keyPrefix: 'acct', points: 5, duration: 15 * 60, blockDuration: 15 * 60 });
    this.byAddress = new RateLimiterPostgres({ ...common, keyPrefix: 'addr', points: 50, duration: 60 * 60, blockDuration: 60 * 60 });
  }

  /** Refuses before the password is even checked when either counter is exhausted. */
  async assertAllowed(email: string, address: string): Promise<void> {
    const [acct, addr] = await Promise.all([
      this.byAccountAndAddress.get(`${email}|${address}`),
      this.byAddress.get(address),
    ]);
    const blocked = [
      acct && acct.consumedPoints >= 5 ? acct : undefined,
      addr && addr.consumedPoints >= 50 ? addr : undefined,
    ].filter((r): r is RateLimiterRes => !!r);
    if (blocked.length) this.refuse(Math.max(...blocked.map((r) => r.msBeforeNext)));
  }

  async failed(email: string, address: string): Promise<void> {
    const results = await Promise.allSettled([
      this.byAccountAndAddress.consume(`${email}|${address}`),
      this.byAddress.consume(address),
    ]);
    const rejected = results.find((r) => r.status === 'rejected');
    if (rejected && rejected.reason instanceof RateLimiterRes) this.refuse(rejected.reason.msBeforeNext);
    if (rejected) throw rejected.reason;
  }

  async succeeded(email: string, address: string): Promise<void> {
    await this.byAccountAndAddress.delete(`${email}|${address}`);
  }

  private refuse(msBeforeNext: number): never {
    throw new DomainError(
      'rate_limited',
      'login_rate_limited',
      'too many failed logins; wait before trying again',
      Math.max(1, Math.ceil(msBeforeNext / 1000)),
    );
  }
}

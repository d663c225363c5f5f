import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error.js';

/** One address guessing at one account: blocked for 15 minutes after 5 failures. */
export const PER_ADDRESS_AND_ACCOUNT = { points: 5, duration: 15 * 60, blockDuration: 15 * 60 };
/** One address guessing across accounts: blocked for an hour after 50 failures. */
export const PER_ADDRESS = { points: 50, duration: 60 * 60, blockDuration: 60 * 60 };
/**
 * All addresses together guessing at one account, in 15 minutes. Past it, only addresses that have
 * not failed at this account lately may still try: the operator at their own desk still logs in.
 */
export const PER_ACCOUNT = { points: 10, duration: 15 * 60 };

/**
 * Counts login attempts in PostgreSQL, so that every instance shares the count, with
 * rate-limiter-flexible's consume: one atomic upsert per counter. An attempt takes its points
 * before its password is checked and gives them back when the password was right, so that however
 * many guesses arrive at once, no more than the limit reach the password check.
 *
 * Three counters, because one keyed on the address alone lets anyone behind the same address lock
 * the admin out and lets anyone with many addresses guess without end, while one keyed on the
 * account alone hands the lock-out to whoever knows the admin's email.
 */
@Injectable()
export class LoginThrottle {
  private readonly byAddressAndAccount: RateLimiterPostgres;
  private readonly byAddress: RateLimiterPostgres;
  private readonly byAccount: RateLimiterPostgres;

  constructor(dataSource: DataSource) {
    // The pg pool TypeORM already holds: no second pool to size or to close.
    const pool = (dataSource.driver as unknown as { master: unknown }).master;
    const common = { storeClient: pool, storeType: 'pool', tableName: 'login_failure', tableCreated: true };
    this.byAddressAndAccount = new RateLimiterPostgres({ ...common, keyPrefix: 'pair', ...PER_ADDRESS_AND_ACCOUNT });
    this.byAddress = new RateLimiterPostgres({ ...common, keyPrefix: 'addr', ...PER_ADDRESS });
    this.byAccount = new RateLimiterPostgres({ ...common, keyPrefix: 'acct', ...PER_ACCOUNT });
  }

  /**
   * Runs `check` (the password check) if this attempt is within the limits, else refuses with 429.
   * `check` answers what it found, or undefined for a failed login, which keeps the points taken.
   */
  async attempt<T>(email: string, address: string, check: () => Promise<T | undefined>): Promise<T | undefined> {
    // A hash: the key column is bounded, and the table need not hold the email addresses.
    const account = createHash('sha256').update(email.toLowerCase()).digest('base64url');
    const pair = await this.take(this.byAddressAndAccount, `${account}|${address}`);
    await this.take(this.byAddress, address);
    const forAccount = await this.byAccount.consume(account).catch((e: unknown) => {
      if (e instanceof RateLimiterRes) return e;
      throw e;
    });
    // Over the account's budget, an address that has itself failed here lately waits; a clean one may try.
    if (forAccount.consumedPoints > PER_ACCOUNT.points && pair.consumedPoints > 1) {
      this.refuse(Math.min(forAccount.msBeforeNext, pair.msBeforeNext));
    }

    let found: T | undefined;
    try {
      found = await check();
    } catch (e) {
      await Promise.all([this.byAddressAndAccount.reward(`${account}|${address}`), this.giveBack(account, address)]);
      throw e;
    }
    if (found !== undefined) await Promise.all([this.byAddressAndAccount.delete(`${account}|${address}`), this.giveBack(account, address)]);
    return found;
  }

  private async take(limiter: RateLimiterPostgres, key: string): Promise<RateLimiterRes> {
    try {
      return await limiter.consume(key);
    } catch (e) {
      if (e instanceof RateLimiterRes) this.refuse(e.msBeforeNext);
      throw e;
    }
  }

  /** An attempt that was not a failed guess does not count. */
  private async giveBack(account: string, address: string): Promise<void> {
    await Promise.all([this.byAddress.reward(address), this.byAccount.reward(account)]);
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

import { Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { Metrics } from '../metrics/metrics.js';
import { firstRow, rows } from '../database/rows.js';

/**
 * Wrong codes one number may text before it must wait. A person who mistypes, or answers an old SMS,
 * stays well below it; a guesser gets five tries at 900 codes per window, so about one alarm in 180
 * could be acknowledged by someone sending with the owner's number, and then only while it is open.
 */
export const WRONG_CODES_ALLOWED = 5;

/**
 * How long wrong codes are counted from the first, and how long a number that reached the limit then
 * waits. An escalation is over in minutes (a minute per person by default), so a guesser gets about
 * one round of tries per alarm; a person who really has the code loses at most this long, and the
 * escalation carries on to the contacts and the operators meanwhile.
 */
export const WRONG_CODE_WINDOW_MS = 15 * 60_000;

export type ReplyCodeVerdict =
  | { refused: false }
  /** `tellToWait`: the first refusal in this window, so the number is told once, not on every try. */
  | { refused: true; waitMinutes: number; tellToWait: boolean };

/**
 * Counts wrong reply codes per sender number (docs/alarm-handling.md#reply-codes: a few wrong codes
 * from one number and it must wait), in PostgreSQL so that every instance shares the count. Called
 * in the inbound message's transaction, under the sender's number lock (InboundSms), so texts from
 * one number are checked and counted one after another: parallel wrong codes cannot slip past the
 * limit.
 */
@Injectable()
export class ReplyCodeGuard {
  private readonly logger = new Logger(ReplyCodeGuard.name);
  private readonly refusedCodes: Counter;

  constructor(
    private readonly clock: Clock,
    metrics: Metrics,
  ) {
    this.refusedCodes = new Counter({
      name: 'keyholder_reply_code_refused_total',
      help: 'Reply codes refused without being checked: the sender number had texted too many wrong codes',
      registers: [metrics.registry],
    });
  }

  /** Whether a code from this number may be checked at all: not once it reached the limit, until its window ends. */
  async check(phone: string, m: EntityManager): Promise<ReplyCodeVerdict> {
    const now = this.clock.now();
    const row = await firstRow<{ window_ends_at: Date; told_to_wait: boolean }>(
      m,
      `SELECT window_ends_at, told_to_wait FROM reply_code_guess WHERE phone = $1 AND wrong_codes >= $2 AND window_ends_at > $3`,
      [phone, WRONG_CODES_ALLOWED, now],
    );
    if (!row) return { refused: false };
    this.refusedCodes.inc();
    if (!row.told_to_wait) await m.query(`UPDATE reply_code_guess SET told_to_wait = true WHERE phone = $1`, [phone]);
    const waitMinutes = Math.max(1, Math.ceil((row.window_ends_at.getTime() - now.getTime()) / 60_000));
    return { refused: true, waitMinutes, tellToWait: !row.told_to_wait };
  }

  /** Counts a code that matched nothing; the one that reaches the limit starts a whole window of waiting. */
  async wrongCode(phone: string, m: EntityManager): Promise<void> {
    const now = this.clock.now();
    const windowEnds = new Date(now.getTime() + WRONG_CODE_WINDOW_MS);
    const [{ wrong_codes: wrongCodes }] = await rows<{ wrong_codes: number }>(
      m,
      `INSERT INTO reply_code_guess AS g (phone, wrong_codes, window_ends_at) VALUES ($1, 1, $3)
       ON CONFLICT (phone) DO UPDATE SET
         wrong_codes = CASE WHEN g.window_ends_at <= $2 THEN 1 ELSE g.wrong_codes + 1 END,
         window_ends_at = CASE WHEN g.window_ends_at <= $2 OR g.wrong_codes + 1 = $4 THEN $3 ELSE g.window_ends_at END,
         told_to_wait = g.told_to_wait AND g.window_ends_at > $2
       RETURNING wrong_codes`,
      [phone, now, windowEnds, WRONG_CODES_ALLOWED],
    );
    if (wrongCodes === WRONG_CODES_ALLOWED) {
      this.logger.warn(
        { number: masked(phone), wrongCodes, waitMinutes: WRONG_CODE_WINDOW_MS / 60_000 },
        'too many wrong reply codes from one number: its codes are refused unchecked until the window ends',
      );
    }
    // Expired windows of other numbers go as well, a few at a time; rows another transaction holds are
    // skipped rather than waited for (two numbers purging each other's rows would deadlock).
    await m.query(
      `DELETE FROM reply_code_guess WHERE phone IN (
         SELECT phone FROM reply_code_guess WHERE window_ends_at <= $1 AND phone <> $2 LIMIT 100 FOR UPDATE SKIP LOCKED)`,
      [now, phone],
    );
  }
}

/** Enough of a number for an operator to match it with a customer's, not enough to text it. */
function masked(phone: string): string {
  return phone.length > 6 ? `${phone.slice(0, 3)}…${phone.slice(-2)}` : '…';
}

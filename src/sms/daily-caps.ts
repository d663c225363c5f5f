import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import type { OutboundSms } from './send-policy.js';
import { queryPrepared } from '../database/prepared-sql.js';

export type DailyCap = 'operator_cap' | 'central_cap';

/** Namespace of the advisory lock that makes counting today's capped SMS and storing one atomic. */
const CAP_LOCK = 727101;

/**
 * The SMS the daily caps count and hold back: onboarding notices (an operator's request causes
 * them) and automatic replies (help, unknown code) to whoever texts us. Alarm SMS and the
 * confirmation of a reply code are never held back.
 */
export function countsTowardCaps(sms: Pick<OutboundSms, 'purpose' | 'replyKind'>): boolean {
  return sms.purpose === 'contact_notice' || (sms.purpose === 'reply' && sms.replyKind !== 'confirmation');
}

/**
 * SMS spending, per UTC day: SMS_DAILY_CAP_PER_OPERATOR for the messages one operator's requests
 * cause (operator_id on the message), SMS_DAILY_CAP for the whole central. Counted from the stored
 * messages (all instances share them), refused ones left out, with one indexed statement
 * (sms_message_daily_cap). The day is UTC's: the caps start again at 01:00 or 02:00 Nordic time.
 *
 * The count runs after a transaction-scoped advisory lock, in the transaction that stores the
 * message: a second request at cap-1 waits for the first to commit, then counts its message, so two
 * parallel requests never both take the last one.
 */
@Injectable()
export class SmsDailyCaps {
  constructor(private readonly config: AppConfig) {}

  /** Undefined when the message may be stored; else which cap it would exceed, as a 429 with Retry-After. */
  async check(sms: OutboundSms, m: EntityManager): Promise<{ cap: DailyCap; error: DomainError } | undefined> {
    if (!countsTowardCaps(sms)) return undefined;
    await m.query('SELECT pg_advisory_xact_lock($1, 0)', [CAP_LOCK]);
    const [today] = await queryPrepared<{ central: number; operator: number; seconds_left: number }>(
      m,
      'sms_daily_cap_count',
      `SELECT count(*)::int AS central,
              count(*) FILTER (WHERE operator_id = $1::uuid)::int AS operator,
              ceil(extract(epoch FROM date_trunc('day', now() AT TIME ZONE 'UTC') + interval '1 day' - now() AT TIME ZONE 'UTC'))::int AS seconds_left
         FROM sms_message
        WHERE created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
          AND direction = 'outbound' AND status <> 'refused'
          AND (purpose = 'contact_notice' OR (purpose = 'reply' AND reply_kind IS DISTINCT FROM 'confirmation'))`,
      [sms.operatorId ?? null],
    );
    const retryAfter = Math.max(1, today.seconds_left);
    const { dailyCap, dailyCapPerOperator } = this.config.sms;
    // The central's cap first: when both are reached, another operator could not help either.
    if (today.central >= dailyCap) {
      return {
        cap: 'central_cap',
        error: new DomainError(
          'rate_limited',
          'sms_central_cap_reached',
          `the central's daily cap on SMS other than alarm SMS is reached (SMS_DAILY_CAP: ${dailyCap} a day, UTC): this would send an SMS, so nothing was saved; try again after midnight UTC (alarm SMS are not held back)`,
          retryAfter,
        ),
      };
    }
    if (sms.operatorId && today.operator >= dailyCapPerOperator) {
      return {
        cap: 'operator_cap',
        error: new DomainError(
          'rate_limited',
          'sms_operator_cap_reached',
          `your daily cap on the SMS an operator's changes may send is reached (SMS_DAILY_CAP_PER_OPERATOR: ${dailyCapPerOperator} a day, UTC): this would send an SMS, so nothing was saved; try again after midnight UTC`,
          retryAfter,
        ),
      };
    }
    return undefined;
  }
}

import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { acknowledgedText, alreadyAcknowledgedText } from './alarm-texts.js';
import { acknowledgeAlarm, type AcknowledgedBy } from '../alarm-model/alarm-state.js';
import { AppConfig } from '../config/app-config.js';
import type { Address, Language } from '../customers/customer.entity.js';
import { ReplyCodeHandler, type ReplyCode, type ReplyCodeOutcome } from '../sms/reply-code-handler.js';
import { queryPrepared } from '../database/prepared-sql.js';
import { firstRow } from '../database/rows.js';
import { unknownCodeText } from '../sms/texts.js';

/** Namespace of the advisory lock that serialises code allocation per phone number. */
const REPLY_CODE_LOCK = 727200;

/**
 * Codes are three digits from 100 to 999: short enough to type, 900 of them so that a guess rarely
 * hits, and never a leading zero, so "042" against "42" (a phone, a person or a parser dropping the
 * zero) can never matter.
 */
export const FIRST_REPLY_CODE = 100;
export const LAST_REPLY_CODE = 999;
const EVERY_CODE = Array.from({ length: LAST_REPLY_CODE - FIRST_REPLY_CODE + 1 }, (_, i) => FIRST_REPLY_CODE + i);

/**
 * A random code that no open alarm's SMS to this phone holds, so a reply names one alarm, and that
 * a guess cannot predict. Codes this phone was sent in the last day are avoided while others are
 * free, so a late reply to an old alarm's SMS does not acknowledge a new one. Serialised per phone
 * number for the rest of the caller's transaction, so two alarms texting one phone at once get
 * different codes. With every three-digit code held (900 open alarms for one phone), the lowest free
 * code above them.
 */
export async function allocateReplyCode(phone: string, m: EntityManager): Promise<number> {
  // Two statements, not one: the codes must be read after the lock is held (a statement sees what
  // was committed when it started, and the lock may be granted only later).
  await queryPrepared(m, 'reply_code_lock', `SELECT pg_advisory_xact_lock($1::int, hashtext($2::text))`, [REPLY_CODE_LOCK, phone]);
  const rows = await queryPrepared<{ code: number; active: boolean }>(
    m,
    'reply_code_taken',
    `SELECT code, bool_or(active) AS active FROM reply_code
      WHERE phone = $1::text AND (active OR created_at > now() - interval '1 day')
      GROUP BY code`,
    [phone],
  );
  const active = new Set(rows.filter((r) => r.active).map((r) => r.code));
  const recent = new Set(rows.map((r) => r.code));
  for (const taken of [recent, active]) {
    const free = EVERY_CODE.filter((code) => !taken.has(code));
    if (free.length) return free[randomInt(free.length)];
  }
  let code = LAST_REPLY_CODE + 1;
  while (active.has(code)) code += 1;
  return code;
}

export interface ReplyCodeRow {
  phone: string;
  code: number;
  alarmId: string;
  customerId: string;
  contactId: string | null;
  messageId: string;
}

/** Keeps an allocated code with the message that carries it; bound to `replyCodeValues` as $1 to $6. */
export const INSERT_REPLY_CODE = `INSERT INTO reply_code (phone, code, alarm_id, customer_id, contact_id, message_id)
  VALUES ($1::text, $2::int, $3::uuid, $4::uuid, $5::uuid, $6::uuid)`;

export const replyCodeValues = (c: ReplyCodeRow): unknown[] => [c.phone, c.code, c.alarmId, c.customerId, c.contactId, c.messageId];

interface CodeMatch {
  alarm_id: string;
  customer_id: string;
  contact_id: string | null;
  contact_name: string | null;
  status: string;
  stage: string;
  language: Language;
  alarm_address: Address;
}

/**
 * The SMS module's ReplyCodeHandler port, for real (docs/alarm-handling.md#reply-codes): a code texted from the
 * phone it was sent to acknowledges that alarm (stage `acknowledged`, `acknowledgedBy` the owner or
 * the contact), which stops its escalation, and is answered with a confirmation in the recipient's
 * language. Runs in the inbound message's transaction and needs nothing but that transaction (and
 * AppConfig), so SMS reaches it through its port without knowing about alarms.
 */
@Injectable()
export class AlarmReplyCodes extends ReplyCodeHandler {
  constructor(private readonly config: AppConfig) {
    super();
  }

  async handle(reply: ReplyCode, m: EntityManager): Promise<ReplyCodeOutcome> {
    const code = Number(reply.code);
    const unknown = (): ReplyCodeOutcome => ({ kind: 'unknown_code', reply: unknownCodeText(reply.language, this.config.companyName, reply.code) });
    if (!Number.isSafeInteger(code) || code < 1 || code > 2_147_483_647) return unknown();
    const match = await firstRow<CodeMatch>(
      m,
      `SELECT r.alarm_id, r.customer_id, r.contact_id, k.name AS contact_name, a.status, a.stage, c.language, c.alarm_address
         FROM reply_code r
         JOIN alarm a ON a.id = r.alarm_id
         JOIN customer c ON c.id = r.customer_id
         LEFT JOIN contact k ON k.id = r.contact_id
        WHERE r.phone = $1 AND r.code = $2 AND r.active AND a.status = 'open'
        ORDER BY r.created_at DESC
        LIMIT 1
        FOR UPDATE OF a`,
      [reply.from, code],
    );
    if (!match) return unknown();

    const by: AcknowledgedBy = match.contact_id
      ? { type: 'contact', contactId: match.contact_id, name: match.contact_name, via: 'reply_code', messageId: reply.inboundMessageId }
      : { type: 'owner', customerId: match.customer_id, via: 'reply_code', messageId: reply.inboundMessageId };
    const acknowledged = await acknowledgeAlarm(m, match.alarm_id, by);
    const street = match.alarm_address?.street ?? '';
    return {
      kind: 'confirmation',
      reply: acknowledged ? acknowledgedText(match.language, street) : alreadyAcknowledgedText(match.language, street),
      alarmId: match.alarm_id,
      customerId: match.customer_id,
      ...(match.contact_id ? { contactId: match.contact_id } : {}),
    };
  }
}

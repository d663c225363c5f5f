import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Observable, Subject } from 'rxjs';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { firstRow, rows } from '../database/rows.js';
import { readInbound } from './inbound-text.js';
import { ReplyCodeGuard } from './reply-code-guard.js';
import { ReplyCodeHandler } from './reply-code-handler.js';
import { PHONE_LOCK } from './send-policy.js';
import { SmsDeliveryStatus, type SmsStatusChange } from './sms-delivery-status.js';
import { SmsOutbox } from './sms-outbox.js';
import { E164 } from './sms.types.js';
import { codeWaitText, helpText, languageForPhone, type SmsLanguage } from './texts.js';

/** Automatic replies other than confirmations, per number and 24 hours (docs/sms.md#inbound-texts: at most a few, to avoid SMS loops). */
export const AUTO_REPLIES_PER_DAY = 3;

/** A number replied STOP: emitted once committed, for whoever keeps records about those people. */
export interface OptOutRecorded {
  phone: string;
  keyword: string;
  inboundMessageId: string;
  /** Contacts set to opted_out by it. */
  contactIds: string[];
  /** Customers whose own number it is (their alarm SMS are refused from now on). */
  customerIds: string[];
  at: Date;
}

export interface InboundOutcome {
  inboundMessageId?: string;
  /** Text for the TwiML <Message>, when there is something to answer. */
  reply?: string;
  /** Twilio delivered a MessageSid we already handled; nothing was done again. */
  duplicate?: boolean;
  /** Whom the text concerned, by id (customers, contacts, the alarm), for the processing log. */
  subjectIds?: string[];
}

/**
 * An SMS someone sent us (Twilio's inbound webhook), handled in one transaction under the sender's
 * number lock, so two texts from one number (or a text racing an enqueue) are handled in turn:
 * - STOP and its variants: the number is opted out (sms_opt_out), every active contact with it is set
 *   `opted_out` (Art. 21 objection), and messages still queued to it are refused. No reply: Twilio
 *   answers its own keywords itself and blocks us from texting the number anyway.
 * - START/UNSTOP/YES: the number's opt-out row is removed, so an owner gets their alarm SMS again.
 *   Contacts stay `opted_out`: a START cannot tell which customer's list the person wants back on,
 *   and an objection is lifted only when the customer re-adds them with the person's agreement
 *   (docs/sms.md#opt-out). The inbound message is the record.
 * - a reply code: handed to the ReplyCodeHandler (the escalation's; by default, "unknown code"),
 *   unless the number texted too many wrong codes lately (ReplyCodeGuard): then it is not checked,
 *   and the number is told to wait, once per wait and at most AUTO_REPLIES_PER_DAY a day.
 * - anything else: a short help text, at most AUTO_REPLIES_PER_DAY a day per number.
 * Every reply passes the send policy (SmsOutbox.recordReply) and is stored.
 */
@Injectable()
export class InboundSms {
  private readonly logger = new Logger(InboundSms.name);
  private readonly optOuts = new Subject<OptOutRecorded>();
  readonly optOuts$: Observable<OptOutRecorded> = this.optOuts.asObservable();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: SmsOutbox,
    private readonly deliveryStatus: SmsDeliveryStatus,
    private readonly replyCodes: ReplyCodeHandler,
    private readonly replyCodeGuard: ReplyCodeGuard,
    private readonly config: AppConfig,
  ) {}

  async receive(params: Record<string, unknown>): Promise<InboundOutcome> {
    const from = text(params.From);
    const to = text(params.To);
    const sid = text(params.MessageSid) ?? text(params.SmsSid);
    const body = (text(params.Body) ?? '').slice(0, 5000);
    if (!from || !to || !sid) {
      throw new DomainError('invalid', 'twilio_inbound_incomplete', 'an inbound SMS needs From, To and MessageSid');
    }
    // These are stored in indexed columns, and an index entry has a size limit: an oversized value
    // would fail in the database (a 500), so it is named here instead. Twilio's own are far shorter.
    for (const [field, value, max] of [
      ['From', from, MAX_ADDRESS],
      ['To', to, MAX_ADDRESS],
      ['MessageSid', sid, MAX_SID],
    ] as const) {
      if (value.length > max) throw new DomainError('invalid', 'twilio_inbound_invalid', `${field} must be at most ${max} characters`);
    }
    const intent = readInbound(body);
    const afterCommit: Array<() => void> = [];
    const subjectIds: string[] = [];

    const outcome = await this.dataSource.transaction(async (m): Promise<InboundOutcome> => {
      await m.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [PHONE_LOCK, from]);
      const [stored] = await rows<{ id: string }>(
        m,
        `INSERT INTO sms_message (direction, to_phone, from_phone, body, purpose, legal_basis, status, provider_id, priority)
         VALUES ('inbound', $1, $2, $3, 'reply', 'legitimate_interests', 'received', $4, 0)
         ON CONFLICT (provider_id) DO NOTHING
         RETURNING id`,
        [to, from, body, sid],
      );
      if (!stored) return { duplicate: true };
      const inboundMessageId = stored.id;

      switch (intent.kind) {
        case 'stop': {
          const optedOut = await this.optOut(from, intent.keyword, inboundMessageId, m);
          afterCommit.push(optedOut.emit);
          subjectIds.push(...optedOut.event.contactIds, ...optedOut.event.customerIds);
          return { inboundMessageId };
        }
        case 'start':
          await m.query('DELETE FROM sms_opt_out WHERE phone = $1', [from]);
          this.logger.log({ inboundMessageId }, 'opt-in recorded: number opt-out removed, contacts stay opted out');
          return { inboundMessageId };
        case 'code': {
          const language = await this.languageOf(from, m);
          // Past the wrong-code limit nothing is checked, not even a right code: otherwise the limit
          // would only slow a guesser down, not stop them. The escalation carries on meanwhile.
          const verdict = await this.replyCodeGuard.check(from, m);
          if (verdict.refused) {
            if (!verdict.tellToWait || (await this.autoRepliesToday(from, m, ['code_wait'])) >= AUTO_REPLIES_PER_DAY) return { inboundMessageId };
            return this.reply({ from, to, inboundMessageId, body: codeWaitText(language, this.config.companyName, verdict.waitMinutes), kind: 'code_wait' }, m);
          }
          const result = await this.replyCodes.handle({ code: intent.code, from, to, inboundMessageId, language }, m);
          if (result.kind === 'unknown_code') await this.replyCodeGuard.wrongCode(from, m);
          const about = { alarmId: result.alarmId, customerId: result.customerId, contactId: result.contactId };
          subjectIds.push(...[about.customerId, about.contactId, about.alarmId].filter((id): id is string => !!id));
          if (about.alarmId || about.customerId || about.contactId) {
            await m.query(`UPDATE sms_message SET alarm_id = $2, customer_id = $3, contact_id = $4 WHERE id = $1`, [
              inboundMessageId,
              about.alarmId ?? null,
              about.customerId ?? null,
              about.contactId ?? null,
            ]);
          }
          if (!result.reply) return { inboundMessageId };
          if (result.kind !== 'confirmation' && (await this.autoRepliesToday(from, m)) >= AUTO_REPLIES_PER_DAY) return { inboundMessageId };
          return this.reply({ from, to, inboundMessageId, body: result.reply, kind: result.kind, ...about }, m);
        }
        default: {
          if ((await this.autoRepliesToday(from, m)) >= AUTO_REPLIES_PER_DAY) return { inboundMessageId };
          const language = await this.languageOf(from, m);
          return this.reply({ from, to, inboundMessageId, body: helpText(language, this.config.companyName), kind: 'help' }, m);
        }
      }
    });
    for (const run of afterCommit) run();
    return subjectIds.length ? { ...outcome, subjectIds } : outcome;
  }

  private async optOut(phone: string, keyword: string, inboundMessageId: string, m: EntityManager): Promise<{ event: OptOutRecorded; emit: () => void }> {
    await m.query(
      `INSERT INTO sms_opt_out (phone, source, inbound_message_id) VALUES ($1, $2, $3)
       ON CONFLICT (phone) DO UPDATE SET opted_out_at = now(), source = EXCLUDED.source, inbound_message_id = EXCLUDED.inbound_message_id`,
      [phone, `sms:${keyword}`, inboundMessageId],
    );
    const contacts = await rows<{ id: string; customer_id: string }>(
      m,
      `WITH u AS (
         UPDATE contact SET status = 'opted_out', opted_out_at = COALESCE(opted_out_at, now()), updated_at = now()
          WHERE phone = $1 AND ended_at IS NULL
          RETURNING id, customer_id)
       SELECT * FROM u`,
      [phone],
    );
    const customers = await rows<{ id: string }>(m, `SELECT id FROM customer WHERE phone = $1 AND ended_at IS NULL`, [phone]);
    // Operators filtering messages by contact should see the STOP; only when it is unambiguous.
    if (contacts.length === 1) {
      await m.query(`UPDATE sms_message SET contact_id = $2, customer_id = $3 WHERE id = $1`, [inboundMessageId, contacts[0].id, contacts[0].customer_id]);
    } else if (contacts.length === 0 && customers.length === 1) {
      await m.query(`UPDATE sms_message SET customer_id = $2 WHERE id = $1`, [inboundMessageId, customers[0].id]);
    }
    const refused: SmsStatusChange[] = await this.deliveryStatus.refuseQueuedTo(phone, 'opted_out', m);
    this.logger.log({ inboundMessageId, contacts: contacts.length, customers: customers.length, refusedQueued: refused.length }, 'opt-out (STOP) recorded');
    const event: OptOutRecorded = {
      phone,
      keyword,
      inboundMessageId,
      contactIds: contacts.map((c) => c.id),
      customerIds: customers.map((c) => c.id),
      at: new Date(),
    };
    const emit = () => {
      this.deliveryStatus.emit(refused);
      this.optOuts.next(event);
    };
    return { event, emit };
  }

  private async reply(
    r: { from: string; to: string; inboundMessageId: string; body: string; kind: string; alarmId?: string; customerId?: string; contactId?: string },
    m: EntityManager,
  ): Promise<InboundOutcome> {
    // Short codes and alphanumeric senders (carriers, other robots) get no answer: that is how loops start.
    if (!E164.test(r.from)) return { inboundMessageId: r.inboundMessageId };
    const recorded = await this.outbox.recordReply(
      {
        purpose: 'reply',
        to: r.from,
        body: r.body,
        inReplyTo: r.inboundMessageId,
        replyKind: r.kind,
        alarmId: r.alarmId,
        customerId: r.customerId,
        contactId: r.contactId,
      },
      r.to,
      m,
    );
    return recorded.allowed ? { inboundMessageId: r.inboundMessageId, reply: r.body } : { inboundMessageId: r.inboundMessageId };
  }

  /** Replies of these kinds sent to the number in the last 24 hours. */
  private async autoRepliesToday(phone: string, m: EntityManager, kinds = ['help', 'unknown_code']): Promise<number> {
    const [row] = await rows<{ n: number }>(
      m,
      `SELECT count(*)::int AS n FROM sms_message
        WHERE to_phone = $1 AND direction = 'outbound' AND purpose = 'reply' AND reply_kind = ANY($2::text[])
          AND status <> 'refused' AND created_at > now() - interval '24 hours'`,
      [phone, kinds],
    );
    return row.n;
  }

  /** The customer's language if the number is a customer's or a contact's, else the number's country. */
  private async languageOf(phone: string, m: EntityManager): Promise<SmsLanguage> {
    const row = await firstRow<{ language: SmsLanguage | null }>(
      m,
      `SELECT COALESCE(
         (SELECT language FROM customer WHERE phone = $1 AND ended_at IS NULL ORDER BY created_at DESC LIMIT 1),
         (SELECT c.language FROM contact k JOIN customer c ON c.id = k.customer_id
           WHERE k.phone = $1 AND k.ended_at IS NULL ORDER BY k.created_at DESC LIMIT 1)) AS language`,
      [phone],
    );
    return row?.language ?? languageForPhone(phone);
  }
}

/** A phone number, short code, alphanumeric sender or channel address ("whatsapp:+46..."). */
const MAX_ADDRESS = 100;
/** A Twilio SID is 34 characters ("SM" and 32 hex digits). */
const MAX_SID = 64;

function text(v: unknown): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s.trim() ? s.trim() : undefined;
}

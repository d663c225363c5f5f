import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError, notFound } from '../common/domain-error.js';
import { RECIPIENTS } from './recipients.js';
import { ERASED_PHONE } from './retention-policy.js';

export interface ErasureResult {
  erased: string[];
  anonymised: string[];
  retained: Array<{ what: string; reason: string }>;
}

/** Who asked: stored in erasure_record.erased_by (ids only). */
export type ErasedBy = { type: 'operator'; id: string } | { type: 'system'; id: string };

const ERASED_NOTE = '[erased]';

const LOG_RETAINED = {
  what: 'processing log entries naming this person by id',
  reason:
    'the processing log is append-only and hash-chained (Art. 5(2) accountability, Art. 30); it holds ids only, never names, ' +
    'numbers or texts, so with the record erased the entries no longer identify anyone',
};
const RECORD_RETAINED = {
  what: 'the erasure record (the id, when, and this result)',
  reason: 'proof that the request was carried out (Art. 5(2), Art. 12); ids only',
};
const OPT_OUT_RETAINED = {
  what: 'the opt-out of a phone number that replied STOP',
  reason: 'the objection (Art. 21) must keep being honoured: without it the number could be texted again if someone enters it anew',
};
/**
 * The SMS provider's own copy of the messages, which erasing our rows does not reach. The provider
 * id stays on the anonymised SMS rows (it names no one), so the messages can still be found there.
 */
const processorCopyRetained = (sms: number) => ({
  what: `${sms} SMS at the processor ${RECIPIENTS.twilio.name.en}: its copy of the text, phone numbers, times and status`,
  reason:
    `${RECIPIENTS.twilio.processorRetention.en}, one by one, by the provider id kept on each anonymised SMS ` +
    "(deleting the Message resource through Twilio's API removes it there)",
});

/**
 * Art. 17 erasure of a customer (with their contacts and panels) or of one contact. What may be
 * erased is deleted; alarm history that may be needed for legal claims (Art. 17(3)(e)) is kept
 * with names, phone numbers, notes and texts removed and the ids kept; the processing log and the
 * opt-out list are retained with the reason. One transaction per subject, so a request is done
 * completely or not at all; a repeated request answers the stored result.
 */
@Injectable()
export class Erasure {
  private readonly logger = new Logger(Erasure.name);

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async eraseCustomer(customerId: string, by: ErasedBy): Promise<ErasureResult> {
    return this.db.transaction(async (m) => {
      const [customer] = (await m.query(`SELECT id, phone FROM customer WHERE id = $1 FOR UPDATE`, [customerId])) as Array<{ id: string; phone: string }>;
      if (!customer) return this.previous(m, 'customer', customerId);
      // Locking the panels makes a panel event in flight commit first (its alarm is then seen below)
      // or wait and find no panel: no alarm can open for a customer half-way through erasure.
      const panels = (await m.query(`SELECT id FROM panel WHERE customer_id = $1 FOR UPDATE`, [customerId])) as Array<{ id: string }>;

      const open = (await m.query(`SELECT id FROM alarm WHERE customer_id = $1 AND status = 'open' ORDER BY opened_at`, [customerId])) as Array<{ id: string }>;
      if (open.length) {
        throw new DomainError(
          'conflict',
          'erasure_open_alarm',
          `customer ${customerId} has an open alarm (${open.map((a) => a.id).join(', ')}); erase them once it is closed, since it is still being handled`,
        );
      }
      const contacts = (await m.query(`SELECT id, phone FROM contact WHERE customer_id = $1`, [customerId])) as Array<{ id: string; phone: string }>;
      const contactIds = contacts.map((c) => c.id);
      const phones = [...new Set([customer.phone, ...contacts.map((c) => c.phone)])];
      const alarmIds = ((await m.query(`SELECT id FROM alarm WHERE customer_id = $1`, [customerId])) as Array<{ id: string }>).map((a) => a.id);

      await anonymiseAlarmHistory(m, alarmIds);
      const freePhones = await this.phonesHeldByNobodyElse(m, phones, { customerId });
      const sms = await anonymiseSms(
        m,
        `customer_id = $1 OR contact_id = ANY($2::uuid[])
         OR (customer_id IS NULL AND contact_id IS NULL AND (to_phone = ANY($3::text[]) OR from_phone = ANY($3::text[])))`,
        [customerId, contactIds, freePhones],
        phones,
      );
      await m.query(`DELETE FROM reply_code WHERE customer_id = $1`, [customerId]);
      // Arm/disarm history and test signals not part of an alarm are not needed for claims.
      const events = (await m.query(`WITH d AS (DELETE FROM panel_event WHERE customer_id = $1 AND alarm_id IS NULL RETURNING 1) SELECT count(*)::int AS n FROM d`, [
        customerId,
      ])) as Array<{ n: number }>;
      const optedOut = (await m.query(`SELECT count(*)::int AS n FROM sms_opt_out WHERE phone = ANY($1::text[])`, [phones])) as Array<{ n: number }>;
      // Contacts, their notices, the panels and the premises facts go with the customer (ON DELETE CASCADE).
      await m.query(`DELETE FROM customer WHERE id = $1`, [customerId]);

      const result: ErasureResult = {
        erased: [
          'customer record (name, phone number, email, language, alarm and postal address, national identity number)',
          `${contacts.length} alarm contact(s) (name, phone number, email, relation) and their onboarding notices`,
          `${panels.length} panel(s) (label and secret)`,
          'premises facts (notes, animals, access information, verbal password, duress word, zone and panel user names)',
          `${events[0].n} arm/disarm and test signal(s) not part of an alarm`,
        ],
        anonymised: [
          `${alarmIds.length} alarm(s): kept for legal claims (Art. 17(3)(e)) with ids, classes and times; contact names, operator notes and panel texts removed`,
          `${sms} SMS: text and phone numbers removed; purpose, status and times kept with the alarm history`,
        ],
        retained: [LOG_RETAINED, RECORD_RETAINED, ...(optedOut[0].n ? [OPT_OUT_RETAINED] : []), ...(sms ? [processorCopyRetained(sms)] : [])],
      };
      await record(m, 'customer', customerId, customerId, by, result);
      for (const c of contactIds) await record(m, 'contact', c, customerId, by, result);
      this.logger.log({ customerId, alarms: alarmIds.length, sms, by: `${by.type}:${by.id}` }, 'customer erased');
      return result;
    });
  }

  async eraseContact(customerId: string, contactId: string, by: ErasedBy): Promise<ErasureResult> {
    return this.db.transaction(async (m) => {
      const [customer] = (await m.query(`SELECT id FROM customer WHERE id = $1 FOR UPDATE`, [customerId])) as Array<{ id: string }>;
      const [contact] = customer
        ? ((await m.query(`SELECT id, phone FROM contact WHERE id = $1 AND customer_id = $2`, [contactId, customerId])) as Array<{ id: string; phone: string }>)
        : [];
      if (!contact) return this.previous(m, 'contact', contactId, customerId);

      const open = (await m.query(`SELECT id FROM alarm WHERE status = 'open' AND chain @> ARRAY[$1::uuid] ORDER BY opened_at`, [contactId])) as Array<{ id: string }>;
      if (open.length) {
        throw new DomainError(
          'conflict',
          'erasure_open_alarm',
          `contact ${contactId} is in the escalation of an open alarm (${open.map((a) => a.id).join(', ')}); erase them once it is closed`,
        );
      }
      const alarmIds = ((await m.query(`SELECT id FROM alarm WHERE chain @> ARRAY[$1::uuid]`, [contactId])) as Array<{ id: string }>).map((a) => a.id);
      await anonymiseContactInAlarms(m, alarmIds, contactId);
      const freePhones = await this.phonesHeldByNobodyElse(m, [contact.phone], { contactId });
      const sms = await anonymiseSms(
        m,
        `contact_id = $1 OR (customer_id IS NULL AND contact_id IS NULL AND (to_phone = ANY($2::text[]) OR from_phone = ANY($2::text[])))`,
        [contactId, freePhones],
        [contact.phone],
      );
      await m.query(`DELETE FROM reply_code WHERE contact_id = $1`, [contactId]);
      const optedOut = (await m.query(`SELECT count(*)::int AS n FROM sms_opt_out WHERE phone = $1`, [contact.phone])) as Array<{ n: number }>;
      await m.query(`DELETE FROM contact WHERE id = $1`, [contactId]);
      // The remaining contacts keep priorities 1..n without gaps.
      await m.query(
        `UPDATE contact SET priority = o.n
           FROM (SELECT id, row_number() OVER (ORDER BY priority, created_at) AS n FROM contact WHERE customer_id = $1 AND ended_at IS NULL) o
          WHERE contact.id = o.id AND contact.priority <> o.n`,
        [customerId],
      );
      const result: ErasureResult = {
        erased: ['contact record (name, phone number, email, relation, priority) and their onboarding notice'],
        anonymised: [
          `${alarmIds.length} alarm(s) the contact was part of: kept for legal claims (Art. 17(3)(e)) with ids; their name and notes about them removed`,
          `${sms} SMS to or from them: text and phone number removed; purpose, status and times kept with the alarm history`,
        ],
        retained: [LOG_RETAINED, RECORD_RETAINED, ...(optedOut[0].n ? [OPT_OUT_RETAINED] : []), ...(sms ? [processorCopyRetained(sms)] : [])],
      };
      await record(m, 'contact', contactId, customerId, by, result);
      this.logger.log({ customerId, contactId, alarms: alarmIds.length, sms, by: `${by.type}:${by.id}` }, 'contact erased');
      return result;
    });
  }

  /** A repeated request: the same answer as the first time; a never-known id is a 404. */
  private async previous(m: EntityManager, type: 'customer' | 'contact', id: string, customerId?: string): Promise<ErasureResult> {
    const [row] = (await m.query(`SELECT result, customer_id FROM erasure_record WHERE subject_type = $1 AND subject_id = $2`, [type, id])) as Array<{
      result: ErasureResult;
      customer_id: string;
    }>;
    if (!row || (customerId && row.customer_id !== customerId)) throw notFound(type, id);
    return row.result;
  }

  /**
   * Of `phones`, those no other customer or contact holds: SMS rows carrying no customer or contact
   * id (help replies, unknown senders) are theirs only then.
   */
  private async phonesHeldByNobodyElse(m: EntityManager, phones: string[], except: { customerId?: string; contactId?: string }): Promise<string[]> {
    const held = (await m.query(
      `SELECT phone FROM customer WHERE phone = ANY($1::text[]) AND id IS DISTINCT FROM $2::uuid
       UNION SELECT phone FROM contact WHERE phone = ANY($1::text[]) AND customer_id IS DISTINCT FROM $2::uuid AND id IS DISTINCT FROM $3::uuid`,
      [phones, except.customerId ?? null, except.contactId ?? null],
    )) as Array<{ phone: string }>;
    const taken = new Set(held.map((h) => h.phone));
    return phones.filter((p) => !taken.has(p));
  }
}

/**
 * Removes what identifies people from these alarms' history and keeps the rest (ids, class, times,
 * stages, outcomes): contact names in acknowledgements, operators' free-text notes (they may name
 * anyone), panel event texts. With `unlink`, the customer and panel ids go too (end of the legal period).
 */
export async function anonymiseAlarmHistory(m: EntityManager, alarmIds: string[], unlink?: { anonymousId: string }): Promise<void> {
  if (!alarmIds.length) return;
  await m.query(
    `UPDATE alarm_log SET data = data
        || CASE WHEN data ? 'note' THEN jsonb_build_object('note', $2::text) ELSE '{}'::jsonb END
        || CASE WHEN jsonb_typeof(data->'by') = 'object' AND (data->'by') ? 'name' THEN jsonb_build_object('by', (data->'by') || '{"name": null}'::jsonb) ELSE '{}'::jsonb END
      WHERE alarm_id = ANY($1::uuid[]) AND (data ? 'note' OR (jsonb_typeof(data->'by') = 'object' AND (data->'by') ? 'name'))`,
    [alarmIds, ERASED_NOTE],
  );
  await m.query(
    `UPDATE alarm SET acknowledged_by = acknowledged_by || '{"name": null}'::jsonb
      WHERE id = ANY($1::uuid[]) AND jsonb_typeof(acknowledged_by) = 'object' AND acknowledged_by ? 'name'`,
    [alarmIds],
  );
  await m.query(`UPDATE panel_event SET text = NULL WHERE alarm_id = ANY($1::uuid[]) AND text IS NOT NULL`, [alarmIds]);
  // Operators' calls: the contact's name, the note, and a number dialled that is nobody's service line.
  await m.query(
    `UPDATE alarm_log SET data = data - 'contactName' - CASE WHEN data->>'to' = 'other' THEN 'number' ELSE '' END
      WHERE alarm_id = ANY($1::uuid[]) AND kind = 'call'`,
    [alarmIds],
  );
  await m.query(
    `UPDATE alarm_call SET note = CASE WHEN note IS NULL THEN NULL ELSE $2 END, number = CASE WHEN to_kind = 'other' THEN NULL ELSE number END
      WHERE alarm_id = ANY($1::uuid[])`,
    [alarmIds, ERASED_NOTE],
  );
  if (!unlink) return;
  await m.query(
    `UPDATE alarm SET customer_id = $2, panel_id = $2, chain = '{}',
            acknowledged_by = CASE WHEN acknowledged_by IS NULL THEN NULL
                                   ELSE jsonb_build_object('type', acknowledged_by->'type', 'via', acknowledged_by->'via') END,
            updated_at = now()
      WHERE id = ANY($1::uuid[])`,
    [alarmIds, unlink.anonymousId],
  );
  // event_id is only unique per panel: with the panel id gone, the row's own id keeps it unique.
  await m.query(
    `UPDATE panel_event SET customer_id = $2, panel_id = $2, event_id = 'anonymised:' || id, panel_user = NULL
      WHERE alarm_id = ANY($1::uuid[])`,
    [alarmIds, unlink.anonymousId],
  );
  await m.query(`DELETE FROM reply_code WHERE alarm_id = ANY($1::uuid[])`, [alarmIds]);
}

/** One contact's traces in these alarms: their name where they acknowledged, notes about them. */
async function anonymiseContactInAlarms(m: EntityManager, alarmIds: string[], contactId: string): Promise<void> {
  if (!alarmIds.length) return;
  await m.query(
    `UPDATE alarm_log SET data = (data - 'contactName')
        || CASE WHEN data ? 'note' THEN jsonb_build_object('note', $3::text) ELSE '{}'::jsonb END
        || CASE WHEN jsonb_typeof(data->'by') = 'object' THEN jsonb_build_object('by', (data->'by') || '{"name": null}'::jsonb) ELSE '{}'::jsonb END
      WHERE alarm_id = ANY($1::uuid[]) AND (data->>'contactId' = $2 OR data->'by'->>'contactId' = $2)`,
    [alarmIds, contactId, ERASED_NOTE],
  );
  await m.query(
    `UPDATE alarm SET acknowledged_by = acknowledged_by || '{"name": null}'::jsonb
      WHERE id = ANY($1::uuid[]) AND acknowledged_by->>'contactId' = $2`,
    [alarmIds, contactId],
  );
  await m.query(`UPDATE alarm_call SET note = $3 WHERE alarm_id = ANY($1::uuid[]) AND contact_id = $2 AND note IS NOT NULL`, [alarmIds, contactId, ERASED_NOTE]);
}

/**
 * Blanks the text and replaces the subject's numbers in the SMS rows matching `where`; a message
 * still queued to them is refused instead of sent. Returns how many rows changed.
 */
async function anonymiseSms(m: EntityManager, where: string, params: unknown[], subjectPhones: string[]): Promise<number> {
  const p = params.length + 1;
  const rows = (await m.query(
    `WITH u AS (
       UPDATE sms_message SET
         status = CASE WHEN status = 'queued' THEN 'refused' ELSE status END,
         refusal_reason = CASE WHEN status = 'queued' THEN 'recipient_ended: erased' ELSE refusal_reason END,
         body = '',
         to_phone = CASE WHEN to_phone = ANY($${p}::text[]) THEN $${p + 1} ELSE to_phone END,
         from_phone = CASE WHEN from_phone = ANY($${p}::text[]) THEN $${p + 1} ELSE from_phone END,
         updated_at = now()
        WHERE (${where})
          AND (body <> '' OR status = 'queued' OR to_phone = ANY($${p}::text[]) OR from_phone = ANY($${p}::text[]))
        RETURNING 1)
     SELECT count(*)::int AS n FROM u`,
    [...params, subjectPhones, ERASED_PHONE],
  )) as Array<{ n: number }>;
  return rows[0].n;
}

async function record(m: EntityManager, type: 'customer' | 'contact', id: string, customerId: string, by: ErasedBy, result: ErasureResult): Promise<void> {
  await m.query(
    `INSERT INTO erasure_record (subject_type, subject_id, customer_id, erased_by, result) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (subject_type, subject_id) DO NOTHING`,
    [type, id, customerId, `${by.type}:${by.id}`, JSON.stringify(result)],
  );
}

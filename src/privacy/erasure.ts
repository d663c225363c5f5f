import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError, notFound } from '../common/domain-error.js';
import { unlinkAlarmHistory } from './alarm-history-unlink.js';
import { ProcessorDeletions, queueProcessorDeletions } from './processor-deletion.js';
import { RECIPIENTS } from './recipients.js';
import { ANONYMOUS_ID, ERASED_PHONE } from './retention-policy.js';

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
    'numbers or texts, and the alarm history kept moved to new ids that no entry names, so the entries lead to nothing that remains',
};
const RECORD_RETAINED = {
  what: 'the erasure record (the id, when, and this result)',
  reason:
    'proof that the request was carried out (Art. 5(2), Art. 12), and what re-applies the erasure should a backup be restored; ' +
    'the old ids only, nothing that leads to the new ids of the alarm history kept',
};
const OPT_OUT_RETAINED = {
  what: 'the opt-out of a phone number that replied STOP',
  reason: 'the objection (Art. 21) must keep being honoured: without it the number could be texted again if someone enters it anew',
};
/**
 * The SMS provider's own copy of the messages, which erasing our rows does not reach: their ids were
 * queued for deletion at the provider in the erasure's transaction (processor-deletion.ts), and
 * stay only until the provider confirms.
 */
const processorCopyRetained = (sms: number) => ({
  what: `the copies of ${sms} SMS at the processor ${RECIPIENTS.twilio.name.en} (text, phone numbers, times and status), until deleted there`,
  reason:
    "they are being deleted through Twilio's API, one message at a time, tried again until Twilio confirms (a message Twilio has not finished " +
    "with yet can only be deleted minutes later); until then only Twilio's message id is kept here, to find them; Twilio may keep a deleted text " +
    'up to 30 days in its backups',
});

/**
 * Art. 17 erasure of a customer (with their contacts and panels) or of one contact. What may be
 * erased is deleted; alarm history that may be needed for legal claims (Art. 17(3)(e)) is kept
 * under new ids that lead back to no one (alarm-history-unlink.ts); the processing log and the
 * opt-out list are retained with the reason. One transaction per subject, so a request is done
 * completely or not at all; a repeated request answers the stored result.
 */
@Injectable()
export class Erasure {
  private readonly logger = new Logger(Erasure.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly processorDeletions: ProcessorDeletions,
  ) {}

  async eraseCustomer(customerId: string, by: ErasedBy): Promise<ErasureResult> {
    return this.thenDeleteAtProcessor(
      this.db.transaction(async (m) => {
        const [customer] = (await m.query(`SELECT id, phone FROM customer WHERE id = $1 FOR UPDATE`, [customerId])) as Array<{ id: string; phone: string }>;
        if (!customer) return this.previous(m, 'customer', customerId);
        // Locking the panels makes a panel event in flight commit first (its alarm is then seen below)
        // or wait and find no panel: no alarm can open for a customer half-way through erasure.
        const panels = (await m.query(`SELECT id FROM panel WHERE customer_id = $1 FOR UPDATE`, [customerId])) as Array<{ id: string }>;

        const open = (await m.query(`SELECT id FROM alarm WHERE customer_id = $1 AND status = 'open' ORDER BY opened_at`, [customerId])) as Array<{
          id: string;
        }>;
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

        const { alarms, processorCopies: alarmCopies } = await unlinkAlarmHistory(m, alarmIds);
        const freePhones = await this.phonesHeldByNobodyElse(m, phones, { customerId });
        // Their other texts (notices, help replies, texts from their numbers) are no alarm's history: they go.
        const theirSms = `customer_id = $1 OR contact_id = ANY($2::uuid[])
         OR (customer_id IS NULL AND contact_id IS NULL AND (to_phone = ANY($3::text[]) OR from_phone = ANY($3::text[])))`;
        const processorCopies = alarmCopies + (await queueProcessorDeletions(m, theirSms, [customerId, contactIds, freePhones]));
        const sms = await eraseSms(m, theirSms, [customerId, contactIds, freePhones], phones);
        await m.query(`DELETE FROM reply_code WHERE customer_id = $1`, [customerId]);
        await m.query(`DELETE FROM reply_code_guess WHERE phone = ANY($1::text[])`, [freePhones]);
        await m.query(`DELETE FROM panel_silence WHERE panel_id = ANY($1::uuid[])`, [panels.map((p) => p.id)]);
        // Arm/disarm history and test signals not part of an alarm are not needed for claims.
        const events = (await m.query(
          `WITH d AS (DELETE FROM panel_event WHERE customer_id = $1 AND alarm_id IS NULL RETURNING 1) SELECT count(*)::int AS n FROM d`,
          [customerId],
        )) as Array<{ n: number }>;
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
            `${alarms} alarm(s): kept for legal claims (Art. 17(3)(e)) under new ids that lead back to no one: class, hour, how they were handled and how fast; ` +
              'customer, panel, contacts, zones, panel users, notes, action-plan texts and phone numbers removed',
            `their alarm SMS: purpose, status and times kept with that history, without text, numbers or the provider's message id; ${sms} other SMS to or from them deleted`,
          ],
          retained: [
            LOG_RETAINED,
            RECORD_RETAINED,
            ...(optedOut[0].n ? [OPT_OUT_RETAINED] : []),
            ...(processorCopies ? [processorCopyRetained(processorCopies)] : []),
          ],
        };
        await record(m, 'customer', customerId, customerId, by, result);
        for (const c of contactIds) await record(m, 'contact', c, customerId, by, result);
        this.logger.log({ customerId, alarms: alarmIds.length, sms, processorCopies, by: `${by.type}:${by.id}` }, 'customer erased');
        return result;
      }),
    );
  }

  async eraseContact(customerId: string, contactId: string, by: ErasedBy): Promise<ErasureResult> {
    return this.thenDeleteAtProcessor(
      this.db.transaction(async (m) => {
        const [customer] = (await m.query(`SELECT id FROM customer WHERE id = $1 FOR UPDATE`, [customerId])) as Array<{ id: string }>;
        const [contact] = customer
          ? ((await m.query(`SELECT id, phone FROM contact WHERE id = $1 AND customer_id = $2`, [contactId, customerId])) as Array<{
              id: string;
              phone: string;
            }>)
          : [];
        if (!contact) return this.previous(m, 'contact', contactId, customerId);

        const open = (await m.query(`SELECT id FROM alarm WHERE status = 'open' AND chain @> ARRAY[$1::uuid] ORDER BY opened_at`, [contactId])) as Array<{
          id: string;
        }>;
        if (open.length) {
          throw new DomainError(
            'conflict',
            'erasure_open_alarm',
            `contact ${contactId} is in the escalation of an open alarm (${open.map((a) => a.id).join(', ')}); erase them once it is closed`,
          );
        }
        const alarmIds = ((await m.query(`SELECT id FROM alarm WHERE chain @> ARRAY[$1::uuid]`, [contactId])) as Array<{ id: string }>).map((a) => a.id);
        await removeContactFromAlarms(m, alarmIds, contactId);
        const freePhones = await this.phonesHeldByNobodyElse(m, [contact.phone], { contactId });
        // Their alarm SMS (kept, unlinked) and their other texts (deleted) alike.
        const theirSms = `contact_id = $1 OR (customer_id IS NULL AND contact_id IS NULL AND (to_phone = ANY($2::text[]) OR from_phone = ANY($2::text[])))`;
        const processorCopies = await queueProcessorDeletions(m, theirSms, [contactId, freePhones]);
        const alarmSms = await unlinkContactAlarmSms(m, contactId, [contact.phone]);
        const sms = await eraseSms(m, theirSms, [contactId, freePhones], [contact.phone]);
        await m.query(`DELETE FROM reply_code WHERE contact_id = $1`, [contactId]);
        await m.query(`DELETE FROM reply_code_guess WHERE phone = ANY($1::text[])`, [freePhones]);
        await m.query(`DELETE FROM restriction WHERE subject_type = 'contact' AND subject_id = $1`, [contactId]);
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
            `${alarmIds.length} alarm(s) the contact was part of: kept for legal claims (Art. 17(3)(e)) with the customer; their id, name, number and notes about them removed`,
            `${alarmSms} alarm SMS to or from them: kept under new ids with purpose, status and times, without text, number or the provider's message id; ` +
              `${sms} other SMS to or from them deleted`,
          ],
          retained: [
            LOG_RETAINED,
            RECORD_RETAINED,
            ...(optedOut[0].n ? [OPT_OUT_RETAINED] : []),
            ...(processorCopies ? [processorCopyRetained(processorCopies)] : []),
          ],
        };
        await record(m, 'contact', contactId, customerId, by, result);
        this.logger.log({ customerId, contactId, alarms: alarmIds.length, sms, processorCopies, by: `${by.type}:${by.id}` }, 'contact erased');
        return result;
      }),
    );
  }

  /** Once the erasure has committed, its queued deletions at the SMS provider start at once. */
  private async thenDeleteAtProcessor(erasure: Promise<ErasureResult>): Promise<ErasureResult> {
    const result = await erasure;
    this.processorDeletions.kick();
    return result;
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
 * One contact's traces in the alarms of a customer who stays: their place in the frozen chain keeps
 * its position (the steps are numbered by it) but no longer names them; their name, id and notes
 * about them leave the timeline, the acknowledgement and the calls.
 */
async function removeContactFromAlarms(m: EntityManager, alarmIds: string[], contactId: string): Promise<void> {
  if (!alarmIds.length) return;
  await m.query(`UPDATE alarm SET chain = array_replace(chain, $2::uuid, $3::uuid) WHERE id = ANY($1::uuid[])`, [alarmIds, contactId, ANONYMOUS_ID]);
  await m.query(
    `UPDATE alarm_log SET data = (data - 'contactName' - 'contactId' - 'number')
        || CASE WHEN data ? 'note' THEN jsonb_build_object('note', $3::text) ELSE '{}'::jsonb END
        || CASE WHEN jsonb_typeof(data->'by') = 'object' THEN jsonb_build_object('by', (data->'by') - 'contactId' - 'name' - 'phone') ELSE '{}'::jsonb END
      WHERE alarm_id = ANY($1::uuid[]) AND (data->>'contactId' = $2 OR data->'by'->>'contactId' = $2)`,
    [alarmIds, contactId, ERASED_NOTE],
  );
  // The opening entry records the chain as it was frozen.
  await m.query(
    `UPDATE alarm_log SET data = jsonb_set(data, '{chain}',
            (SELECT jsonb_agg(CASE WHEN e = to_jsonb($2::text) THEN to_jsonb($3::text) ELSE e END ORDER BY n)
               FROM jsonb_array_elements(data->'chain') WITH ORDINALITY AS c(e, n)))
      WHERE alarm_id = ANY($1::uuid[]) AND jsonb_typeof(data->'chain') = 'array' AND (data->'chain') ? $2`,
    [alarmIds, contactId, ANONYMOUS_ID],
  );
  await m.query(
    `UPDATE alarm SET acknowledged_by = acknowledged_by - 'contactId' - 'name' - 'phone'
      WHERE id = ANY($1::uuid[]) AND acknowledged_by->>'contactId' = $2`,
    [alarmIds, contactId],
  );
  await m.query(
    `UPDATE alarm_call SET contact_id = $3, number = NULL, note = CASE WHEN note IS NULL THEN NULL ELSE $4 END
      WHERE alarm_id = ANY($1::uuid[]) AND contact_id = $2`,
    [alarmIds, contactId, ANONYMOUS_ID, ERASED_NOTE],
  );
}

/**
 * The alarm SMS to or from a contact of a customer who stays: kept with the alarm, under new ids
 * (log entries name the old ones next to the contact's id), without text, number or contact id.
 */
async function unlinkContactAlarmSms(m: EntityManager, contactId: string, phones: string[]): Promise<number> {
  const theirs = `SELECT id FROM sms_message WHERE contact_id = $1 AND alarm_id IS NOT NULL`;
  await m.query(`UPDATE sms_message SET in_reply_to = NULL WHERE in_reply_to IN (${theirs})`, [contactId]);
  await m.query(`UPDATE sms_opt_out SET inbound_message_id = NULL WHERE inbound_message_id IN (${theirs})`, [contactId]);
  await m.query(`UPDATE contact_notice SET message_id = NULL WHERE message_id IN (${theirs})`, [contactId]);
  const rows = (await m.query(
    `WITH u AS (
       UPDATE sms_message SET id = gen_random_uuid(), contact_id = NULL, body = '', provider_id = NULL, in_reply_to = NULL,
              status = CASE WHEN status = 'queued' THEN 'refused' ELSE status END,
              refusal_reason = CASE WHEN status = 'queued' THEN 'recipient_ended: erased' ELSE refusal_reason END,
              to_phone = CASE WHEN to_phone = ANY($2::text[]) THEN $3 ELSE to_phone END,
              from_phone = CASE WHEN from_phone = ANY($2::text[]) THEN $3 ELSE from_phone END
        WHERE contact_id = $1 AND alarm_id IS NOT NULL RETURNING 1)
     SELECT count(*)::int AS n FROM u`,
    [contactId, phones, ERASED_PHONE],
  )) as Array<{ n: number }>;
  return rows[0].n;
}

/**
 * Deletes the SMS rows matching `where` (texts that are no alarm's history); returns how many. A
 * message the outbox is handing to the provider right now stays until that attempt ends, without
 * its text, numbers or ids, so the outbox's update finds its row.
 */
async function eraseSms(m: EntityManager, where: string, params: unknown[], subjectPhones: string[]): Promise<number> {
  const p = params.length + 1;
  await m.query(
    `UPDATE sms_message SET body = '', customer_id = NULL, contact_id = NULL,
            to_phone = CASE WHEN to_phone = ANY($${p}::text[]) THEN $${p + 1} ELSE to_phone END,
            from_phone = CASE WHEN from_phone = ANY($${p}::text[]) THEN $${p + 1} ELSE from_phone END
      WHERE (${where}) AND status = 'sending'`,
    [...params, subjectPhones, ERASED_PHONE],
  );
  const rows = (await m.query(
    `WITH d AS (DELETE FROM sms_message WHERE (${where}) AND status <> 'sending' RETURNING 1) SELECT count(*)::int AS n FROM d`,
    params,
  )) as Array<{
    n: number;
  }>;
  return rows[0].n;
}

async function record(m: EntityManager, type: 'customer' | 'contact', id: string, customerId: string, by: ErasedBy, result: ErasureResult): Promise<void> {
  await m.query(
    `INSERT INTO erasure_record (subject_type, subject_id, customer_id, erased_by, result) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (subject_type, subject_id) DO NOTHING`,
    [type, id, customerId, `${by.type}:${by.id}`, JSON.stringify(result)],
  );
}

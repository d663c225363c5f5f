import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError, notFound } from '../common/domain-error.js';
import { AlarmHistoryRepository } from './alarm-history.repository.js';
import { ContactDataRepository } from './contact-data.repository.js';
import { CustomerDataRepository } from './customer-data.repository.js';
import { ErasureRecordsRepository, type ErasedSubjectType } from './erasure-records.repository.js';
import { ProcessorDeletions } from './processor-deletion.js';
import { RECIPIENTS } from './recipients.js';
import { SubjectMessagesRepository } from './subject-messages.repository.js';

export interface ErasureResult {
  erased: string[];
  anonymised: string[];
  retained: Array<{ what: string; reason: string }>;
}

/** Who asked: stored in erasure_record.erased_by (ids only). */
export type ErasedBy = { type: 'operator'; id: string } | { type: 'system'; id: string };

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
    private readonly customers: CustomerDataRepository,
    private readonly contacts: ContactDataRepository,
    private readonly alarmHistory: AlarmHistoryRepository,
    private readonly messages: SubjectMessagesRepository,
    private readonly records: ErasureRecordsRepository,
  ) {}

  async eraseCustomer(customerId: string, by: ErasedBy): Promise<ErasureResult> {
    return this.thenDeleteAtProcessor(
      this.db.transaction(async (m) => {
        const customer = await this.customers.lock(m, customerId);
        if (!customer) return this.previous(m, 'customer', customerId);
        // Locking the panels makes a panel event in flight commit first (its alarm is then seen below)
        // or wait and find no panel: no alarm can open for a customer half-way through erasure.
        const panelIds = await this.customers.lockPanels(m, customerId);

        const open = await this.alarmHistory.openAlarmIdsOfCustomer(m, customerId);
        if (open.length) {
          throw new DomainError(
            'conflict',
            'erasure_open_alarm',
            `customer ${customerId} has an open alarm (${open.join(', ')}); erase them once it is closed, since it is still being handled`,
          );
        }
        const contacts = await this.contacts.ofCustomer(customerId, m);
        const contactIds = contacts.map((c) => c.id);
        const phones = [...new Set([customer.phone, ...contacts.map((c) => c.phone)])];
        const alarmIds = await this.alarmHistory.alarmIdsOfCustomer(customerId, m);

        const { alarms, processorCopies: alarmCopies } = await this.alarmHistory.unlink(m, alarmIds);
        const freePhones = await this.customers.phonesHeldByNobodyElse(m, phones, { customerId });
        // Their other texts (notices, help replies, texts from their numbers) are no alarm's history: they go.
        const theirSms = this.messages.ofCustomerAndContacts(customerId, contactIds, freePhones);
        const processorCopies = alarmCopies + (await this.messages.queueProcessorDeletions(m, theirSms));
        const sms = await this.messages.erase(m, theirSms, phones);
        await this.customers.deleteReplyCodes(m, customerId);
        await this.messages.deleteReplyCodeGuesses(m, freePhones);
        await this.customers.deletePanelSilences(m, panelIds);
        const events = await this.alarmHistory.deleteEventsOutsideAlarms(m, customerId);
        const optedOut = await this.messages.anyOptedOut(m, phones);
        await this.customers.delete(m, customerId);

        const result: ErasureResult = {
          erased: [
            'customer record (name, phone number, email, language, alarm and postal address, national identity number)',
            `${contacts.length} alarm contact(s) (name, phone number, email, relation) and their onboarding notices`,
            `${panelIds.length} panel(s) (label and secret)`,
            'premises facts (notes, animals, access information, verbal password, duress word, zone and panel user names)',
            `${events} arm/disarm and test signal(s) not part of an alarm`,
          ],
          anonymised: [
            `${alarms} alarm(s): kept for legal claims (Art. 17(3)(e)) under new ids that lead back to no one: class, hour, how they were handled and how fast; ` +
              'customer, panel, contacts, zones, panel users, notes, action-plan texts and phone numbers removed',
            `their alarm SMS: purpose, status and times kept with that history, without text, numbers or the provider's message id; ${sms} other SMS to or from them deleted`,
          ],
          retained: [
            LOG_RETAINED,
            RECORD_RETAINED,
            ...(optedOut ? [OPT_OUT_RETAINED] : []),
            ...(processorCopies ? [processorCopyRetained(processorCopies)] : []),
          ],
        };
        await this.record(m, 'customer', customerId, customerId, by, result);
        for (const c of contactIds) await this.record(m, 'contact', c, customerId, by, result);
        this.logger.log({ customerId, alarms: alarmIds.length, sms, processorCopies, by: `${by.type}:${by.id}` }, 'customer erased');
        return result;
      }),
    );
  }

  async eraseContact(customerId: string, contactId: string, by: ErasedBy): Promise<ErasureResult> {
    return this.thenDeleteAtProcessor(
      this.db.transaction(async (m) => {
        const customer = await this.customers.lock(m, customerId);
        const contact = customer ? await this.contacts.find(customerId, contactId, m) : undefined;
        if (!contact) return this.previous(m, 'contact', contactId, customerId);

        const open = await this.alarmHistory.openAlarmIdsWithContact(m, contactId);
        if (open.length) {
          throw new DomainError(
            'conflict',
            'erasure_open_alarm',
            `contact ${contactId} is in the escalation of an open alarm (${open.join(', ')}); erase them once it is closed`,
          );
        }
        const alarmIds = (await this.alarmHistory.alarmsWithContact(contactId, m)).map((a) => a.id);
        await this.alarmHistory.removeContact(m, alarmIds, contactId);
        const freePhones = await this.customers.phonesHeldByNobodyElse(m, [contact.phone], { contactId });
        // Their alarm SMS (kept, unlinked) and their other texts (deleted) alike.
        const theirSms = this.messages.ofContact(contactId, freePhones);
        const processorCopies = await this.messages.queueProcessorDeletions(m, theirSms);
        const alarmSms = await this.messages.unlinkContactAlarmSms(m, contactId, [contact.phone]);
        const sms = await this.messages.erase(m, theirSms, [contact.phone]);
        await this.contacts.deleteReplyCodes(m, contactId);
        await this.messages.deleteReplyCodeGuesses(m, freePhones);
        await this.contacts.deleteRestrictions(m, contactId);
        const optedOut = await this.messages.anyOptedOut(m, [contact.phone]);
        await this.contacts.delete(m, contactId);
        await this.contacts.closePriorityGaps(m, customerId);
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
            ...(optedOut ? [OPT_OUT_RETAINED] : []),
            ...(processorCopies ? [processorCopyRetained(processorCopies)] : []),
          ],
        };
        await this.record(m, 'contact', contactId, customerId, by, result);
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
  private async previous(m: EntityManager, type: ErasedSubjectType, id: string, customerId?: string): Promise<ErasureResult> {
    const row = await this.records.find<ErasureResult>(type, id, m);
    if (!row || (customerId && row.customer_id !== customerId)) throw notFound(type, id);
    return row.result;
  }

  private async record(m: EntityManager, type: ErasedSubjectType, id: string, customerId: string, by: ErasedBy, result: ErasureResult): Promise<void> {
    await this.records.insert(m, { type, id, customerId, erasedBy: `${by.type}:${by.id}`, result });
  }
}

import { Injectable } from '@nestjs/common';
import { ActionPlansRepository } from '../action-plans/action-plans.repository.js';
import { AlarmsService } from '../alarms/alarms.service.js';
import { DomainError, notFound } from '../common/domain-error.js';
import { FieldCipher } from '../common/field-cipher.js';
import { nationalIdContext } from '../customers/customers.service.js';
import { fromNormalised } from '../customers/national-id.js';
import { AppConfig } from '../config/app-config.js';
import { PremisesRepository, type PremisesRow } from '../premises/premises.repository.js';
import { AlarmHistoryRepository } from './alarm-history.repository.js';
import { ContactDataRepository, type ContactRow } from './contact-data.repository.js';
import { CustomerDataRepository, type CustomerRow } from './customer-data.repository.js';
import { ErasureRecordsRepository } from './erasure-records.repository.js';
import { ProcessingLog } from './processing-log.service.js';
import { ARTICLE_6 } from './processing.decorator.js';
import { ProcessingRegistry } from './processing-registry.js';
import { recipientNames, transfersOf } from './recipients.js';
import { describeSpecialCategories } from './special-categories.js';
import { RETENTION_TEXT } from './retention-policy.js';
import { restrictionsOf } from './restriction.js';
import { RestrictionsRepository } from './restrictions.repository.js';
import { SubjectMessagesRepository, type SubjectSmsRow } from './subject-messages.repository.js';
import { subjectRightsText } from './subject-rights.js';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/**
 * Art. 15 access and Art. 20 portability: everything held about one customer or one contact, as
 * JSON, with what the law asks to go with it (purposes, legal bases, recipients, retention, source)
 * taken from the processing declarations, so it says what the record of processing says.
 *
 * The customer's national identity number is included unmasked: the export is the data subject's
 * own copy (the DPO hands it to them), and Art. 15(3) asks for the data itself, not a mask of it.
 * Nothing about other customers goes in: SMS without a customer or contact id are matched by the
 * subject's phone only when they belong to no one else.
 */
@Injectable()
export class SubjectAccess {
  constructor(
    private readonly cipher: FieldCipher,
    private readonly alarms: AlarmsService,
    private readonly registry: ProcessingRegistry,
    private readonly config: AppConfig,
    private readonly customers: CustomerDataRepository,
    private readonly contacts: ContactDataRepository,
    private readonly premisesFacts: PremisesRepository,
    private readonly actionPlans: ActionPlansRepository,
    private readonly alarmHistory: AlarmHistoryRepository,
    private readonly sms: SubjectMessagesRepository,
    private readonly erasureRecords: ErasureRecordsRepository,
    private readonly processingLog: ProcessingLog,
    private readonly restrictions: RestrictionsRepository,
  ) {}

  async customer(customerId: string, now = new Date()) {
    const c = await this.customers.find(customerId);
    if (!c) return this.gone('customer', customerId);
    const contacts = await this.contacts.ofCustomer(customerId);
    const panels = await this.customers.panels(customerId);
    const arming = await this.alarmHistory.armingHistory(customerId);
    // The procedure agreed with the customer may name people and access details: it is theirs to see.
    const actionPlans = await this.actionPlans.ofCustomer(customerId);
    const premises = await this.premisesFacts.find(customerId);
    const alarmIds = await this.alarmHistory.alarmIdsOfCustomer(customerId);
    const alarms = [];
    for (const id of alarmIds) alarms.push(await this.alarms.get(id));
    const messages = (await this.sms.ofCustomerForExport(customerId, c.phone)).map(messageView);
    return {
      subject: { type: 'customer', id: customerId },
      generatedAt: now.toISOString(),
      controller: this.controller(),
      customer: {
        id: c.id,
        name: c.name,
        phone: c.phone,
        email: c.email,
        language: c.language,
        nationalId: this.nationalId(c),
        alarmAddress: c.alarm_address,
        postalAddress: c.postal_address,
        restricted: c.restricted,
        createdAt: iso(c.created_at),
        updatedAt: iso(c.updated_at),
        contractEndedAt: iso(c.ended_at),
      },
      contacts: contacts.map(contactView),
      premises: premises ? this.premises(premises) : null,
      panels: panels.map((p) => ({
        id: p.id,
        label: p.label,
        createdAt: iso(p.created_at),
        lastSeenAt: iso(p.last_seen_at),
        supervisionIntervalSeconds: p.supervision_interval_seconds,
        secretRotatedAt: iso(p.rotated_at),
      })),
      armingHistory: arming.map((e) => ({
        id: e.id,
        panelId: e.panel_id,
        at: iso(e.occurred_at),
        receivedAt: iso(e.received_at),
        action: e.arming,
        method: e.method,
        user: e.panel_user,
        code: e.code,
        eventId: e.event_id,
      })),
      actionPlans: actionPlans.map((p) => ({ class: p.class, steps: p.steps, updatedAt: iso(p.updated_at) })),
      restrictions: await restrictionsOf(this.restrictions, 'customer', customerId),
      alarms,
      messages,
      processingLog: await this.logEntries(customerId),
      processing: this.processing((subjects) => subjects.includes('customers')),
      source:
        'from you, when the alarm contract was made and when you changed your details; alarm and arm/disarm signals from the alarm panel ' +
        'at your alarm address; SMS replies from your phone; your alarm contacts were named by you',
      retention: [RETENTION_TEXT.formerCustomers, RETENTION_TEXT.smsBodies, RETENTION_TEXT.alarmHistory],
      yourRights: subjectRightsText(c.language, 'customer', this.config),
    };
  }

  async contact(customerId: string, contactId: string, now = new Date()) {
    const k = await this.contacts.find(customerId, contactId);
    if (!k) return this.gone('contact', contactId);
    // A contact has no language of their own: they are written to in the customer's.
    const { language } = (await this.customers.find(customerId))!;
    const alarms = await this.alarmHistory.alarmsWithContact(contactId);
    const messages = (await this.sms.ofContactForExport(contactId, k.phone)).map(messageView);
    return {
      subject: { type: 'contact', id: contactId },
      generatedAt: now.toISOString(),
      controller: this.controller(),
      contact: contactView(k),
      restrictions: await restrictionsOf(this.restrictions, 'contact', contactId),
      // Alarms they were on the list for; the customer's details stay out (they are the customer's data).
      alarms: alarms.map((a) => ({
        id: a.id,
        class: a.class,
        status: a.status,
        openedAt: iso(a.opened_at),
        closedAt: iso(a.closed_at),
        placeInEscalation: a.chain.indexOf(contactId) + 1,
        acknowledgedByYou: a.acknowledged_by?.type === 'contact' && a.acknowledged_by?.contactId === contactId,
        acknowledgedAt: a.acknowledged_by?.contactId === contactId ? iso(a.acknowledged_at) : null,
      })),
      messages,
      processingLog: await this.logEntries(contactId),
      processing: this.processing((subjects) => subjects.some((s) => s.includes('contact'))),
      source: `named as an alarm contact by the alarm customer ${customerId} (Art. 14(2)(f)); SMS replies from your phone`,
      retention: [RETENTION_TEXT.removedContacts, RETENTION_TEXT.formerCustomers, RETENTION_TEXT.smsBodies, RETENTION_TEXT.alarmHistory],
      yourRights: subjectRightsText(language, 'contact', this.config),
    };
  }

  /** Erased: say so rather than "never existed"; unknown: 404. */
  private async gone(type: 'customer' | 'contact', id: string): Promise<never> {
    const row = await this.erasureRecords.find(type, id);
    if (row) throw new DomainError('not_found', `${type}_erased`, `${type} ${id} was erased on ${iso(row.erased_at)}; nothing is held about them any more`);
    throw notFound(type, id);
  }

  private nationalId(c: CustomerRow): string | null {
    if (!c.national_id_encrypted) return null;
    return fromNormalised(this.cipher.decryptString(c.national_id_encrypted, nationalIdContext(c.id))).display;
  }

  /** Unmasked, like the national id: the subject's own copy. */
  private premises(p: PremisesRow) {
    const secret = (ciphertext: Buffer | null, context: string) => (ciphertext ? this.cipher.decryptString(ciphertext, `${context}:${p.customer_id}`) : null);
    return {
      notes: p.notes,
      animals: p.animals,
      access: secret(p.access_encrypted, 'premises.access'),
      password: secret(p.password_encrypted, 'premises.password'),
      duressWord: secret(p.duress_word_encrypted, 'premises.duress_word'),
      zones: p.zones,
      users: p.users,
      updatedAt: iso(p.updated_at),
    };
  }

  /** What was done with their data: operations, when, under which basis (the actors' ids are staff data and stay out). */
  private async logEntries(subjectId: string) {
    const entries = await this.processingLog.entriesAbout(subjectId);
    return entries.map((r) => ({ at: iso(r.at), by: r.actor_type, operation: r.operation, legalBasis: r.legal_basis, purpose: r.purpose, outcome: r.outcome }));
  }

  private processing(about: (subjects: string[]) => boolean) {
    return this.registry
      .declarations()
      .filter(({ declaration }) => about(declaration.dataSubjects))
      .map(({ declaration: d }) => ({
        operation: d.operation,
        purpose: d.purpose,
        legalBasis: d.legalBasis,
        legalBasisArticle: ARTICLE_6[d.legalBasis],
        legalBasisNote: d.legalBasisNote ?? null,
        dataCategories: d.dataCategories,
        recipients: recipientNames(d.recipients),
        retention: d.retention,
        thirdCountryTransfers: transfersOf(d.recipients),
        specialCategories: describeSpecialCategories(d.specialCategories),
      }));
  }

  private controller() {
    return { ...this.config.controller };
  }
}

function messageView(s: SubjectSmsRow) {
  return {
    id: s.id,
    direction: s.direction,
    to: s.to_phone,
    from: s.from_phone,
    body: s.body,
    purpose: s.purpose,
    legalBasis: s.legal_basis,
    alarmId: s.alarm_id,
    status: s.status,
    createdAt: iso(s.created_at),
    sentAt: iso(s.sent_at),
  };
}

function contactView(k: ContactRow) {
  return {
    id: k.id,
    customerId: k.customer_id,
    name: k.name,
    phone: k.phone,
    email: k.email,
    relation: k.relation,
    priority: k.priority,
    status: k.status,
    optedOutAt: iso(k.opted_out_at),
    restricted: k.restricted,
    createdAt: iso(k.created_at),
    updatedAt: iso(k.updated_at),
    removedAt: iso(k.ended_at),
  };
}

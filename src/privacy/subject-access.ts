import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AlarmsService } from '../alarms/alarms.service.js';
import { DomainError, notFound } from '../common/domain-error.js';
import { FieldCipher } from '../common/field-cipher.js';
import { nationalIdContext } from '../customers/customers.service.js';
import { fromNormalised } from '../customers/national-id.js';
import { AppConfig } from '../config/app-config.js';
import { ARTICLE_6 } from './processing.decorator.js';
import { ProcessingRegistry } from './processing-registry.js';
import { recipientNames, transfersOf } from './recipients.js';
import { describeSpecialCategories } from './special-categories.js';
import { RETENTION_TEXT } from './retention-policy.js';
import { restrictionsOf } from './restriction.js';
import { subjectRightsText } from './subject-rights.js';

// Raw rows copied into the export as they are (an export shows everything held); typed per column later.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Row = Record<string, any>;

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
    @InjectDataSource() private readonly db: DataSource,
    private readonly cipher: FieldCipher,
    private readonly alarms: AlarmsService,
    private readonly registry: ProcessingRegistry,
    private readonly config: AppConfig,
  ) {}

  async customer(customerId: string, now = new Date()) {
    const m = this.db.manager;
    const [c] = (await m.query(`SELECT * FROM customer WHERE id = $1`, [customerId])) as Row[];
    if (!c) return this.gone('customer', customerId);
    const contacts = (await m.query(`SELECT * FROM contact WHERE customer_id = $1 ORDER BY ended_at NULLS FIRST, priority, created_at`, [customerId])) as Row[];
    const panels = (await m.query(
      `SELECT id, label, created_at, last_seen_at, supervision_interval_seconds, rotated_at FROM panel WHERE customer_id = $1 ORDER BY created_at`,
      [customerId],
    )) as Row[];
    const arming = (await m.query(
      `SELECT id, panel_id, event_id, code, arming, panel_user, method, occurred_at, received_at
         FROM panel_event WHERE customer_id = $1 AND class = 'arming' ORDER BY occurred_at DESC, id`,
      [customerId],
    )) as Row[];
    // The procedure agreed with the customer may name people and access details: it is theirs to see.
    const actionPlans = (await m.query(`SELECT class, steps, updated_at FROM customer_action_plan WHERE customer_id = $1 ORDER BY class`, [
      customerId,
    ])) as Row[];
    const [premises] = (await m.query(`SELECT * FROM premises WHERE customer_id = $1`, [customerId])) as Row[];
    const alarmIds = ((await m.query(`SELECT id FROM alarm WHERE customer_id = $1 ORDER BY opened_at DESC`, [customerId])) as Row[]).map((a) => a.id as string);
    const alarms = [];
    for (const id of alarmIds) alarms.push(await this.alarms.get(id));
    const messages = await this.messages(
      m,
      `(customer_id = $1 AND contact_id IS NULL)
       OR ((customer_id IS NULL OR customer_id = $1) AND contact_id IS NULL AND (to_phone = $2 OR from_phone = $2))`,
      [customerId, c.phone],
    );
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
      restrictions: await restrictionsOf(m, 'customer', customerId),
      alarms,
      messages,
      processingLog: await this.logEntries(m, customerId),
      processing: this.processing((subjects) => subjects.includes('customers')),
      source:
        'from you, when the alarm contract was made and when you changed your details; alarm and arm/disarm signals from the alarm panel ' +
        'at your alarm address; SMS replies from your phone; your alarm contacts were named by you',
      retention: [RETENTION_TEXT.formerCustomers, RETENTION_TEXT.smsBodies, RETENTION_TEXT.alarmHistory],
      yourRights: subjectRightsText(c.language, 'customer', this.config),
    };
  }

  async contact(customerId: string, contactId: string, now = new Date()) {
    const m = this.db.manager;
    const [k] = (await m.query(`SELECT * FROM contact WHERE id = $1 AND customer_id = $2`, [contactId, customerId])) as Row[];
    if (!k) return this.gone('contact', contactId);
    // A contact has no language of their own: they are written to in the customer's.
    const [{ language }] = (await m.query(`SELECT language FROM customer WHERE id = $1`, [customerId])) as Row[];
    const alarms = (await m.query(
      `SELECT id, class, status, opened_at, closed_at, chain, acknowledged_at, acknowledged_by FROM alarm WHERE chain @> ARRAY[$1::uuid] ORDER BY opened_at DESC`,
      [contactId],
    )) as Row[];
    const messages = await this.messages(m, `contact_id = $1 OR (customer_id IS NULL AND contact_id IS NULL AND (to_phone = $2 OR from_phone = $2))`, [
      contactId,
      k.phone,
    ]);
    return {
      subject: { type: 'contact', id: contactId },
      generatedAt: now.toISOString(),
      controller: this.controller(),
      contact: contactView(k),
      restrictions: await restrictionsOf(m, 'contact', contactId),
      // Alarms they were on the list for; the customer's details stay out (they are the customer's data).
      alarms: alarms.map((a) => ({
        id: a.id,
        class: a.class,
        status: a.status,
        openedAt: iso(a.opened_at),
        closedAt: iso(a.closed_at),
        placeInEscalation: (a.chain as string[]).indexOf(contactId) + 1,
        acknowledgedByYou: a.acknowledged_by?.type === 'contact' && a.acknowledged_by?.contactId === contactId,
        acknowledgedAt: a.acknowledged_by?.contactId === contactId ? iso(a.acknowledged_at) : null,
      })),
      messages,
      processingLog: await this.logEntries(m, contactId),
      processing: this.processing((subjects) => subjects.some((s) => s.includes('contact'))),
      source: `named as an alarm contact by the alarm customer ${customerId} (Art. 14(2)(f)); SMS replies from your phone`,
      retention: [RETENTION_TEXT.removedContacts, RETENTION_TEXT.formerCustomers, RETENTION_TEXT.smsBodies, RETENTION_TEXT.alarmHistory],
      yourRights: subjectRightsText(language, 'contact', this.config),
    };
  }

  /** Erased: say so rather than "never existed"; unknown: 404. */
  private async gone(type: 'customer' | 'contact', id: string): Promise<never> {
    const [row] = (await this.db.query(`SELECT erased_at FROM erasure_record WHERE subject_type = $1 AND subject_id = $2`, [type, id])) as Row[];
    if (row) throw new DomainError('not_found', `${type}_erased`, `${type} ${id} was erased on ${iso(row.erased_at)}; nothing is held about them any more`);
    throw notFound(type, id);
  }

  private nationalId(c: Row): string | null {
    if (!c.national_id_encrypted) return null;
    return fromNormalised(this.cipher.decryptString(c.national_id_encrypted as Buffer, nationalIdContext(c.id as string))).display;
  }

  /** Unmasked, like the national id: the subject's own copy. */
  private premises(p: Row) {
    const secret = (column: string, context: string) => (p[column] ? this.cipher.decryptString(p[column] as Buffer, `${context}:${p.customer_id}`) : null);
    return {
      notes: p.notes,
      animals: p.animals,
      access: secret('access_encrypted', 'premises.access'),
      password: secret('password_encrypted', 'premises.password'),
      duressWord: secret('duress_word_encrypted', 'premises.duress_word'),
      zones: p.zones,
      users: p.users,
      updatedAt: iso(p.updated_at),
    };
  }

  private async messages(m: EntityManager, where: string, params: unknown[]) {
    const rows = (await m.query(
      `SELECT id, direction, to_phone, from_phone, body, purpose, legal_basis, alarm_id, status, created_at, sent_at
         FROM sms_message WHERE ${where} ORDER BY created_at DESC, id`,
      params,
    )) as Row[];
    return rows.map((s) => ({
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
    }));
  }

  /** What was done with their data: operations, when, under which basis (the actors' ids are staff data and stay out). */
  private async logEntries(m: EntityManager, subjectId: string) {
    const rows = (await m.query(
      `SELECT at, actor_type, operation, legal_basis, purpose, outcome FROM processing_log WHERE subject_ids @> ARRAY[$1::uuid] ORDER BY seq`,
      [subjectId],
    )) as Row[];
    return rows.map((r) => ({ at: iso(r.at), by: r.actor_type, operation: r.operation, legalBasis: r.legal_basis, purpose: r.purpose, outcome: r.outcome }));
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

function contactView(k: Row) {
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

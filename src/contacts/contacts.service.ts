import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { DomainError, notFound } from '../common/domain-error.js';
import { normalisePhone } from '../common/phone-number.js';
import { AppConfig } from '../config/app-config.js';
import type { Customer } from '../customers/customer.entity.js';
import { CustomersService } from '../customers/customers.service.js';
import { ContactNotices } from './contact-notices.js';
import { Contact, MAX_CONTACTS, type ContactRelation } from './contact.entity.js';

export interface ContactInput {
  name: string;
  phone: string;
  email?: string | null;
  relation?: ContactRelation;
  priority?: number;
}

export type ContactChanges = Partial<ContactInput>;

/**
 * A customer's alarm contacts, in escalation order. Every change runs in a transaction that first
 * locks the customer's row: priorities stay 1..n without gaps and the limit holds under concurrency.
 */
@Injectable()
export class ContactsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly customers: CustomersService,
    private readonly notices: ContactNotices,
    private readonly config: AppConfig,
  ) {}

  /** `operatorId`: who asks; the onboarding notice this sends counts toward their daily SMS cap. */
  async create(customerId: string, input: ContactInput, operatorId?: string): Promise<Contact> {
    return this.db.transaction(async (m) => {
      const customer = await this.customers.lock(m, customerId);
      const phone = this.contactPhone(customer, input.phone);
      const current = await this.current(m, customerId);
      if (current.length >= MAX_CONTACTS) {
        throw new DomainError(
          'unprocessable',
          'contact_limit_reached',
          `customer ${customerId} already has ${MAX_CONTACTS} contacts, the most allowed; remove one first`,
        );
      }
      if (current.some((c) => c.phone === phone)) throw phoneTaken(phone);
      const contact = await this.insert(m, {
        customerId,
        name: input.name,
        phone,
        email: input.email ?? null,
        relation: input.relation ?? 'other',
        priority: current.length + 1,
        status: 'active',
      });
      const position = Math.min(input.priority ?? current.length + 1, current.length + 1);
      const order = current.map((c) => c.id);
      order.splice(position - 1, 0, contact.id);
      await renumber(m, order);
      const saved = await this.find(m, customerId, contact.id);
      await this.notices.contactSaved(m, saved, 'created', operatorId);
      return saved;
    });
  }

  async list(customerId: string): Promise<Contact[]> {
    await this.customers.get(customerId);
    return this.current(this.db.manager, customerId);
  }

  async get(customerId: string, contactId: string): Promise<Contact> {
    await this.customers.get(customerId);
    return this.find(this.db.manager, customerId, contactId);
  }

  /** `operatorId`: who asks; a new phone number's onboarding notice counts toward their daily SMS cap. */
  async update(customerId: string, contactId: string, changes: ContactChanges, operatorId?: string): Promise<Contact> {
    return this.db.transaction(async (m) => {
      const customer = await this.customers.lock(m, customerId);
      const contact = await this.find(m, customerId, contactId);
      const current = await this.current(m, customerId);
      const patch: Partial<Contact> = { updatedAt: new Date() };
      if (changes.phone !== undefined) {
        patch.phone = this.contactPhone(customer, changes.phone);
        if (current.some((c) => c.id !== contactId && c.phone === patch.phone)) throw phoneTaken(patch.phone);
      }
      if (changes.name !== undefined) patch.name = changes.name;
      if (changes.email !== undefined) patch.email = changes.email;
      if (changes.relation !== undefined) patch.relation = changes.relation;
      try {
        await m.getRepository(Contact).update({ id: contact.id }, patch);
      } catch (e) {
        throw isUniqueViolation(e) ? phoneTaken(patch.phone ?? contact.phone) : e;
      }
      if (changes.priority !== undefined) {
        const order = current.map((c) => c.id).filter((id) => id !== contactId);
        order.splice(Math.min(changes.priority, order.length + 1) - 1, 0, contactId);
        await renumber(m, order);
      }
      const saved = await this.find(m, customerId, contactId);
      if (patch.phone !== undefined && patch.phone !== contact.phone) await this.notices.contactSaved(m, saved, 'phone_changed', operatorId);
      return saved;
    });
  }

  /** Takes the contact off the customer's list (no longer texted); retention erases the row later. */
  async remove(customerId: string, contactId: string): Promise<void> {
    await this.db.transaction(async (m) => {
      await this.customers.lock(m, customerId);
      const contact = await this.find(m, customerId, contactId);
      await m.getRepository(Contact).update({ id: contact.id }, { endedAt: new Date() });
      await renumber(
        m,
        (await this.current(m, customerId)).map((c) => c.id),
      );
    });
  }

  /** Sets the escalation order. `contactIds` must name each of the customer's current contacts once. */
  async reorder(customerId: string, contactIds: string[]): Promise<Contact[]> {
    return this.db.transaction(async (m) => {
      await this.customers.lock(m, customerId);
      const current = await this.current(m, customerId);
      const known = new Set(current.map((c) => c.id));
      const given = new Set(contactIds);
      const unknown = contactIds.filter((id) => !known.has(id));
      const missing = current.filter((c) => !given.has(c.id)).map((c) => c.id);
      const problems = [
        ...(unknown.length ? [`not contacts of customer ${customerId}: ${unknown.join(', ')}`] : []),
        ...(missing.length ? [`missing (every contact must be listed): ${missing.join(', ')}`] : []),
      ];
      if (problems.length) throw new DomainError('unprocessable', 'contact_order_mismatch', `contactIds ${problems.join('; ')}`);
      await renumber(m, contactIds);
      return this.current(m, customerId);
    });
  }

  private contactPhone(customer: Customer, raw: string): string {
    const phone = normalisePhone('phone', raw, customer.alarmAddress.country, 'mobile', this.config.sms.allowedCountries);
    // The owner is texted first anyway; as their own contact they would be texted twice and nobody else reached.
    if (phone === customer.phone) {
      throw new DomainError('unprocessable', 'contact_is_owner', "phone is the customer's own number; a contact must be someone else");
    }
    return phone;
  }

  private async insert(m: EntityManager, values: Partial<Contact>): Promise<Contact> {
    const repo = m.getRepository(Contact);
    try {
      return await repo.save(repo.create(values));
    } catch (e) {
      throw isUniqueViolation(e) ? phoneTaken(values.phone!) : e;
    }
  }

  private current(m: EntityManager, customerId: string): Promise<Contact[]> {
    return m.getRepository(Contact).find({ where: { customerId, endedAt: IsNull() }, order: { priority: 'ASC', createdAt: 'ASC' } });
  }

  private async find(m: EntityManager, customerId: string, contactId: string): Promise<Contact> {
    const contact = await m.getRepository(Contact).findOneBy({ id: contactId, customerId, endedAt: IsNull() });
    if (!contact) throw notFound('contact', contactId);
    return contact;
  }
}

/** Priorities 1..n in the given order, in one statement. */
async function renumber(m: EntityManager, orderedIds: string[]): Promise<void> {
  if (!orderedIds.length) return;
  await m.query(
    `UPDATE contact SET priority = o.n
       FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n)
      WHERE contact.id = o.id AND contact.priority IS DISTINCT FROM o.n`,
    [orderedIds],
  );
}

const phoneTaken = (phone: string) => new DomainError('conflict', 'contact_phone_taken', `this customer already has a contact with phone ${phone}`);

const isUniqueViolation = (e: unknown) =>
  (e as { code?: string; driverError?: { code?: string } }).code === '23505' || (e as { driverError?: { code?: string } }).driverError?.code === '23505';

import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, IsNull, Repository, type EntityManager } from 'typeorm';
import { DomainError, notFound } from '../common/domain-error.js';
import { FieldCipher } from '../common/field-cipher.js';
import { normalisePhone } from '../common/phone-number.js';
import { AppConfig } from '../config/app-config.js';
import { rows } from '../database/rows.js';
import { Customer, type Address, type Language } from './customer.entity.js';
import { fromNormalised, parseNationalId } from './national-id.js';

export interface CustomerInput {
  name: string;
  phone: string;
  email?: string | null;
  language?: Language;
  nationalId?: string | null;
  alarmAddress: Address;
  postalAddress?: Address | null;
}

export type CustomerChanges = Partial<CustomerInput>;

/** The language texts go out in, when nobody chose one: the language of the alarm address country. */
export function defaultLanguage(country: string): Language {
  return country === 'SE' ? 'sv' : country === 'NO' ? 'nb' : 'en';
}

export const nationalIdContext = (customerId: string) => `customer.national_id:${customerId}`;
const NATIONAL_ID_INDEX = 'customer.national_id';

/**
 * What a search is matched against: every field an operator may know a customer by, in one text
 * (the postal code also without its space: "12345" finds the Swedish "123 45" as stored). One
 * predicate instead of seven also gives the planner a sane estimate of how many match, so it reads
 * the table once and sorts the few found, instead of walking all customers in name order.
 */
const CUSTOMER_SEARCH_TEXT = `(c.name || ' ' || c.phone || ' ' || coalesce(c.email::text, '') || ' ' || coalesce(c.alarm_address->>'street', '') || ' '
  || coalesce(c.alarm_address->>'postalCode', '') || ' ' || replace(coalesce(c.alarm_address->>'postalCode', ''), ' ', '') || ' '
  || coalesce(c.alarm_address->>'city', '') || ' ' || coalesce(c.postal_address->>'city', ''))`;

@Injectable()
export class CustomersService {
  constructor(
    @InjectRepository(Customer) private readonly customers: Repository<Customer>,
    private readonly cipher: FieldCipher,
    private readonly config: AppConfig,
  ) {}

  async create(input: CustomerInput): Promise<Customer> {
    const alarmAddress = normaliseAddress(input.alarmAddress);
    const customer = this.customers.create({
      id: randomUUID(),
      name: input.name,
      phone: normalisePhone('phone', input.phone, alarmAddress.country, 'any', this.config.sms.allowedCountries),
      email: input.email ?? null,
      language: input.language ?? defaultLanguage(alarmAddress.country),
      alarmAddress,
      postalAddress: input.postalAddress ? normaliseAddress(input.postalAddress) : null,
      restricted: false,
      endedAt: null,
    });
    this.setNationalId(customer, input.nationalId ?? null);
    await this.customers.insert(customer);
    return this.get(customer.id);
  }

  /** A customer whose contract has not ended; 404 otherwise. Other modules check ownership with this. */
  async get(id: string, manager?: EntityManager): Promise<Customer> {
    const repo = manager ? manager.getRepository(Customer) : this.customers;
    const customer = await repo.findOneBy({ id, endedAt: IsNull() });
    if (!customer) throw notFound('customer', id);
    return customer;
  }

  /**
   * Locks the customer row for the rest of the transaction, so changes to one customer's contacts
   * (priorities, the limit of 10) happen one at a time. 404 for an unknown or ended customer.
   */
  async lock(manager: EntityManager, id: string): Promise<Customer> {
    const customer = await manager
      .getRepository(Customer)
      .createQueryBuilder('c')
      .setLock('pessimistic_write')
      .where('c.id = :id AND c.ended_at IS NULL', { id })
      .getOne();
    if (!customer) throw notFound('customer', id);
    return customer;
  }

  async list(query: { search?: string; page?: number; limit?: number }): Promise<{ items: Customer[]; total: number }> {
    const page = query.page ?? 1;
    const limit = query.limit ?? 20;
    const qb = this.customers.createQueryBuilder('c').where('c.ended_at IS NULL');
    const search = query.search?.trim();
    if (search) {
      const like = `%${search.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      // "070-123 45" finds +4670123 45..: compare digits, without the national trunk 0.
      const digits = search.replace(/\D/g, '').replace(/^0+/, '');
      // An operator often knows the keyholder who called, not the customer (a trigram index serves this).
      const byContact = await rows<{ customer_id: string }>(
        this.customers.manager,
        `SELECT DISTINCT customer_id FROM contact WHERE ended_at IS NULL AND name ILIKE $1`,
        [like],
      );
      qb.andWhere(
        new Brackets((w) => {
          w.where(`${CUSTOMER_SEARCH_TEXT} ILIKE :like`, { like });
          if (digits.length >= 3 && /^[\d\s+().\-/]+$/.test(search)) w.orWhere(`${CUSTOMER_SEARCH_TEXT} LIKE :digits`, { digits: `%${digits}%` });
          if (byContact.length) w.orWhere('c.id = ANY(:byContact)', { byContact: byContact.map((r) => r.customer_id) });
        }),
      );
    }
    const [items, total] = await qb
      .orderBy('lower(c.name)', 'ASC')
      .addOrderBy('c.id', 'ASC')
      .skip((page - 1) * limit)
      .take(limit)
      .getManyAndCount();
    return { items, total };
  }

  async update(id: string, changes: CustomerChanges): Promise<Customer> {
    const customer = await this.get(id);
    // Only the fields given are written, so two operators editing different fields do not undo each other.
    const patch: Partial<Customer> = { updatedAt: new Date() };
    if (changes.alarmAddress !== undefined) patch.alarmAddress = normaliseAddress(changes.alarmAddress);
    if (changes.name !== undefined) patch.name = changes.name;
    if (changes.phone !== undefined)
      patch.phone = normalisePhone('phone', changes.phone, (patch.alarmAddress ?? customer.alarmAddress).country, 'any', this.config.sms.allowedCountries);
    if (changes.email !== undefined) patch.email = changes.email;
    if (changes.language !== undefined) patch.language = changes.language;
    if (changes.postalAddress !== undefined) patch.postalAddress = changes.postalAddress ? normaliseAddress(changes.postalAddress) : null;
    if (changes.nationalId !== undefined) {
      this.setNationalId(customer, changes.nationalId);
      patch.nationalIdEncrypted = customer.nationalIdEncrypted;
      patch.nationalIdMasked = customer.nationalIdMasked;
      patch.nationalIdHash = customer.nationalIdHash;
    }
    const result = await this.customers.update({ id, endedAt: IsNull() }, patch);
    if (!result.affected) throw notFound('customer', id);
    return this.get(id);
  }

  /** Ends the contract. The record stays (hidden) until the retention rule erases or anonymises it. */
  async end(id: string): Promise<void> {
    const result = await this.customers.update({ id, endedAt: IsNull() }, { endedAt: new Date() });
    if (!result.affected) throw notFound('customer', id);
  }

  /** The national identity number in full (`19640823-3234`, `31129956715`), or null when none is held. */
  async revealNationalId(id: string): Promise<string | null> {
    const row = await this.customers.createQueryBuilder('c').addSelect('c.nationalIdEncrypted').where('c.id = :id AND c.ended_at IS NULL', { id }).getOne();
    if (!row) throw notFound('customer', id);
    if (!row.nationalIdEncrypted) return null;
    return fromNormalised(this.cipher.decryptString(row.nationalIdEncrypted, nationalIdContext(id))).display;
  }

  /** Active customers holding this national identity number (any accepted spelling), without decrypting. */
  async findByNationalId(raw: string): Promise<Customer[]> {
    const parsed = parseNationalId(raw);
    if (!parsed.ok) return [];
    return this.customers.findBy({ nationalIdHash: this.cipher.blindIndex(parsed.normalised, NATIONAL_ID_INDEX), endedAt: IsNull() });
  }

  private setNationalId(customer: Customer, raw: string | null): void {
    if (raw === null) {
      customer.nationalIdEncrypted = null;
      customer.nationalIdMasked = null;
      customer.nationalIdHash = null;
      return;
    }
    const parsed = parseNationalId(raw);
    // The DTO has checked it already; this guards callers that are not HTTP requests.
    if (!parsed.ok) throw new DomainError('invalid', 'national_id_invalid', parsed.problem);
    customer.nationalIdEncrypted = this.cipher.encrypt(parsed.normalised, nationalIdContext(customer.id));
    customer.nationalIdMasked = parsed.masked;
    customer.nationalIdHash = this.cipher.blindIndex(parsed.normalised, NATIONAL_ID_INDEX);
  }
}

/** Upper-case country, and the Swedish postal code in its printed form "114 55". */
export function normaliseAddress(a: Address): Address {
  const country = a.country.toUpperCase();
  const postalCode = country === 'SE' ? a.postalCode.replace(/^(\d{3}) ?(\d{2})$/, '$1 $2') : a.postalCode;
  return { street: a.street, postalCode, city: a.city, country };
}

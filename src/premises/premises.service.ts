import { Injectable } from '@nestjs/common';
import { FieldCipher } from '../common/field-cipher.js';
import { CustomersService } from '../customers/customers.service.js';
import { nameKey, type PutPremisesDto } from './premises.dto.js';
import { PremisesRepository, type PremisesChanges, type PremisesRow } from './premises.repository.js';

/** What GET shows of a secret that is held: never its length, which would hint at it. */
export const MASKED = '••••••';

const SECRETS = [
  { field: 'access', column: 'access_encrypted', context: 'premises.access' },
  { field: 'password', column: 'password_encrypted', context: 'premises.password' },
  { field: 'duressWord', column: 'duress_word_encrypted', context: 'premises.duress_word' },
] as const;

export type PremisesSecrets = { access: string | null; password: string | null; duressWord: string | null };

/**
 * The facts an operator needs at a customer's premises: notes, animals, named zones and panel users,
 * and, encrypted at rest like the national id, the access information, the verbal password and the
 * duress word. The secrets are shown masked; revealing them is its own, logged, operation.
 */
@Injectable()
export class PremisesService {
  constructor(
    private readonly premises: PremisesRepository,
    private readonly customers: CustomersService,
    private readonly cipher: FieldCipher,
  ) {}

  async get(customerId: string) {
    await this.customers.get(customerId);
    return premisesView(customerId, await this.premises.find(customerId));
  }

  async put(customerId: string, dto: PutPremisesDto, operatorId: string) {
    await this.customers.get(customerId);
    const changes: PremisesChanges = {};
    if (dto.notes !== undefined) changes.notes = dto.notes;
    if (dto.animals !== undefined) changes.animals = dto.animals;
    for (const s of SECRETS) {
      const value = dto[s.field];
      if (value !== undefined) changes[s.column] = value === null ? null : this.cipher.encrypt(value, `${s.context}:${customerId}`);
    }
    if (dto.zones !== undefined) changes.zones = names(dto.zones);
    if (dto.users !== undefined) changes.users = names(dto.users);
    return premisesView(customerId, await this.premises.upsert(customerId, changes, operatorId));
  }

  async secrets(customerId: string): Promise<PremisesSecrets> {
    await this.customers.get(customerId);
    const row = await this.premises.find(customerId);
    const reveal = (s: (typeof SECRETS)[number]) => {
      const value = row?.[s.column];
      return value ? this.cipher.decryptString(value, `${s.context}:${customerId}`) : null;
    };
    return { access: reveal(SECRETS[0]), password: reveal(SECRETS[1]), duressWord: reveal(SECRETS[2]) };
  }
}

/** Names trimmed, keyed as panels are matched (zone "005" under "5"); null clears them all. */
function names(map: Record<string, string> | null): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).map(([key, name]) => [nameKey(key), name.trim()]));
}

export function premisesView(customerId: string, row: PremisesRow | undefined) {
  return {
    customerId,
    notes: row?.notes ?? null,
    animals: row?.animals ?? null,
    access: row?.access_encrypted ? MASKED : null,
    password: row?.password_encrypted ? MASKED : null,
    duressWord: row?.duress_word_encrypted ? MASKED : null,
    zones: row?.zones ?? {},
    users: row?.users ?? {},
    updatedAt: row?.updated_at.toISOString() ?? null,
    updatedBy: row?.updated_by ?? null,
  };
}

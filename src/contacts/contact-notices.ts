import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Contact } from './contact.entity.js';

export interface ContactNoticeView {
  status: 'pending' | 'sent' | 'delivered' | 'failed';
  policyVersion: string | null;
  sentAt: string | null;
}

/** Why a contact's notice may be due: a new contact, or a new phone number (PRODUCT.md rule 3). */
export type ContactNoticeTrigger = 'created' | 'phone_changed';

/**
 * The onboarding notice (Art. 14) as the contact register sees it: the two seams the notice work
 * fills in. Until then every contact reads `pending` and nothing is queued.
 */
@Injectable()
export class ContactNotices {
  /**
   * Called inside the transaction that created the contact or changed its phone, after the write,
   * so a notice queued here commits (or rolls back) together with the contact.
   */
  async contactSaved(_manager: EntityManager, _contact: Contact, _trigger: ContactNoticeTrigger): Promise<void> {}

  /** The `notice` of each contact view; the only place contact views get it from. */
  async viewsFor(contacts: readonly Contact[]): Promise<Map<string, ContactNoticeView>> {
    return new Map(contacts.map((c) => [c.id, { status: 'pending', policyVersion: null, sentAt: null }]));
  }
}

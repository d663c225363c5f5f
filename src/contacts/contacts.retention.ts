import { REMOVED_CONTACT_MONTHS } from '../privacy/retention-policy.js';
import type { RetentionRule } from '../privacy/retention-rule.js';

export const CONTACT_RETENTION: RetentionRule[] = [
  {
    table: 'contact',
    period: { amount: REMOVED_CONTACT_MONTHS, unit: 'months' },
    end: 'deleted',
    reason: 'questions about alarms the contact was part of; the objection of a contact who replied STOP is kept apart (sms_opt_out)',
    text: {
      en: `Alarm contacts are kept while the customer has them on the list, and erased ${REMOVED_CONTACT_MONTHS} months after they are removed or reply STOP, or with the customer.`,
      sv: `Larmkontakter sparas så länge kunden har dem på listan och raderas ${REMOVED_CONTACT_MONTHS} månader efter att de har tagits bort eller svarat STOP, eller med kunden.`,
      nb: `Alarmkontakter lagres så lenge kunden har dem på listen, og slettes ${REMOVED_CONTACT_MONTHS} måneder etter at de er fjernet eller har svart STOP, eller sammen med kunden.`,
    },
    carriedOutBy: 'RetentionJobs.eraseFormerCustomers',
  },
  {
    table: 'contact_notice',
    period: { while: 'the contact exists' },
    end: 'deleted',
    reason: 'proof that the contact was informed (Art. 14); worth nothing once the contact is gone',
    text: {
      en: 'The record that a contact was informed (number, policy version, when) is kept with the contact and erased with them.',
      sv: 'Uppgiften om att en kontakt har informerats (nummer, version av integritetspolicyn, när) sparas med kontakten och raderas med den.',
      nb: 'Opplysningen om at en kontakt er informert (nummer, versjon av personvernerklæringen, når) lagres med kontakten og slettes sammen med den.',
    },
    carriedOutBy: 'erasure of the contact (ON DELETE CASCADE)',
  },
];

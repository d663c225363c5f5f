import { FORMER_CUSTOMER_MONTHS } from '../privacy/retention-policy.js';
import type { RetentionRule } from '../privacy/retention-rule.js';

export const CUSTOMER_RETENTION: RetentionRule[] = [
  {
    table: 'customer',
    period: { amount: FORMER_CUSTOMER_MONTHS, unit: 'months' },
    end: 'deleted',
    reason: 'final invoicing and complaints about the last months of service',
    text: {
      en: `Customer records are kept while the contract lasts and erased ${FORMER_CUSTOMER_MONTHS} months after it ends.`,
      sv: `Kunduppgifter sparas så länge avtalet gäller och raderas ${FORMER_CUSTOMER_MONTHS} månader efter att det har upphört.`,
      nb: `Kundeopplysninger lagres så lenge avtalen varer, og slettes ${FORMER_CUSTOMER_MONTHS} måneder etter at den er avsluttet.`,
    },
    carriedOutBy: 'RetentionJobs.eraseFormerCustomers',
  },
  {
    table: 'encryption_key_check',
    period: { while: 'the encryption key is in use' },
    end: 'kept',
    reason: 'no personal data: a check value that tells a wrong encryption key at start-up',
    text: {
      en: 'A check value of the encryption key (no personal data) is kept while the key is in use.',
      sv: 'Ett kontrollvärde för krypteringsnyckeln (inga personuppgifter) sparas så länge nyckeln används.',
      nb: 'En kontrollverdi for krypteringsnøkkelen (ingen personopplysninger) lagres så lenge nøkkelen er i bruk.',
    },
    carriedOutBy: 'the key rotation command (npm run rotate-key) replaces it',
  },
];

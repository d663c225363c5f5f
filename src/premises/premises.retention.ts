import type { RetentionRule } from '../privacy/retention-rule.js';

export const PREMISES_RETENTION: RetentionRule[] = [
  {
    table: 'premises',
    period: { while: 'the customer exists' },
    end: 'deleted',
    reason: 'what an operator needs to know about the home while it is guarded',
    text: {
      en: 'Facts about the premises (notes, access, password, duress word, zones and panel users) are kept with the customer and erased with them.',
      sv: 'Uppgifter om bostaden (anteckningar, tillträde, lösenord, hotord, zoner och panelanvändare) sparas med kunden och raderas med den.',
      nb: 'Opplysninger om boligen (notater, adgang, passord, trusselord, soner og panelbrukere) lagres med kunden og slettes sammen med den.',
    },
    carriedOutBy: 'erasure of the customer (ON DELETE CASCADE)',
  },
];

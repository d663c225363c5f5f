import type { SmsLanguage } from '../sms/texts.js';
import type { RequestKind } from './privacy-requests.repository.js';

const KIND_NAMES: Record<SmsLanguage, Record<RequestKind, string>> = {
  en: {
    access: 'access',
    rectification: 'rectification',
    erasure: 'erasure',
    restriction: 'restriction',
    objection: 'objection',
    portability: 'data portability',
  },
  sv: {
    access: 'tillgång',
    rectification: 'rättelse',
    erasure: 'radering',
    restriction: 'begränsning',
    objection: 'invändning',
    portability: 'dataportabilitet',
  },
  nb: { access: 'innsyn', rectification: 'retting', erasure: 'sletting', restriction: 'begrensning', objection: 'protest', portability: 'dataportabilitet' },
};

/**
 * The notice Art. 12(3) asks for when a request is extended: sent to the person within the first
 * month, saying why and by when they will have the answer. Stored on the request as it was written,
 * in the person's language (a contact's is their customer's); the DPO sends it.
 */
export function extensionNotice(language: SmsLanguage, n: { kind: RequestKind; receivedDate: string; dueDate: string; reason: string }): string {
  const kind = KIND_NAMES[language][n.kind];
  // The reason is put into a sentence that ends with its own full stop.
  const reason = n.reason.replace(/[\s.!]+$/u, '');
  switch (language) {
    case 'sv':
      return `Vi tog emot din begäran om ${kind} den ${n.receivedDate}. Vi behöver mer tid för att besvara den: ${reason}. Du får vårt svar senast den ${n.dueDate} (GDPR art. 12.3).`;
    case 'nb':
      return `Vi mottok forespørselen din om ${kind} ${n.receivedDate}. Vi trenger mer tid til å svare på den: ${reason}. Du får svar senest ${n.dueDate} (GDPR art. 12 nr. 3).`;
    default:
      return `We received your request for ${kind} on ${n.receivedDate}. We need more time to answer it: ${reason}. You will have our answer by ${n.dueDate} at the latest (GDPR Art. 12(3)).`;
  }
}

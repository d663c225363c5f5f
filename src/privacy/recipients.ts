import type { SmsLanguage } from '../sms/texts.js';

type Words = Record<SmsLanguage, string>;

/**
 * Where personal data goes, in one place: every processor and recipient the declarations may name,
 * with its country, the transfer mechanism when that country is outside the EU/EEA, and (for a
 * processor) the data it holds and how long it keeps it. A declaration names recipients by key;
 * the record of processing and the privacy policy both derive recipients and transfers from here,
 * so two operations going through the same processor cannot be described differently.
 */
export interface Recipient {
  name: Words;
  /**
   * processor: acts on our behalf under an Art. 28 agreement; recipient: receives data for its own
   * purposes (Art. 4(9)); internal: the controller's own staff (listed for Art. 30, not a disclosure).
   */
  kind: 'processor' | 'recipient' | 'internal';
  /** Where it processes the data; `null` for the controller's own staff. */
  country: Words | null;
  /** Outside the EU/EEA: the Chapter V mechanism and where a data subject can read it (Art. 14(1)(f)). */
  transfer?: { country: string; mechanism: Words; safeguardsAt: string[] };
  /** For a processor: what it gets, and how long it keeps its own copy. */
  data?: Words;
  processorRetention?: Words;
  /** A processor that holds everything the system stores (every operation goes through it). */
  holdsEverything?: boolean;
}

/** The Commission's page with the Standard Contractual Clauses, and the list of DPF-certified US organisations. */
export const SCC_URL = 'https://commission.europa.eu/law/law-topic/data-protection/international-dimension-data-protection/standard-contractual-clauses-scc_en';
export const DPF_LIST_URL = 'https://www.dataprivacyframework.gov/list';

export const RECIPIENTS = {
  staff: {
    kind: 'internal',
    country: null,
    name: {
      en: 'alarm-central staff (operators, supervisors)',
      sv: 'larmcentralens personal (operatörer, arbetsledare)',
      nb: 'alarmsentralens ansatte (operatører, vaktledere)',
    },
  },
  staff_and_dpo: {
    kind: 'internal',
    country: null,
    name: {
      en: 'alarm-central staff (operators, supervisors, DPO)',
      sv: 'larmcentralens personal (operatörer, arbetsledare, dataskyddsombud)',
      nb: 'alarmsentralens ansatte (operatører, vaktledere, personvernombud)',
    },
  },
  staff_and_administrators: {
    kind: 'internal',
    country: null,
    name: {
      en: 'alarm-central staff (operators, supervisors, administrators)',
      sv: 'larmcentralens personal (operatörer, arbetsledare, administratörer)',
      nb: 'alarmsentralens ansatte (operatører, vaktledere, administratorer)',
    },
  },
  supervisors_and_dpo: {
    kind: 'internal',
    country: null,
    name: {
      en: 'supervisors and the DPO of the alarm central',
      sv: 'larmcentralens arbetsledare och dataskyddsombud',
      nb: 'alarmsentralens vaktledere og personvernombud',
    },
  },
  supervisors_and_administrators: {
    kind: 'internal',
    country: null,
    name: {
      en: 'alarm-central supervisors and administrators',
      sv: 'larmcentralens arbetsledare och administratörer',
      nb: 'alarmsentralens vaktledere og administratorer',
    },
  },
  dpo: {
    kind: 'internal',
    country: null,
    name: { en: "the controller's data protection officer", sv: 'vårt dataskyddsombud', nb: 'personvernombudet vårt' },
  },
  none: {
    kind: 'internal',
    country: null,
    name: { en: 'none outside the controller', sv: 'ingen utanför larmcentralen', nb: 'ingen utenfor alarmsentralen' },
  },
  data_subject: {
    kind: 'recipient',
    country: null,
    name: {
      en: 'the data subject, through the data protection officer',
      sv: 'den registrerade själv, genom dataskyddsombudet',
      nb: 'den registrerte selv, gjennom personvernombudet',
    },
  },
  supervisory_authority: {
    kind: 'recipient',
    country: { en: 'Sweden or Norway', sv: 'Sverige eller Norge', nb: 'Sverige eller Norge' },
    name: {
      en: 'the supervisory authority (IMY, Datatilsynet) on request',
      sv: 'tillsynsmyndigheten (IMY, Datatilsynet) på begäran',
      nb: 'tilsynsmyndigheten (Datatilsynet, IMY) på forespørsel',
    },
  },
  twilio: {
    kind: 'processor',
    country: { en: 'United States', sv: 'USA', nb: 'USA' },
    name: {
      en: 'Twilio Inc. (SMS provider, processor)',
      sv: 'Twilio Inc. (sms-leverantör, personuppgiftsbiträde)',
      nb: 'Twilio Inc. (SMS-leverandør, databehandler)',
    },
    transfer: {
      country: 'US',
      mechanism: {
        en: "United States (Twilio): EU-US Data Privacy Framework (Art. 45) and the Commission's Standard Contractual Clauses (Art. 46(2)(c))",
        sv: 'USA (Twilio): EU–US Data Privacy Framework (art. 45) och EU-kommissionens standardavtalsklausuler (art. 46.2 c)',
        nb: 'USA (Twilio): EU–US Data Privacy Framework (art. 45) og EU-kommisjonens standard personvernbestemmelser (art. 46 nr. 2 c)',
      },
      safeguardsAt: [SCC_URL, DPF_LIST_URL],
    },
    data: {
      en: 'phone numbers, the text of each SMS, times and delivery status',
      sv: 'telefonnummer, texten i varje sms, tider och leveransstatus',
      nb: 'telefonnumre, teksten i hver SMS, tidspunkter og leveringsstatus',
    },
    processorRetention: {
      en: "Twilio keeps each message (text, numbers, times, status) in our account until it is deleted through Twilio's API. When a person is erased, on request or at the end of a retention period, their messages are deleted at Twilio through that API by the system itself, tried again until Twilio confirms (Twilio may keep a deleted text up to 30 days in its backups). Our 90-day blanking of texts does not reach Twilio's copy: the data protection officer deletes those messages at Twilio",
      sv: 'Twilio sparar varje meddelande (text, nummer, tider, status) i vårt konto tills det raderas via Twilios API. När en person raderas, på begäran eller när en lagringstid har löpt ut, raderar systemet själv deras meddelanden hos Twilio via det API:et och försöker igen tills Twilio bekräftar (Twilio kan ha kvar en raderad text i upp till 30 dagar i sina säkerhetskopior). Vår gallring av texter efter 90 dagar når inte Twilios kopia: dataskyddsombudet raderar de meddelandena hos Twilio',
      nb: 'Twilio lagrer hver melding (tekst, numre, tidspunkter, status) i kontoen vår til den slettes via Twilios API. Når en person slettes, på forespørsel eller når en lagringstid er ute, sletter systemet selv meldingene deres hos Twilio via det API-et og prøver igjen til Twilio bekrefter (Twilio kan beholde en slettet tekst i opptil 30 dager i sine sikkerhetskopier). Slettingen av teksten hos oss etter 90 dager når ikke Twilios kopi: personvernombudet sletter de meldingene hos Twilio',
    },
  },
  hosting: {
    kind: 'processor',
    holdsEverything: true,
    country: { en: 'in the EU/EEA', sv: 'inom EU/EES', nb: 'innenfor EU/EØS' },
    name: {
      en: 'our hosting provider (servers and database)',
      sv: 'vår driftleverantör (servrar och databas)',
      nb: 'driftsleverandøren vår (servere og database)',
    },
    data: {
      en: 'everything the system stores, in our database and its backups (national identity numbers and access secrets encrypted with keys the provider does not hold)',
      sv: 'allt systemet lagrar, i vår databas och dess säkerhetskopior (personnummer och åtkomstuppgifter krypterade med nycklar som leverantören inte har)',
      nb: 'alt systemet lagrer, i databasen vår og sikkerhetskopiene av den (fødselsnumre og tilgangsopplysninger kryptert med nøkler leverandøren ikke har)',
    },
    processorRetention: {
      en: 'nothing of its own: data is deleted there when our retention rules delete it, and from backups as they are replaced, as the data processing agreement sets',
      sv: 'inget eget: uppgifterna raderas där när våra gallringsregler raderar dem, och ur säkerhetskopiorna när de ersätts, enligt personuppgiftsbiträdesavtalet',
      nb: 'ingenting eget: opplysningene slettes der når slettereglene våre sletter dem, og fra sikkerhetskopiene når de erstattes, slik databehandleravtalen fastsetter',
    },
  },
  mobile_operators: {
    kind: 'recipient',
    country: { en: "the recipient's own mobile network", sv: 'mottagarens eget mobilnät', nb: 'mottakerens eget mobilnett' },
    name: { en: 'mobile network operators (deliver the SMS)', sv: 'mobiloperatörer (levererar sms:en)', nb: 'mobiloperatører (leverer SMS-ene)' },
  },
  alarm_contacts: {
    kind: 'recipient',
    country: null,
    name: {
      en: "the customer's alarm contacts, when the owner cannot be reached",
      sv: 'kundens larmkontakter, när ägaren inte nås',
      nb: 'kundens alarmkontakter, når eieren ikke nås',
    },
  },
  guard_company: {
    kind: 'recipient',
    country: null,
    name: {
      en: 'the guard company named (partner), when a guard is dispatched',
      sv: 'det angivna vaktbolaget (partner), när en väktare skickas',
      nb: 'det oppgitte vaktselskapet (partner), når en vekter sendes ut',
    },
  },
  emergency_services: {
    kind: 'recipient',
    country: null,
    name: {
      en: 'emergency services (rescue service, ambulance), when called at an alarm',
      sv: 'räddningstjänst och ambulans, när de larmas vid ett larm',
      nb: 'nødetatene (brannvesen, ambulanse), når de varsles ved en alarm',
    },
  },
  police: {
    kind: 'recipient',
    country: null,
    name: {
      en: 'the police, when called at an alarm or when they request data under the law',
      sv: 'polisen, när den larmas vid ett larm eller begär ut uppgifter med stöd av lag',
      nb: 'politiet, når det varsles ved en alarm eller ber om opplysninger med hjemmel i lov',
    },
  },
} as const satisfies Record<string, Recipient>;

export type RecipientKey = keyof typeof RECIPIENTS;

/** A data subject's view of a list of recipients: names, in a language. */
export function recipientNames(keys: readonly RecipientKey[], language: SmsLanguage = 'en'): string[] {
  return keys.map((k) => RECIPIENTS[k].name[language]);
}

/** The Art. 30(1)(e) transfers of an operation: its processors' outside the EU/EEA, or "none". */
export function transfersOf(keys: readonly RecipientKey[], language: SmsLanguage = 'en'): string {
  const mechanisms = [...new Set(keys.flatMap((k) => ('transfer' in RECIPIENTS[k] ? [(RECIPIENTS[k] as Recipient).transfer!.mechanism[language]] : [])))];
  return mechanisms.length ? mechanisms.join('; ') : NO_TRANSFER[language];
}

export const NO_TRANSFER: Words = { en: 'none', sv: 'ingen', nb: 'ingen' };

/** A processor's name; the hosting provider's with the company configured (HOSTING_PROVIDER). */
export function processorName(key: RecipientKey, language: SmsLanguage, hostingProvider: string): string {
  const name = RECIPIENTS[key].name[language];
  return key === 'hosting' ? `${name}: ${hostingProvider}` : name;
}

/** Every processor, for the record's and the policy's list of processors. */
export function processors(): Array<[RecipientKey, Recipient]> {
  return (Object.entries(RECIPIENTS) as Array<[RecipientKey, Recipient]>).filter(([, r]) => r.kind === 'processor');
}

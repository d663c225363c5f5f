import { ALARM_HISTORY_YEARS, SMS_BODY_DAYS, UNKNOWN_SENDER_DAYS } from '../privacy/retention-policy.js';
import type { RetentionRule } from '../privacy/retention-rule.js';
import { WRONG_CODE_WINDOW_MS } from './reply-code-guard.js';

const WINDOW_MINUTES = WRONG_CODE_WINDOW_MS / 60_000;

export const SMS_RETENTION: RetentionRule[] = [
  {
    table: 'sms_message',
    period: { amount: SMS_BODY_DAYS, unit: 'days' },
    end: 'blanked',
    reason: 'an alarm\'s follow-up ("did the SMS go out?") happens within weeks; who was texted when stays, without the text',
    text: {
      en: `SMS texts are blanked ${SMS_BODY_DAYS} days after the message; numbers, purpose, status and times stay with the alarm history.`,
      sv: `SMS-texter töms ${SMS_BODY_DAYS} dagar efter meddelandet; nummer, syfte, status och tider sparas med larmhistoriken.`,
      nb: `SMS-tekster slettes ${SMS_BODY_DAYS} dager etter meldingen; nummer, formål, status og tidspunkter lagres med alarmhistorikken.`,
    },
    carriedOutBy: 'RetentionJobs.blankSmsBodies',
  },
  {
    table: 'sms_message',
    period: { amount: UNKNOWN_SENDER_DAYS, unit: 'days' },
    end: 'deleted',
    reason: "texts from numbers that are nobody's on file matter only while an SMS loop or abuse is looked into",
    text: {
      en: `Texts from numbers we do not have on file, and our automatic answers to them, are deleted ${UNKNOWN_SENDER_DAYS} days after they were received.`,
      sv: `SMS från nummer som vi inte har registrerade, och våra automatiska svar på dem, raderas ${UNKNOWN_SENDER_DAYS} dagar efter att de togs emot.`,
      nb: `SMS fra numre vi ikke har registrert, og våre automatiske svar på dem, slettes ${UNKNOWN_SENDER_DAYS} dager etter at de ble mottatt.`,
    },
    carriedOutBy: 'TableRetentionJobs.deleteUnknownSenders',
  },
  {
    table: 'sms_message',
    period: { amount: ALARM_HISTORY_YEARS, unit: 'years' },
    end: 'anonymised',
    reason: 'SMS about an alarm are alarm history; the others go with the customer or contact they were to or from',
    text: {
      en: `Other SMS to and from customers and contacts are kept with the alarm history (${ALARM_HISTORY_YEARS} years, then anonymised) or with the customer or contact.`,
      sv: `Övriga SMS till och från kunder och kontakter sparas med larmhistoriken (${ALARM_HISTORY_YEARS} år, sedan anonymiseras de) eller med kunden eller kontakten.`,
      nb: `Øvrige SMS til og fra kunder og kontakter lagres med alarmhistorikken (${ALARM_HISTORY_YEARS} år, deretter anonymiseres de) eller med kunden eller kontakten.`,
    },
    carriedOutBy: 'RetentionJobs.anonymiseAlarmHistory, RetentionJobs.eraseFormerCustomers',
  },
  {
    table: 'sms_opt_out',
    period: { while: 'the objection stands' },
    end: 'kept',
    reason: 'the objection (Art. 21) must keep being honoured, also if someone enters the number anew',
    text: {
      en: 'A number that replied STOP is kept as long as the objection stands, so that it is never texted again.',
      sv: 'Ett nummer som har svarat STOP sparas så länge invändningen gäller, så att det aldrig får SMS igen.',
      nb: 'Et nummer som har svart STOP, lagres så lenge innsigelsen gjelder, slik at det aldri får SMS igjen.',
    },
    carriedOutBy: 'removed when the number texts START',
  },
  {
    table: 'sms_send_rate',
    period: { while: 'the service runs' },
    end: 'kept',
    reason: 'no personal data: one row holding how many SMS may be sent now',
    text: {
      en: 'The SMS sending rate (no personal data) is kept while the service runs.',
      sv: 'SMS-sändningstakten (inga personuppgifter) sparas så länge tjänsten körs.',
      nb: 'Sendehastigheten for SMS (ingen personopplysninger) lagres så lenge tjenesten kjører.',
    },
    carriedOutBy: 'overwritten as SMS are sent',
  },
  {
    table: 'reply_code_guess',
    period: { amount: WINDOW_MINUTES, unit: 'minutes' },
    end: 'deleted',
    reason: 'the count of wrong reply codes matters only until its window ends',
    text: {
      en: `The count of wrong reply codes from a number is deleted when its ${WINDOW_MINUTES}-minute window ends (at the latest the next night).`,
      sv: `Antalet felaktiga svarskoder från ett nummer raderas när dess period på ${WINDOW_MINUTES} minuter är slut (senast natten därpå).`,
      nb: `Antallet feil svarkoder fra et nummer slettes når perioden på ${WINDOW_MINUTES} minutter er over (senest natten etter).`,
    },
    carriedOutBy: 'TableRetentionJobs.deleteExpiredSessionsAndCounters',
  },
];

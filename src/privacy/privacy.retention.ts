import { ERASURE_RECORD_MONTHS, PRIVACY_REQUEST_YEARS, PROCESSING_LOG_YEARS } from './retention-policy.js';
import type { RetentionRule } from './retention-rule.js';

/**
 * The processing log's rule. Carried out by the log's own pruning, which removes entries older than
 * PROCESSING_LOG_YEARS and summarises them in a sealed checkpoint, so `verify` still proves the rest;
 * declared here so the log is in the same list as every other table.
 */
const PROCESSING_LOG: Omit<RetentionRule, 'table'> = {
  period: { amount: PROCESSING_LOG_YEARS, unit: 'years' },
  end: 'deleted',
  reason: 'the accountability record (Art. 5(2)) is kept as long as the alarm history it accounts for; what is removed is summarised by a sealed checkpoint',
  text: {
    en: `Entries in the processing log (ids only) are kept ${PROCESSING_LOG_YEARS} years, then summarised by a sealed checkpoint that keeps the rest verifiable.`,
    sv: `Poster i behandlingsloggen (endast id-nummer) sparas i ${PROCESSING_LOG_YEARS} år och sammanfattas sedan av en förseglad kontrollpunkt, så att resten fortfarande kan verifieras.`,
    nb: `Oppføringer i behandlingsloggen (bare id-er) lagres i ${PROCESSING_LOG_YEARS} år, og oppsummeres deretter av et forseglet kontrollpunkt, slik at resten fortsatt kan verifiseres.`,
  },
  carriedOutBy: "the processing log's pruning",
};

export const PROCESSING_LOG_RETENTION: RetentionRule[] = [
  { ...PROCESSING_LOG, table: 'processing_log' },
  {
    table: 'processing_log_retention',
    period: { while: 'the processing log exists' },
    end: 'kept',
    reason: "no personal data (positions, counts per operation and hashes): the sealed summary of what the log's own retention removed",
    text: {
      en: 'The sealed summary of processing-log entries removed after their period (counts and hashes, no personal data) is kept as long as the log.',
      sv: 'Den förseglade sammanfattningen av loggposter som tagits bort efter sin tid (antal och hashvärden, inga personuppgifter) sparas lika länge som loggen.',
      nb: 'Det forseglede sammendraget av loggoppføringer som er fjernet etter sin tid (antall og hashverdier, ingen personopplysninger) lagres like lenge som loggen.',
    },
    carriedOutBy: 'ProcessingLogRetention (it writes them)',
  },
  { ...PROCESSING_LOG, table: 'processing_log_seal' },
  { ...PROCESSING_LOG, table: 'processing_log_seal_gap' },
  {
    table: 'processing_log_checkpoint',
    period: { while: 'the processing log exists' },
    end: 'kept',
    reason: 'no personal data (positions, counts and hashes): what keeps the remaining log verifiable',
    text: {
      en: 'Checkpoints of the processing log (counts and hashes, no personal data) are kept as long as the log.',
      sv: 'Kontrollpunkter i behandlingsloggen (antal och hashvärden, inga personuppgifter) sparas lika länge som loggen.',
      nb: 'Kontrollpunkter i behandlingsloggen (antall og hashverdier, ingen personopplysninger) lagres like lenge som loggen.',
    },
    carriedOutBy: "the processing log's pruning",
  },
];

export const ERASURE_RECORD_RETENTION: RetentionRule[] = [
  {
    table: 'erasure_record',
    period: { amount: ERASURE_RECORD_MONTHS, unit: 'months' },
    end: 'deleted',
    reason:
      'lets an erasure be applied again when a backup from before it is restored: backups are kept at most 12 months, one more ' +
      "month covers noticing the restore; kept longer it would only be one more place linking an erased person's ids",
    text: {
      en: `The record of an erasure (ids, when, what was done) is kept ${ERASURE_RECORD_MONTHS} months, so that the erasure can be applied again if an older backup is restored, and then deleted.`,
      sv: `Uppgiften om en radering (id-nummer, när, vad som gjordes) sparas i ${ERASURE_RECORD_MONTHS} månader, så att raderingen kan göras om ifall en äldre säkerhetskopia återställs, och raderas sedan.`,
      nb: `Opplysningen om en sletting (id-er, når, hva som ble gjort) lagres i ${ERASURE_RECORD_MONTHS} måneder, slik at slettingen kan gjøres på nytt hvis en eldre sikkerhetskopi gjenopprettes, og slettes deretter.`,
    },
    carriedOutBy: 'TableRetentionJobs.deleteErasureRecords',
  },
];

export const PRIVACY_REQUEST_RETENTION: RetentionRule[] = [
  {
    table: 'privacy_request',
    period: { amount: PRIVACY_REQUEST_YEARS, unit: 'years' },
    end: 'deleted',
    reason:
      'shows how a data-subject request was answered (Art. 5(2)), for a complaint to the supervisory authority or a claim about it; ' +
      '3 years after the request was closed, an open request is kept until it is closed',
    text: {
      en: `A request you made under the GDPR (access, erasure and the like: when it came, how your identity was checked, what was done) is kept ${PRIVACY_REQUEST_YEARS} years after it was answered, then deleted.`,
      sv: `En begäran du gjort enligt dataskyddsförordningen (tillgång, radering och liknande: när den kom, hur din identitet kontrollerades, vad som gjordes) sparas i ${PRIVACY_REQUEST_YEARS} år efter att den besvarats och raderas sedan.`,
      nb: `En forespørsel du har sendt etter personvernforordningen (innsyn, sletting og lignende: når den kom, hvordan identiteten din ble kontrollert, hva som ble gjort) lagres i ${PRIVACY_REQUEST_YEARS} år etter at den ble besvart, og slettes deretter.`,
    },
    carriedOutBy: 'TableRetentionJobs.deletePrivacyRequests',
  },
];

/** A restriction belongs to its customer or contact: deleted with them (foreign keys, ON DELETE CASCADE). */
const WITH_THE_RESTRICTED_PERSON: Omit<RetentionRule, 'table' | 'text' | 'reason'> = {
  period: { while: 'the restricted customer or contact exists' },
  end: 'deleted',
  carriedOutBy: 'Erasure and the former-customer retention (deleted with the customer or contact)',
};

export const RESTRICTION_RETENTION: RetentionRule[] = [
  {
    ...WITH_THE_RESTRICTED_PERSON,
    table: 'restriction',
    reason: 'the restriction (Art. 18) must be honoured for as long as the data it restricts is kept',
    text: {
      en: 'A restriction of processing you asked for is kept as long as the data it restricts, and deleted with it.',
      sv: 'En begränsning av behandlingen som du begärt sparas lika länge som de uppgifter den gäller och raderas tillsammans med dem.',
      nb: 'En begrensning av behandlingen som du har bedt om, lagres like lenge som opplysningene den gjelder, og slettes sammen med dem.',
    },
  },
  {
    ...WITH_THE_RESTRICTED_PERSON,
    table: 'restriction_recipient',
    reason: 'which recipients were told of a restriction (Art. 19), kept with the restriction it belongs to',
    text: {
      en: 'Which of your alarm contacts were told of a restriction is kept with the restriction, and deleted with it.',
      sv: 'Vilka av dina larmkontakter som fått veta om en begränsning sparas med begränsningen och raderas med den.',
      nb: 'Hvilke av alarmkontaktene dine som fikk vite om en begrensning, lagres med begrensningen og slettes med den.',
    },
  },
];

export const PROCESSOR_DELETION_RETENTION: RetentionRule[] = [
  {
    table: 'processor_deletion',
    period: { while: 'the SMS provider has not confirmed the deletion' },
    end: 'deleted',
    reason: "the provider's id of an erased person's message, kept only until the provider has deleted its copy (Art. 17, Art. 28(3)(g))",
    text: {
      en: "When your data is erased, the SMS provider's reference to each of your messages is kept only until the provider has deleted its copy, then it is deleted too.",
      sv: 'När dina uppgifter raderas sparas sms-leverantörens referens till vart och ett av dina meddelanden bara tills leverantören har raderat sin kopia, och raderas sedan också.',
      nb: 'Når opplysningene dine slettes, lagres SMS-leverandørens referanse til hver av meldingene dine bare til leverandøren har slettet sin kopi, og slettes deretter også.',
    },
    carriedOutBy: 'ProcessorDeletions (deletes each row once the provider confirms)',
  },
];

import { ERASURE_RECORD_MONTHS, PROCESSING_LOG_YEARS } from './retention-policy.js';
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
  carriedOutBy: 'the processing log\'s pruning',
};

export const PROCESSING_LOG_RETENTION: RetentionRule[] = [
  { ...PROCESSING_LOG, table: 'processing_log' },
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
    carriedOutBy: 'the processing log\'s pruning',
  },
];

export const ERASURE_RECORD_RETENTION: RetentionRule[] = [
  {
    table: 'erasure_record',
    period: { amount: ERASURE_RECORD_MONTHS, unit: 'months' },
    end: 'deleted',
    reason:
      'lets an erasure be applied again when a backup from before it is restored: backups are kept at most 12 months, one more ' +
      'month covers noticing the restore; kept longer it would only be one more place linking an erased person\'s ids',
    text: {
      en: `The record of an erasure (ids, when, what was done) is kept ${ERASURE_RECORD_MONTHS} months, so that the erasure can be applied again if an older backup is restored, and then deleted.`,
      sv: `Uppgiften om en radering (id-nummer, när, vad som gjordes) sparas i ${ERASURE_RECORD_MONTHS} månader, så att raderingen kan göras om ifall en äldre säkerhetskopia återställs, och raderas sedan.`,
      nb: `Opplysningen om en sletting (id-er, når, hva som ble gjort) lagres i ${ERASURE_RECORD_MONTHS} måneder, slik at slettingen kan gjøres på nytt hvis en eldre sikkerhetskopi gjenopprettes, og slettes deretter.`,
    },
    carriedOutBy: 'TableRetentionJobs.deleteErasureRecords',
  },
];

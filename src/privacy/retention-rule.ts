import { SetMetadata } from '@nestjs/common';
import type { SmsLanguage } from '../sms/texts.js';

/**
 * How long the rows of one table are kept and what happens to them then (Art. 5(1)(e)), declared by
 * the module that owns the table, next to its processing declarations. A table may have several rules
 * (SMS texts are blanked early, the rest of the message goes with the alarm history). Start-up refuses
 * a table in the database that no rule names, and a rule naming a table that does not exist.
 */
export interface RetentionRule {
  table: string;
  /** A period counted from an event the text names, or as long as something else exists. */
  period: { amount: number; unit: 'minutes' | 'hours' | 'days' | 'months' | 'years' } | { while: string };
  /** What happens at the end; `kept` only for tables without personal data, or kept to honour an objection. */
  end: 'deleted' | 'anonymised' | 'blanked' | 'kept';
  /** Why this period, in English (the record of processing is in English). */
  reason: string;
  /** The rule as the data subject reads it, in the policy page's language. */
  text: Record<SmsLanguage, string>;
  /** The job or code that carries it out (`RetentionJobs.blankSmsBodies`), for the DPO. */
  carriedOutBy: string;
}

export const RETENTION_RULES_KEY = 'keyholder:retention-rules';

/** On a module class: the retention rules of the tables the module owns. */
export const RetainedTables = (...rules: RetentionRule[]) => SetMetadata(RETENTION_RULES_KEY, rules);

/** "90 days", "12 months", "while the customer exists". */
export function periodText(period: RetentionRule['period']): string {
  return 'while' in period ? `while ${period.while}` : `${period.amount} ${period.unit}`;
}

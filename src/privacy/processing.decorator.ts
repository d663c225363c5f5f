import { SetMetadata } from '@nestjs/common';
import type { RecipientKey } from './recipients.js';
import type { SpecialCategoryUse } from './special-categories.js';

/** GDPR Art. 6(1) (a)-(f), as the API spells them (docs/privacy.md#legal-bases). */
export const LEGAL_BASES = ['consent', 'contract', 'legal_obligation', 'vital_interests', 'public_task', 'legitimate_interests'] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

export const ARTICLE_6: Record<LegalBasis, string> = {
  consent: 'Art. 6(1)(a) consent',
  contract: 'Art. 6(1)(b) contract',
  legal_obligation: 'Art. 6(1)(c) legal obligation',
  vital_interests: 'Art. 6(1)(d) vital interests',
  public_task: 'Art. 6(1)(e) public task',
  legitimate_interests: 'Art. 6(1)(f) legitimate interests',
};

/**
 * What one operation does with personal data, declared on the operation itself. The record of
 * processing (Art. 30) and the privacy policy's table are generated from these, so they cannot drift.
 */
export interface ProcessingDeclaration {
  /** Stable name, e.g. `customers.create`. */
  operation: string;
  purpose: string;
  legalBasis: LegalBasis;
  /** Where the basis depends on the case (an alarm's class), say how. */
  legalBasisNote?: string;
  dataSubjects: string[];
  dataCategories: string[];
  /** Keys of recipients.ts: the record's recipients and transfers outside the EU/EEA are derived from them. */
  recipients: RecipientKey[];
  retention: string;
  /** Art. 9 special categories the operation processes, each with its Art. 9(2) condition. */
  specialCategories?: SpecialCategoryUse[];
}

export const PROCESSING_KEY = 'keyholder:processing';
export const NO_PERSONAL_DATA_KEY = 'keyholder:no-personal-data';

/**
 * On a route: the interceptor logs every execution. On a method of any other provider (a scheduled
 * job, a message handler): it is listed in the record of processing, and the method records its
 * executions itself with `ProcessingLog.record`.
 */
export const Processing = (declaration: ProcessingDeclaration) => SetMetadata(PROCESSING_KEY, declaration);

/** Says, on purpose, that an operation touches no personal data (and why). */
export const NoPersonalData = (reason: string) => SetMetadata(NO_PERSONAL_DATA_KEY, reason);

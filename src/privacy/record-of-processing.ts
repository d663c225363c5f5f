import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ARTICLE_6, type LegalBasis } from './processing.decorator.js';
import { ProcessingRegistry } from './processing-registry.js';
import { processorName, processors, recipientNames, transfersOf } from './recipients.js';
import { describeSpecialCategories } from './special-categories.js';
import { RetentionRegistry } from './retention-registry.js';
import { periodText, type RetentionRule } from './retention-rule.js';

/**
 * Art. 30(1)(g): the general technical and organisational measures, true of every operation
 * because they are enforced centrally (guard, migrations, interceptor), not per route.
 */
export const SECURITY_MEASURES = [
  'every route closed by default; access by role (operator, supervisor, dpo, admin), checked on each request',
  'operator passwords hashed with argon2id; opaque session tokens stored only as SHA-256; failed logins rate-limited',
  'national identity numbers encrypted at rest and shown masked',
  'panel requests signed (HMAC-SHA256) with a per-panel secret, replay-protected by timestamp',
  'personal fields redacted from application logs',
  'every execution recorded in an append-only, hash-chained processing log',
];

export interface RopaRow {
  operation: string;
  purpose: string;
  legalBasis: LegalBasis;
  /** The text of GDPR Art. 6(1) the basis refers to. */
  legalBasisArticle: string;
  legalBasisNote: string | null;
  dataSubjects: string[];
  dataCategories: string[];
  recipients: string[];
  retention: string;
  thirdCountryTransfers: string;
  /** Art. 9 categories with their Art. 9(2) conditions, one line each; empty when none. */
  specialCategories: string[];
  securityMeasures: string[];
  /** What performs it: routes (`POST /api/customers`) or job and handler methods. */
  performedBy: string[];
}

/** A processor (Art. 28), from recipients.ts: what it gets, where, under which mechanism, and its own retention. */
export interface RopaProcessor {
  name: string;
  country: string;
  thirdCountryTransfer: string;
  data: string;
  processorRetention: string;
  agreement: string;
  /** The operations that send data to it. */
  operations: string[];
}

/** Processing by processors is under an Art. 28(3) agreement, which the DPO gives out on request. */
export const PROCESSOR_AGREEMENT = 'data processing agreement under Art. 28(3) GDPR; a copy is available on request from the data protection officer';

/** One table's retention rule (Art. 30(1)(f)), as declared by the module that owns the table. */
export interface RetentionRuleRow extends RetentionRule {
  /** `90 days`, `12 months`, `while the customer exists`. */
  periodText: string;
}

export interface Ropa {
  controller: AppConfig['controller'];
  processors: RopaProcessor[];
  generatedAt: string;
  items: RopaRow[];
  total: number;
  /** How long each table's rows are kept and what happens then; every table of the database has at least one. */
  retentionRules: RetentionRuleRow[];
}

/** The record of processing (Art. 30), generated from the running app's declarations so it cannot drift. */
@Injectable()
export class RecordOfProcessing {
  constructor(
    private readonly config: AppConfig,
    private readonly registry: ProcessingRegistry,
    private readonly retention: RetentionRegistry,
  ) {}

  build(now = new Date()): Ropa {
    const items = this.registry.declarations().map(({ declaration: d, where }): RopaRow => ({
      operation: d.operation,
      purpose: d.purpose,
      legalBasis: d.legalBasis,
      legalBasisArticle: ARTICLE_6[d.legalBasis],
      legalBasisNote: d.legalBasisNote ?? null,
      dataSubjects: d.dataSubjects,
      dataCategories: d.dataCategories,
      recipients: recipientNames(d.recipients),
      retention: d.retention,
      thirdCountryTransfers: transfersOf(d.recipients),
      specialCategories: describeSpecialCategories(d.specialCategories),
      securityMeasures: SECURITY_MEASURES,
      performedBy: where,
    }));
    const retentionRules = this.retention.rules().map((r) => ({ ...r, periodText: periodText(r.period) }));
    const declared = this.registry.declarations().map((r) => r.declaration);
    const used = processors().map(([key, p]): RopaProcessor => ({
      name: processorName(key, 'en', this.config.hostingProvider),
      country: p.country!.en,
      thirdCountryTransfer: transfersOf([key]),
      data: p.data!.en,
      processorRetention: p.processorRetention!.en,
      agreement: PROCESSOR_AGREEMENT,
      operations: declared.filter((d) => p.holdsEverything || d.recipients.includes(key)).map((d) => d.operation),
    }));
    return { controller: { ...this.config.controller }, processors: used, generatedAt: now.toISOString(), items, total: items.length, retentionRules };
  }
}

export const ROPA_CSV_COLUMNS: Array<keyof RopaRow> = [
  'operation',
  'purpose',
  'legalBasis',
  'legalBasisArticle',
  'legalBasisNote',
  'dataSubjects',
  'dataCategories',
  'recipients',
  'retention',
  'thirdCountryTransfers',
  'securityMeasures',
  'performedBy',
  'specialCategories',
];

/** RFC 4180: CRLF line ends; a field with a comma, quote or line break is quoted, quotes doubled. Lists join with "; ". */
export function ropaToCsv(ropa: Ropa): string {
  const lines = [ROPA_CSV_COLUMNS.map(csvField).join(',')];
  for (const row of ropa.items) {
    lines.push(ROPA_CSV_COLUMNS.map((c) => csvField(row[c])).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

export function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : Array.isArray(value) ? value.join('; ') : String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

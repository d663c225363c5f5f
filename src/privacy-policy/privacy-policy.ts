import { Injectable } from '@nestjs/common';
import { DomainError, notFound } from '../common/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { ARTICLE_6, type ProcessingDeclaration } from '../privacy/processing.decorator.js';
import { ProcessingRegistry } from '../privacy/processing-registry.js';
import { processorName, processors, recipientNames, transfersOf } from '../privacy/recipients.js';
import { describeSpecialCategories } from '../privacy/special-categories.js';
import type { SmsLanguage } from '../sms/texts.js';
import { POLICY_LANGUAGES, POLICY_VERSION } from './policy-version.js';
import { POLICY_TEXTS, type PolicyText } from './policy-texts.js';
import { ARTICLE_6_TRANSLATED, PURPOSES_TRANSLATED, RETENTION_TRANSLATED, SUBJECTS_TRANSLATED, type Translation } from './policy-translations.js';
import { RetentionRegistry } from '../privacy/retention-registry.js';
import { retentionSection } from './retention-section.js';

const LANGUAGE_NAMES: Record<SmsLanguage, string> = { sv: 'Svenska', nb: 'Norsk bokmål', en: 'English' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * The language of the page: `?lang` if given (an unknown one is the caller's mistake, 400), else the
 * best match in Accept-Language (no/nn count as Norwegian bokmål), else English.
 */
export function policyLanguage(lang: string | undefined, acceptLanguage: string | undefined): SmsLanguage {
  if (lang !== undefined) {
    if ((POLICY_LANGUAGES as readonly string[]).includes(lang)) return lang as SmsLanguage;
    throw new DomainError('invalid', 'unknown_language', `lang must be one of ${POLICY_LANGUAGES.join(', ')}`);
  }
  const ranges = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = Number(
        params
          .map((p) => p.trim())
          .find((p) => p.startsWith('q='))
          ?.slice(2) ?? '1',
      );
      return { primary: tag.split('-')[0], q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((r) => r.primary && r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { primary } of ranges) {
    if (primary === 'sv') return 'sv';
    if (primary === 'nb' || primary === 'no' || primary === 'nn') return 'nb';
    if (primary === 'en') return 'en';
  }
  return 'en';
}

/** The privacy policy pages (GET /privacy, GET /privacy/:version), HTML, every value escaped. */
@Injectable()
export class PrivacyPolicy {
  constructor(
    private readonly config: AppConfig,
    private readonly registry: ProcessingRegistry,
    private readonly retention: RetentionRegistry,
  ) {}

  versions(): string[] {
    return Object.keys(POLICY_TEXTS).sort();
  }

  render(version: string, language: SmsLanguage): string {
    const texts = Object.hasOwn(POLICY_TEXTS, version) ? POLICY_TEXTS[version] : undefined;
    if (!texts) throw notFound('privacy policy version', version);
    const t = texts[language];
    const { name, orgNumber, address, contact, dpoContact } = this.config.controller;
    const fill = (s: string) =>
      escapeHtml(s)
        .replaceAll('{company}', escapeHtml(this.config.companyName))
        .replaceAll('{controller}', escapeHtml(name))
        .replaceAll('{controllerContact}', escapeHtml(contact))
        .replaceAll('{controllerOrgNumber}', escapeHtml(orgNumber))
        .replaceAll('{controllerAddress}', escapeHtml(address))
        .replaceAll('{dpo}', escapeHtml(dpoContact))
        .replaceAll('{version}', escapeHtml(version))
        .replaceAll('{current}', escapeHtml(POLICY_VERSION));
    const self = version === POLICY_VERSION ? '/privacy' : `/privacy/${encodeURIComponent(version)}`;
    const sections = t.sections
      .map(
        (s) =>
          `<section>\n<h2>${fill(s.heading)}</h2>\n${s.paragraphs.map((p) => `<p>${fill(p)}</p>`).join('\n')}` +
          (s.items ? `\n<ul>\n${s.items.map((i) => `<li>${fill(i)}</li>`).join('\n')}\n</ul>` : '') +
          `\n</section>`,
      )
      .join('\n');
    return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${fill(t.title)} - ${escapeHtml(this.config.companyName)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}table{border-collapse:collapse;font-size:.9rem}th,td{border:1px solid #ccc;padding:.4rem;vertical-align:top;text-align:left}</style>
</head>
<body>
<h1>${fill(t.title)}</h1>
<p class="version">${fill(t.versionLine)}${version === POLICY_VERSION ? '' : ` <strong>${fill(t.superseded)}</strong>`}</p>
<nav>${fill(t.otherLanguages)}: ${POLICY_LANGUAGES.filter((l) => l !== language)
      .map((l) => `<a href="${self}?lang=${l}" hreflang="${l}">${LANGUAGE_NAMES[l]}</a>`)
      .join(' | ')}</nav>
<p>${fill(t.intro)}</p>
${sections}
<section id="processors">
<h2>${fill(t.processorsHeading)}</h2>
<p>${fill(t.processorsIntro)}</p>
${this.processorList(t, language)}
</section>
${retentionSection(this.retention.rules(), language)}
<section>
<h2>${fill(t.tableHeading)}</h2>
<p>${fill(t.tableIntro)}</p>
${this.table(t, language)}
</section>
</body>
</html>
`;
  }

  /** Every processor of recipients.ts: what it gets, where, under which mechanism, and how long it keeps its copy. */
  private processorList(t: PolicyText, language: SmsLanguage): string {
    const l = t.processorLabels;
    const items = processors().map(
      ([key, p]) =>
        `<li data-processor="${escapeHtml(key)}"><strong>${escapeHtml(processorName(key, language, this.config.hostingProvider))}</strong>, ${escapeHtml(p.country![language])}. ` +
        `${escapeHtml(l.data)}: ${escapeHtml(p.data![language])}. ${escapeHtml(l.transfer)}: ${escapeHtml(transfersOf([key], language))}` +
        `${p.transfer ? ` (${p.transfer.safeguardsAt.map((u) => `<a href="${escapeHtml(u)}">${escapeHtml(u)}</a>`).join(', ')})` : ''}. ` +
        `${escapeHtml(l.retention)}: ${escapeHtml(p.processorRetention![language])}.</li>`,
    );
    return `<ul>\n${items.join('\n')}\n</ul>`;
  }

  /**
   * The declarations, as the record of processing derives them (the same registry and the same
   * recipients, transfers and special categories), in the page's language.
   */
  private table(t: PolicyText, language: SmsLanguage): string {
    const c = t.columns;
    const words = (english: string, translated: Translation | undefined) =>
      language === 'en' ? escapeHtml(english) : translated ? escapeHtml(translated[language]) : `<span lang="en">${escapeHtml(english)}</span>`;
    const list = (xs: string[]) => xs.map(escapeHtml).join(', ');
    const row = (d: ProcessingDeclaration) => {
      const basis =
        language === 'en'
          ? `${escapeHtml(ARTICLE_6[d.legalBasis])}${d.legalBasisNote ? `<br><small>${escapeHtml(d.legalBasisNote)}</small>` : ''}`
          : escapeHtml(ARTICLE_6_TRANSLATED[d.legalBasis][language]);
      return (
        `<tr data-operation="${escapeHtml(d.operation)}"><td>${words(d.purpose, PURPOSES_TRANSLATED[d.operation])}</td><td>${basis}</td>` +
        `<td>${d.dataSubjects.map((s) => words(s, SUBJECTS_TRANSLATED[s])).join(', ')}</td>` +
        // Semicolons: a recipient's own description may hold commas.
        `<td>${recipientNames(d.recipients, language).map(escapeHtml).join('; ')}</td>` +
        `<td>${words(d.retention, RETENTION_TRANSLATED[d.retention])}</td><td>${escapeHtml(transfersOf(d.recipients, language))}</td>` +
        `<td>${list(describeSpecialCategories(d.specialCategories, language))}</td></tr>`
      );
    };
    const th = [c.purpose, c.legalBasis, c.subjects, c.recipients, c.retention, c.transfers, c.specialCategories];
    return `<table id="processing">
<thead><tr>${th.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${this.registry
  .declarations()
  .map(({ declaration }) => row(declaration))
  .join('\n')}
</tbody>
</table>`;
  }
}

import type { RetentionRule } from '../privacy/retention-rule.js';
import type { SmsLanguage } from '../sms/texts.js';
import { escapeHtml } from './privacy-policy.js';

const WORDS: Record<SmsLanguage, { heading: string; intro: string; what: string; end: string; ends: Record<RetentionRule['end'], string> }> = {
  en: {
    heading: 'What we keep, and for how long',
    intro: 'Every kind of data we hold has its own period, and when it ends the data is deleted or anonymised by itself, every night:',
    what: 'What, and how long',
    end: 'Then',
    ends: { deleted: 'deleted', anonymised: 'anonymised', blanked: 'text deleted', kept: 'kept (no personal data, or to honour your objection)' },
  },
  sv: {
    heading: 'Vad vi sparar och hur länge',
    intro: 'Varje slags uppgift har sin egen period, och när den är slut raderas eller anonymiseras uppgiften automatiskt, varje natt:',
    what: 'Vad och hur länge',
    end: 'Sedan',
    ends: {
      deleted: 'raderas',
      anonymised: 'anonymiseras',
      blanked: 'texten raderas',
      kept: 'sparas (inga personuppgifter, eller för att respektera din invändning)',
    },
  },
  nb: {
    heading: 'Hva vi lagrer, og hvor lenge',
    intro: 'Hver type opplysning har sin egen periode, og når den er over, slettes eller anonymiseres opplysningen automatisk, hver natt:',
    what: 'Hva og hvor lenge',
    end: 'Deretter',
    ends: {
      deleted: 'slettes',
      anonymised: 'anonymiseres',
      blanked: 'teksten slettes',
      kept: 'lagres (ingen personopplysninger, eller for å respektere innsigelsen din)',
    },
  },
};

/**
 * The policy's table of retention periods, in the page's language, from the same rules the record of
 * processing lists and the start-up check holds against the database. Tables that share a text (the
 * processing log and its seals) are one row.
 */
export function retentionSection(rules: RetentionRule[], language: SmsLanguage): string {
  const w = WORDS[language];
  const rows = new Map<string, { tables: string[]; end: RetentionRule['end'] }>();
  for (const r of rules) {
    const text = r.text[language];
    const row = rows.get(text);
    if (row) row.tables.push(r.table);
    else rows.set(text, { tables: [r.table], end: r.end });
  }
  const body = [...rows]
    .map(([text, r]) => `<tr data-tables="${escapeHtml(r.tables.join(' '))}"><td>${escapeHtml(text)}</td><td>${escapeHtml(w.ends[r.end])}</td></tr>`)
    .join('\n');
  return `<section id="retention">
<h2>${escapeHtml(w.heading)}</h2>
<p>${escapeHtml(w.intro)}</p>
<table>
<thead><tr><th>${escapeHtml(w.what)}</th><th>${escapeHtml(w.end)}</th></tr></thead>
<tbody>
${body}
</tbody>
</table>
</section>`;
}

// The retention rules in the record of processing: how long each table's rows are kept, what then
// happens to them, why, and which job does it. Start-up refuses a table without a rule, so this is
// every table the central keeps.
import { h } from './dom.js';
import { keyboardScrollable } from './tables.js';

const ENDS = { deleted: 'deleted', anonymised: 'anonymised', blanked: 'text blanked', kept: 'kept' };

export function retentionRulesSection(rules) {
  const rows = rules.map((r) =>
    h(
      'tr',
      { 'data-table': r.table },
      h('td', {}, h('code', {}, r.table)),
      h('td', {}, r.periodText),
      h('td', {}, ENDS[r.end] ?? r.end),
      h('td', {}, r.reason),
      h('td', {}, r.carriedOutBy),
    ),
  );
  return h(
    'section',
    { 'aria-labelledby': 'retention-title' },
    h('h2', { id: 'retention-title' }, 'Retention rules'),
    h(
      'p',
      {},
      'Every table of the database and how long its rows are kept. The nightly jobs carry these out; the privacy policy shows the same rules in Swedish, Norwegian and English.',
    ),
    keyboardScrollable(
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { 'aria-label': 'Retention rules' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Table', 'Kept', 'Then', 'Why', 'Carried out by'].map((t) => h('th', { scope: 'col' }, t)),
            ),
          ),
          h('tbody', {}, rows),
        ),
      ),
      'Retention rules, scrolls sideways',
    ),
  );
}

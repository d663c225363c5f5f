// The privacy page (dpo, admin): the register of requests, the processing log and its integrity check,
// the record of processing, the processors and the retention rules.
import { get, query } from './api.js';
import { customerPicker, namesFor, personName } from './people.js';
import { privacyRequestsSection } from './privacy-requests.js';
import { retentionRulesSection } from './retention.js';
import { field, fmtTime, h, label, mount, pill, showFieldErrors } from './dom.js';
import { errorBox } from './forms.js';
import { keyboardScrollable, pager, table } from './tables.js';

const list = (v) => (Array.isArray(v) ? v.join(', ') : (v ?? ''));
/** A page of the processing log: actors and subjects are looked up by name for each page. */
const LOG_PAGE = 50;

export async function privacyPage(main, params = new URLSearchParams()) {
  const ropa = await get('/api/privacy/ropa');
  // The register of requests first: what is overdue or due is what a DPO must act on.
  const requests = await privacyRequestsSection({ customerId: params.get('customerId'), contactId: params.get('contactId') });
  // The check starts where the last whole check (run each night) found the chain intact, and the
  // page does not wait for it: on a long log even that takes a while. The whole chain can be
  // checked on request.
  const verifyResult = h('p', { id: 'verify-result', role: 'status' });
  const wholeButton = h('button', { type: 'button', class: 'secondary', onClick: () => check(true) }, 'Check the whole chain');
  const count = (n) => n.toLocaleString('en-GB');
  // Only the newest check's answer is shown (an earlier, slower one finishing later must not
  // overwrite it), and the whole check cannot be started twice at once.
  let latest = 0;
  const check = (whole) => {
    const mine = ++latest;
    wholeButton.disabled = true;
    mount(verifyResult, whole ? 'Checking the whole hash chain…' : 'Checking the hash chain…');
    const started = Date.now();
    get(`/api/privacy/processing-log/verify${whole ? '' : '?from=checkpoint'}`)
      .then(
        (v) => {
          if (mine !== latest) return;
          const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
          const what = v.from
            ? ` The ${count(v.entries)} entries since the whole check of ${fmtTime(v.from.verifiedAt)} (${count(v.from.entries)} entries), checked in ${took}.`
            : ` The whole chain, ${count(v.entries)} entries, checked in ${took}.`;
          // Entries past the log's period are gone; a sealed checkpoint says what they were, and the check starts where they end.
          const retained = v.retained
            ? ` Before it, ${count(v.retained.removed)} entries older than ten years (before ${fmtTime(v.retained.removedBefore)}) were removed under sealed checkpoints.`
            : '';
          mount(verifyResult, v.ok ? pill('intact', 'good') : pill('BROKEN', 'bad'), what, retained, v.ok ? '' : h('div', {}, v.detail ?? ''));
        },
        (e) => mine === latest && mount(verifyResult, pill('not checked', 'bad'), ` The check could not run: ${e.message}`),
      )
      .finally(() => {
        if (mine === latest) wholeButton.disabled = false;
      });
  };
  check(false);
  const logBox = h('div', { id: 'processing-log' });
  // A person is chosen by name (their id goes in the id field); an operator's or an erased person's id can be typed.
  const person = customerPicker({ label: 'Find a customer or contact' });
  const form = h(
    'form',
    { class: 'actions', 'aria-label': 'Search the processing log' },
    person.element,
    field('Data subject id', 'subjectId', {}),
    field('From', 'from', { type: 'date' }),
    field('To', 'to', { type: 'date' }),
    h('button', { type: 'submit' }, 'Search'),
    errorBox(),
  );
  let page = 1;
  const load = async () => {
    const v = (n) => form.querySelector(`[name="${n}"]`).value.trim();
    const picked = person.value();
    if (picked.customerId) form.querySelector('[name="subjectId"]').value = picked.contactId || picked.customerId;
    try {
      const res = await get(`/api/privacy/processing-log${query({ subjectId: v('subjectId'), from: v('from'), to: v('to'), page, limit: LOG_PAGE })}`);
      showFieldErrors(form, []);
      const names = await namesFor(res.items.flatMap((e) => [e.actorId, ...(e.subjectIds ?? [])]));
      const actor = (e) => (e.actorId ? `${names.get(e.actorId)?.name ?? e.actorId} (${e.actorType})` : e.actorType);
      const paging = () =>
        pager({
          page,
          limit: LOG_PAGE,
          total: res.total,
          what: 'the processing log',
          onPage: (n) => {
            page = n;
            void load().then(() => logBox.querySelector('p.muted')?.focus());
          },
        });
      mount(
        logBox,
        h('p', { class: 'muted', tabindex: '-1' }, `${res.total} entries`),
        paging(),
        table(
          'Processing log',
          ['#', 'When', 'Operation', 'Legal basis', 'Actor', 'Subjects', 'Outcome'],
          res.items.map((e) =>
            h(
              'tr',
              {},
              h('td', {}, String(e.seq)),
              h('td', {}, fmtTime(e.at)),
              h('td', {}, e.operation, logDetail(e.detail)),
              h('td', {}, label(e.legalBasis)),
              h('td', {}, actor(e)),
              h('td', {}, (e.subjectIds ?? []).map((id) => personName(names, id)).join(', ')),
              h('td', {}, e.outcome ?? '', e.httpStatus ? ` ${e.httpStatus}` : ''),
            ),
          ),
        ),
        paging(),
      );
    } catch (e) {
      showFieldErrors(form, e.messages ?? [e.message]);
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    page = 1;
    void load();
  });
  mount(
    main,
    h('h1', {}, 'Privacy'),
    requests,
    h(
      'section',
      { 'aria-labelledby': 'verify-title' },
      h('h2', { id: 'verify-title' }, 'Processing log integrity'),
      verifyResult,
      h('div', { class: 'actions' }, wholeButton),
    ),
    h('section', { 'aria-labelledby': 'log-title' }, h('h2', { id: 'log-title' }, 'Processing log'), form, logBox),
    // The long reference table last: the log and its check are what a DPO comes here for.
    h(
      'section',
      { 'aria-labelledby': 'ropa-title' },
      h('h2', { id: 'ropa-title' }, 'Record of processing (Art. 30)'),
      h('p', {}, h('a', { href: '/api/privacy/ropa?format=csv' }, 'Download CSV')),
      keyboardScrollable(
        table(
          'Record of processing',
          [
            'Operation',
            'Purpose',
            'Legal basis',
            'Data subjects',
            'Data categories',
            'Recipients',
            'Retention',
            'Outside the EU/EEA',
            'Special categories (Art. 9)',
          ],
          ropa.items.map((r) =>
            h(
              'tr',
              {},
              h('td', {}, r.operation),
              h('td', {}, r.purpose),
              h('td', {}, label(r.legalBasis)),
              h('td', {}, list(r.dataSubjects)),
              h('td', {}, list(r.dataCategories)),
              h('td', {}, list(r.recipients)),
              h('td', {}, list(r.retention)),
              h('td', {}, r.thirdCountryTransfers),
              h('td', {}, list(r.specialCategories)),
            ),
          ),
        ),
        'Record of processing, scrolls sideways',
      ),
      h('h3', { id: 'processors-title' }, 'Processors (Art. 28)'),
      table(
        'Processors',
        ['Processor', 'Country', 'Outside the EU/EEA', 'What data', 'Their own copy', 'Agreement', 'Used by'],
        (ropa.processors ?? []).map((p) =>
          h(
            'tr',
            {},
            h('td', {}, p.name),
            h('td', {}, p.country),
            h('td', {}, p.thirdCountryTransfer),
            h('td', {}, p.data),
            h('td', {}, p.processorRetention),
            h('td', {}, p.agreement),
            h('td', {}, list(p.operations)),
          ),
        ),
      ),
    ),
    retentionRulesSection(ropa.retentionRules ?? []),
  );
  await load();
}

/** What an entry adds to its operation: a panel's supervision day, or what a retention run removed. */
function logDetail(detail) {
  if (!detail) return '';
  const time = (iso) => (iso ? new Date(iso).toISOString().slice(11, 19) : '?');
  if (detail.signals !== undefined) {
    return h(
      'div',
      { class: 'muted log-detail' },
      `${detail.signals} supervision signals on ${detail.day} (UTC ${time(detail.firstAt)}–${time(detail.lastAt)})`,
    );
  }
  if (detail.checkpoint) {
    return h(
      'div',
      { class: 'muted log-detail' },
      `${detail.checkpoint.entries} entries older than ten years removed (chain positions ${detail.checkpoint.firstPosition}–${detail.checkpoint.throughPosition}), sealed checkpoint ${String(detail.checkpoint.hash).slice(0, 12)}…`,
    );
  }
  if (detail.removed !== undefined) return h('div', { class: 'muted log-detail' }, `${detail.removed} entries removed`);
  return '';
}

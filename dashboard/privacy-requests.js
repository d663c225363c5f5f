// The register of data subjects' requests on the Privacy page (dpo, admin): what is overdue, what is
// due and when, what is done; registering a request; and acting on one (identity check, extension,
// export, erasure, outcome). Every action redraws the list in place and says what it did.
import { get, patch, post } from './api.js';
import { announce, confirmInPage, field, fmtTime, h, mount, pill, showFieldErrors } from './dom.js';
import { showErasureResult } from './erasure-result.js';
import { errorBox } from './forms.js';
import { customerPicker, namesFor, personName } from './people.js';

const KINDS = [
  ['access', 'Access (Art. 15)'],
  ['rectification', 'Rectification (Art. 16)'],
  ['erasure', 'Erasure (Art. 17)'],
  ['restriction', 'Restriction (Art. 18)'],
  ['portability', 'Portability (Art. 20)'],
  ['objection', 'Objection (Art. 21)'],
];
const kindName = (kind) => KINDS.find(([k]) => k === kind)?.[1] ?? kind;
const DAY = 24 * 3600 * 1000;

/** "12 days left", "due today", "3 days overdue": counted to the end of the due day. */
function daysLeft(dueAt, now = Date.now()) {
  const ms = Date.parse(dueAt) - now;
  if (ms < 0) {
    const late = Math.ceil(-ms / DAY);
    return `${late} day${late === 1 ? '' : 's'} overdue`;
  }
  const days = Math.floor(ms / DAY);
  return days === 0 ? 'due today' : `${days} day${days === 1 ? '' : 's'} left`;
}

let exportUrl = null;

/**
 * The section for the Privacy page. `prefill` ({ customerId, contactId }) comes from a customer page's
 * "Register a request" link: the form opens with that person chosen.
 */
export async function privacyRequestsSection(prefill = {}) {
  const list = h('div', { id: 'request-list' });
  const output = h('div', { id: 'request-output' });
  const section = h(
    'section',
    { 'aria-labelledby': 'dsr-title', id: 'request-register' },
    h('h2', { id: 'dsr-title' }, 'Data-subject requests'),
    h(
      'p',
      { class: 'muted' },
      'Each request is due one month after it was received (Art. 12(3)), at the end of that day. Restriction of a person is on their customer page.',
    ),
    list,
    output,
  );
  const reload = async () => {
    const res = await get('/api/privacy/requests?limit=500');
    const names = await namesFor(res.items.map((r) => r.subjectId));
    renderList(list, res.items, names, { reload, output });
  };
  section.append(await registerForm(prefill, reload));
  await reload();
  return section;
}

function renderList(box, items, names, ctx) {
  const overdue = items.filter((r) => r.overdue);
  const due = items.filter((r) => !r.overdue && (r.status === 'open' || r.status === 'extended')).sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
  const closed = items.filter((r) => r.status === 'done' || r.status === 'refused');
  const group = (id, title, rows, empty) =>
    h(
      'section',
      { class: `request-group ${id}`, 'aria-labelledby': `${id}-title`, id },
      h('h3', { id: `${id}-title` }, `${title} (${rows.length})`),
      rows.length
        ? h(
            'ul',
            { class: 'requests' },
            rows.map((r) => requestItem(r, names, ctx)),
          )
        : h('p', { class: 'empty' }, empty),
    );
  mount(
    box,
    group('requests-overdue', 'Overdue', overdue, 'None overdue.'),
    group('requests-due', 'Due', due, 'Nothing due.'),
    group('requests-closed', 'Done or refused', closed, 'None closed yet.'),
  );
}

function requestItem(r, names, ctx) {
  // An erased person has no name any more: the request stays, under their id.
  const who = names.get(r.subjectId) ? personName(names, r.subjectId) : `${r.subjectType} ${r.subjectId}`;
  const title = `${kindName(r.kind)}: ${who}`;
  const open = r.status === 'open' || r.status === 'extended';
  const status = r.overdue
    ? pill('overdue', 'bad')
    : r.status === 'extended'
      ? pill('extended', 'warn')
      : r.status === 'done'
        ? pill('done', 'good')
        : r.status === 'refused'
          ? pill('refused')
          : pill('open');
  const facts = [
    ['Received', fmtTime(r.receivedAt)],
    ['Due', open ? [r.dueDate, ' ', h('strong', { class: 'days-left' }, daysLeft(r.dueAt))] : r.dueDate],
    ['Identity check', r.identityCheck ?? h('em', {}, 'not recorded yet')],
    r.note ? ['Note', r.note] : null,
    r.extendedAt ? ['Extended', `${fmtTime(r.extendedAt)}: ${r.extensionReason}`] : null,
    r.extensionNotice ? ['Notice to the person', r.extensionNotice] : null,
    r.outcome ? [r.status === 'refused' ? 'Refused because' : 'Outcome', r.outcome] : null,
    r.closedAt ? ['Closed', fmtTime(r.closedAt)] : null,
    r.documents.length ? ['Produced', h('ul', {}, r.documents.map(documentLine))] : null,
  ].filter(Boolean);
  return h(
    'li',
    { class: 'card request', dataset: { requestId: r.id, status: r.status } },
    h('h4', {}, title, ' ', status),
    h(
      'dl',
      { class: 'facts' },
      facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
    ),
    open ? requestActions(r, title, who, ctx) : '',
  );
}

function documentLine(d) {
  if (d.kind === 'export') return h('li', {}, `Export ${fmtTime(d.at)}: ${d.bytes.toLocaleString('en-GB')} bytes, SHA-256 `, h('code', {}, d.sha256));
  return h('li', {}, `Erasure ${fmtTime(d.at)}: ${d.result?.erased?.length ?? 0} kinds of data erased, ${d.result?.anonymised?.length ?? 0} anonymised`);
}

/** One small form per action: each asks for what it needs (a reason, an outcome) and says what failed in place. */
function requestActions(r, title, who, { reload, output }) {
  const n = r.id.slice(0, 8);
  const textForm = ({ name, labelText, button, ariaLabel, run, done, danger }) => {
    const form = h(
      'form',
      { class: 'request-action', 'aria-label': `${ariaLabel} ${title}`, novalidate: true },
      h(
        'div',
        { class: 'field' },
        h('label', { for: `${name}-${n}` }, labelText),
        h('textarea', { id: `${name}-${n}`, name, rows: 2, 'aria-describedby': `${name}-${n}-err` }),
        h('p', { class: 'field-error', id: `${name}-${n}-err`, dataset: { errorFor: name } }),
      ),
      errorBox(),
      h(
        'div',
        { class: 'actions' },
        button.map(([text, value]) => h('button', { type: 'submit', value, class: danger && value !== 'done' ? 'danger' : undefined }, text)),
      ),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const text = form.querySelector('textarea').value.trim();
      try {
        await run(text, ev.submitter?.value);
      } catch (e) {
        showFieldErrors(form, e.messages ?? [e.message]);
        return;
      }
      await reload();
      announce(done(ev.submitter?.value));
    });
    return form;
  };
  const act = async (what, fn) => {
    try {
      await fn();
    } catch (e) {
      mount(output, h('div', { class: 'error-box', role: 'alert' }, `${what}: ${e.message}`));
    }
  };
  const runExport = () =>
    act(`Could not export for ${title}`, async () => {
      const data = await post(`/api/privacy/requests/${r.id}/export`);
      const json = JSON.stringify(data, null, 2);
      if (exportUrl) URL.revokeObjectURL(exportUrl);
      exportUrl = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
      await reload();
      mount(
        output,
        h('h3', { tabindex: '-1', id: 'request-export-title' }, `Export for ${title}`),
        h('p', {}, h('a', { class: 'button', href: exportUrl, download: `keyholder-export-${r.subjectType}-${r.subjectId}.json` }, 'Download JSON')),
      );
      output.querySelector('h3').focus();
      announce(`Export produced for ${title}`);
    });
  const runErasure = () =>
    act(`Could not erase for ${title}`, async () => {
      const sure = await confirmInPage({
        title: `Erase ${who}?`,
        text: 'Their personal data is deleted or anonymised; what the law requires is kept. This cannot be undone.',
        confirm: `Yes, erase ${who}`,
      });
      if (!sure) return;
      const result = await post(`/api/privacy/requests/${r.id}/erasure`);
      await reload();
      showErasureResult(output, `Erased for ${title}`, result);
    });
  const checked = !!r.identityCheck;
  return h(
    'div',
    { class: 'request-actions' },
    checked
      ? ''
      : h(
          'details',
          {},
          h('summary', {}, 'Record identity check'),
          textForm({
            name: 'identityCheck',
            labelText: 'How the identity was checked',
            button: [['Record identity check', 'check']],
            ariaLabel: 'Identity check of',
            run: (text) => patch(`/api/privacy/requests/${r.id}`, { identityCheck: text }),
            done: () => `Identity check recorded for ${title}`,
          }),
        ),
    r.status === 'open'
      ? h(
          'details',
          {},
          h('summary', {}, 'Extend'),
          textForm({
            name: 'extensionReason',
            labelText: 'Why two more months are needed',
            button: [['Extend by two months', 'extend']],
            ariaLabel: 'Extend',
            run: (text) => patch(`/api/privacy/requests/${r.id}`, { status: 'extended', ...(text ? { extensionReason: text } : {}) }),
            done: () => `${title} extended; send the person the notice shown`,
          }),
        )
      : '',
    h(
      'details',
      {},
      h('summary', {}, 'Close'),
      textForm({
        name: 'outcome',
        labelText: 'Outcome (for a refusal: the reason the person is told)',
        button: [
          ['Done', 'done'],
          ['Refuse', 'refused'],
        ],
        ariaLabel: 'Close',
        danger: true,
        run: (text, status) => patch(`/api/privacy/requests/${r.id}`, { status, ...(text ? { outcome: text } : {}) }),
        done: (status) => `${title} ${status === 'refused' ? 'refused' : 'done'}`,
      }),
    ),
    h(
      'div',
      { class: 'actions' },
      r.kind === 'access' || r.kind === 'portability'
        ? h('button', { type: 'button', class: 'secondary', disabled: !checked, 'aria-label': `Run export for ${title}`, onClick: runExport }, 'Run export')
        : '',
      r.kind === 'erasure'
        ? h('button', { type: 'button', class: 'danger', disabled: !checked, 'aria-label': `Run erasure for ${title}`, onClick: runErasure }, 'Run erasure')
        : '',
      (r.kind === 'access' || r.kind === 'portability' || r.kind === 'erasure') && !checked
        ? h('span', { class: 'muted' }, ' Record the identity check first (Art. 12(6)).')
        : '',
    ),
  );
}

async function registerForm(prefill, reload) {
  const person = customerPicker({ label: 'Whose request' });
  const form = h(
    'form',
    { class: 'request-form card', 'aria-labelledby': 'request-form-title', novalidate: true },
    h('h3', { id: 'request-form-title' }, 'Register a request'),
    errorBox(),
    h(
      'div',
      { class: 'form-grid' },
      field('Kind', 'kind', { options: KINDS }),
      person.element,
      field('Received', 'receivedAt', { type: 'datetime-local', placeholder: 'now' }),
      field('Identity check', 'identityCheck', { multiline: true }),
      field('Note', 'note', { multiline: true }),
    ),
    h(
      'p',
      { class: 'muted' },
      'Received: leave empty for now. Identity check: how you made sure the request comes from the person (Art. 12(6)); it can also be recorded later.',
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Register request')),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = (n) => form.querySelector(`[name="${n}"]`).value.trim();
    const { customerId, contactId } = person.value();
    if (!customerId) return showFieldErrors(form, ['Choose whose request it is: a customer, or one of their contacts.']);
    const received = v('receivedAt');
    const body = {
      kind: v('kind'),
      subjectType: contactId ? 'contact' : 'customer',
      subjectId: contactId || customerId,
      ...(received ? { receivedAt: new Date(received).toISOString() } : {}),
      ...(v('identityCheck') ? { identityCheck: v('identityCheck') } : {}),
      ...(v('note') ? { note: v('note') } : {}),
    };
    try {
      await post('/api/privacy/requests', body);
    } catch (e) {
      showFieldErrors(form, e.messages ?? [e.message]);
      return;
    }
    showFieldErrors(form, []);
    for (const n of ['receivedAt', 'identityCheck', 'note']) form.querySelector(`[name="${n}"]`).value = '';
    await reload();
    announce(`Request registered: ${kindName(body.kind)}`);
  });
  if (prefill.customerId) await person.set(prefill.customerId, prefill.contactId);
  return form;
}

// Premises facts: notes, animals, named zones and panel users, and the access information, verbal
// password and duress word, which the API only ever shows masked until someone reveals them (every
// reveal is written to the processing log, and the page says so where the button is).
import { get, put } from './api.js';
import { actionErrorBox, clearActionError, field, h, mount, showActionError } from './dom.js';

const SECRETS = [
  ['access', 'Access (key box, codes)'],
  ['password', 'Verbal password'],
  ['duressWord', 'Duress word'],
];
const LOGGED = 'Each reveal is written to the processing log with your name.';

/** One secret shown masked with a Reveal button that puts the real value in its place. */
function secretFact(customerId, key, masked, errors) {
  const dd = h('dd', { id: `premises-${key}` });
  if (!masked) {
    mount(dd, '-');
    return dd;
  }
  const button = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      dataset: { reveal: key },
      onClick: async () => {
        clearActionError(errors);
        try {
          const secrets = await get(`/api/customers/${customerId}/premises/secrets`);
          mount(dd, h('span', { class: 'secret', tabindex: '-1' }, secrets[key] ?? '-'));
          dd.firstChild.focus();
        } catch (e) {
          showActionError(errors, 'Could not reveal it', e);
        }
      },
    },
    'Reveal (logged)',
  );
  mount(dd, h('span', { class: 'masked' }, masked), ' ', button);
  return dd;
}

function namesList(map, what) {
  const entries = Object.entries(map ?? {});
  if (!entries.length) return '-';
  return h(
    'ul',
    { class: 'premises-names' },
    entries.map(([k, name]) => h('li', {}, `${what} ${k}: ${name}`)),
  );
}

function facts(p, { withNames }, errors) {
  return h(
    'dl',
    { class: 'premises-facts' },
    h('dt', {}, 'Notes'),
    h('dd', { id: 'premises-notes', class: 'premises-text' }, p.notes ?? '-'),
    h('dt', {}, 'Animals'),
    h('dd', { id: 'premises-animals' }, p.animals ?? '-'),
    SECRETS.map(([key, text]) => [h('dt', {}, text), secretFact(p.customerId, key, p[key], errors)]),
    withNames
      ? [
          h('dt', {}, 'Zones'),
          h('dd', { id: 'premises-zones' }, namesList(p.zones, 'Zone')),
          h('dt', {}, 'Panel users'),
          h('dd', { id: 'premises-users' }, namesList(p.users, 'User')),
        ]
      : '',
  );
}

/**
 * The alarm page's premises box: what the operator needs on the phone (notes, animals, the access
 * information, and the verbal password and duress word to verify a caller). Made once per alarm
 * page and kept through its live redraws, so a revealed value stays shown while the alarm changes.
 */
export function alarmPremisesBox(customerId) {
  const box = h('section', { class: 'card', 'aria-labelledby': 'alarm-premises', id: 'alarm-premises-box' }, h('h2', { id: 'alarm-premises' }, 'Premises'));
  const errors = actionErrorBox();
  get(`/api/customers/${customerId}/premises`)
    .then((p) =>
      mount(
        box,
        h('h2', { id: 'alarm-premises' }, 'Premises'),
        facts(p, { withNames: false }, errors),
        h(
          'p',
          { class: 'muted' },
          `Ask a caller for the verbal password before you tell them anything; if they give the duress word, they are not free to talk. ${LOGGED}`,
        ),
        errors,
      ),
    )
    .catch((e) => {
      box.append(errors);
      showActionError(errors, 'Could not load the premises', e);
    });
  return box;
}

/** `{ "5": "Cellar PIR" }` as the lines "5 = Cellar PIR", and back; a line without "=" is refused by name. */
const toLines = (map) =>
  Object.entries(map ?? {})
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n');
function fromLines(text, what) {
  const map = {};
  const problems = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf('=');
    if (at < 0) {
      problems.push(`line ${i + 1}: write it as "5 = ${what === 'zones' ? 'Cellar PIR' : 'Erik'}"`);
      continue;
    }
    map[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return { map, problems };
}

const LABELS = {
  notes: 'Notes',
  animals: 'Animals',
  access: 'Access',
  password: 'Verbal password',
  duressWord: 'Duress word',
  zones: 'Zone names',
  users: 'Panel user names',
};

/** The API's validation lines, put under their fields in words an operator reads ("Zone 5: name must not be blank"). */
function showErrors(form, messages) {
  for (const p of form.querySelectorAll('[data-error-for]')) p.textContent = '';
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
  const rest = [];
  let first;
  for (const m of messages) {
    const name = /^[A-Za-z]+/.exec(String(m))?.[0];
    const slot = name && form.querySelector(`[data-error-for="${name}"]`);
    if (!slot) {
      rest.push(m);
      continue;
    }
    const readable = String(m)
      .replace(/^(zones|users)\.(\S+) /, (_, f, k) => `${f === 'zones' ? 'Zone' : 'User'} ${k}: name `)
      .replace(/^(zones|users): /, '')
      .replace(/^[A-Za-z]+ /, (w) => `${LABELS[w.trim()] ?? w.trim()} `);
    slot.textContent = slot.textContent ? `${slot.textContent} ${readable}` : readable;
    const control = form.querySelector(`[name="${name}"]`);
    control?.setAttribute('aria-invalid', 'true');
    first ??= control;
  }
  const box = form.querySelector('.form-errors');
  box.replaceChildren(...rest.map((m) => h('div', {}, m)));
  box.hidden = rest.length === 0;
  first?.focus();
}

function premisesForm(p, onSaved, onCancel) {
  const secretField = (key, text) => {
    const f = field(p[key] ? `${text} (held; leave empty to keep)` : text, key, { multiline: key === 'access', autocomplete: 'off' });
    return h(
      'div',
      {},
      f,
      p[key] ? h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: `clear-${key}` }), `Remove the ${text.toLowerCase()}`) : '',
    );
  };
  const form = h(
    'form',
    { class: 'premises-form', 'aria-label': 'Edit premises', novalidate: true },
    h('div', { class: 'form-errors error-box', role: 'alert', hidden: true }),
    h(
      'div',
      { class: 'form-grid' },
      field('Notes', 'notes', { multiline: true, value: p.notes ?? '' }),
      field('Animals', 'animals', { value: p.animals ?? '' }),
      SECRETS.map(([key, text]) => secretField(key, text)),
      field('Zone names, one a line: 5 = Cellar PIR', 'zones', { multiline: true, value: toLines(p.zones) }),
      field('Panel user names, one a line: 2 = Erik', 'users', { multiline: true, value: toLines(p.users) }),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit' }, 'Save premises'),
      h('button', { type: 'button', class: 'secondary', onClick: onCancel }, 'Cancel'),
    ),
  );
  // field() sets value as an attribute, which a textarea ignores: give the text areas their text.
  for (const name of ['notes', 'zones', 'users']) form.querySelector(`[name="${name}"]`).value = name === 'notes' ? (p.notes ?? '') : toLines(p[name]);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = (n) => form.querySelector(`[name="${n}"]`).value.trim();
    const body = { notes: v('notes') || null, animals: v('animals') || null };
    for (const [key] of SECRETS) {
      if (form.querySelector(`[name="clear-${key}"]`)?.checked) body[key] = null;
      else if (v(key)) body[key] = v(key);
    }
    const problems = [];
    for (const what of ['zones', 'users']) {
      const parsed = fromLines(form.querySelector(`[name="${what}"]`).value, what);
      body[what] = parsed.map;
      problems.push(...parsed.problems.map((m) => `${what}: ${m}`));
    }
    if (problems.length) return showErrors(form, problems);
    try {
      onSaved(await put(`/api/customers/${p.customerId}/premises`, body));
    } catch (e) {
      showErrors(form, e.messages ?? [e.message]);
    }
  });
  return form;
}

/** The customer page's premises section, for those who may edit it and reveal its secrets (operators, supervisors, admins). */
export function customerPremisesSection(customerId) {
  const box = h('section', { class: 'card', 'aria-labelledby': 'premises-title', id: 'premises' });
  const errors = actionErrorBox();
  const show = (p, saved = false) => {
    const edit = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        id: 'premises-edit',
        onClick: () => {
          mount(
            box,
            h('h2', { id: 'premises-title' }, 'Premises'),
            premisesForm(
              p,
              (next) => show(next, true),
              () => show(p),
            ),
          );
          box.querySelector('textarea, input').focus();
        },
      },
      'Edit premises',
    );
    mount(
      box,
      h('h2', { id: 'premises-title' }, 'Premises'),
      saved ? h('p', { class: 'done-box', role: 'status', tabindex: '-1', id: 'premises-saved' }, 'Premises saved.') : '',
      facts(p, { withNames: true }, errors),
      h('p', { class: 'muted' }, LOGGED),
      errors,
      h('div', { class: 'actions' }, edit),
    );
    if (saved) box.querySelector('#premises-saved').focus();
  };
  get(`/api/customers/${customerId}/premises`)
    .then((p) => show(p))
    .catch((e) => {
      mount(box, h('h2', { id: 'premises-title' }, 'Premises'), errors);
      showActionError(errors, 'Could not load the premises', e);
    });
  return box;
}

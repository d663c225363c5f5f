// Operators working alarms together: who is handling an alarm (claim, hand-over, release), the
// phone calls made about it, and, in the queue, filters and storms of alarms handled as one group.
import { del, get, post } from './api.js';
import { announce, confirmInPage, field, fmtTime, h, label, showFieldErrors } from './dom.js';
import { me } from './session.js';
import { ALARM_CLASSES } from './alarm-format.js';

// ---------------------------------------------------------------- who is handling

/** The queue row's line: who is handling the alarm, if anyone. */
export function handlerLine(a) {
  if (!a.handler) return '';
  return h('div', { class: 'muted handler' }, a.handler.id === me()?.id ? 'Handled by you' : `Handled by ${a.handler.name}`);
}

/** Whom an alarm can be handed to, fetched once a page (it changes when the admin edits accounts). */
let handlersCache = null;
const handlers = () =>
  (handlersCache ??= get('/api/alarm-handlers')
    .then((r) => r.items)
    .catch((e) => ((handlersCache = null), Promise.reject(e))));

/**
 * The alarm page's "Handling" card: who has it, and Claim / Take over / Release / Hand over.
 * Taking over someone else's claim is allowed (an operator may have left) and the timeline says so.
 * `render(updated, keepInputs, done)` is the alarm page's redraw.
 */
export function handlingCard(a, calls, render) {
  const mine = a.handler?.id === me()?.id;
  const errors = h('div', { class: 'form-errors error-box', role: 'alert', hidden: true });
  const card = h('section', { class: 'card handling', 'aria-labelledby': 'alarm-handling' }, h('h2', { id: 'alarm-handling' }, 'Handling'));
  const act = async (request, done) => {
    try {
      render(await request(), false, done);
      announce(done);
    } catch (e) {
      showFieldErrors(card, e.messages ?? [e.message]);
    }
  };
  const who = a.handler ? (mine ? 'You are handling this alarm.' : `${a.handler.name} is handling this alarm.`) : 'Nobody is handling this alarm.';
  card.append(h('p', { id: 'alarm-handler', class: a.handler ? '' : 'muted' }, who), errors);
  if (a.status === 'open') {
    const buttons = h('div', { class: 'actions' });
    if (!mine) {
      buttons.append(
        h(
          'button',
          { type: 'button', dataset: { action: 'claim' }, onClick: () => act(() => post(`/api/alarms/${a.id}/claim`), 'You are handling this alarm') },
          a.handler ? `Take over from ${a.handler.name}` : 'Claim',
        ),
      );
    }
    if (a.handler) {
      buttons.append(
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            dataset: { action: 'release' },
            onClick: () => act(() => del(`/api/alarms/${a.id}/claim`), 'Released: nobody is handling this alarm'),
          },
          'Release',
        ),
      );
    }
    card.append(buttons);
    const select = h('select', { id: 'f-handOverTo', name: 'handOverTo', 'aria-describedby': 'f-handOverTo-err' }, h('option', { value: '' }, 'Loading…'));
    handlers().then(
      (items) => {
        const others = items.filter((o) => o.id !== a.handler?.id);
        select.replaceChildren(
          h('option', { value: '' }, 'Choose an operator'),
          ...others.map((o) => h('option', { value: o.id }, o.id === me()?.id ? `${o.name} (you)` : o.name)),
        );
        // A live redraw filled the list after the page restored the choice: restore it here.
        if (select.dataset.wanted && others.some((o) => o.id === select.dataset.wanted)) select.value = select.dataset.wanted;
      },
      () => select.replaceChildren(h('option', { value: '' }, 'Could not load the operators')),
    );
    card.append(
      h(
        'div',
        { class: 'actions' },
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'f-handOverTo' }, 'Hand over to'),
          select,
          h('p', { class: 'field-error', id: 'f-handOverTo-err', dataset: { errorFor: 'handOverTo' } }),
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            dataset: { action: 'hand_over' },
            onClick: () => {
              const operatorId = select.value;
              if (!operatorId) return showFieldErrors(card, ['Choose whom to hand the alarm to.']);
              const name = select.selectedOptions[0]?.textContent ?? 'them';
              act(() => post(`/api/alarms/${a.id}/claim`, { operatorId }), `Handed over to ${name}`);
            },
          },
          'Hand over',
        ),
      ),
    );
    // Remember a choice across live redraws (the list arrives after the page put the value back).
    select.addEventListener('change', () => (select.dataset.wanted = select.value));
  }
  if (calls.panel) card.append(calls.panel());
  return card;
}

// ---------------------------------------------------------------- calls

const OUTCOMES = [
  ['reached', 'Reached'],
  ['no_answer', 'No answer'],
  ['busy', 'Busy'],
  ['wrong_number', 'Wrong number'],
  ['voicemail', 'Voicemail'],
];

/** Which call form is open on which alarm: kept through the page's live redraws. */
const openCall = new Map();

const targetKey = (t) => (t.to === 'contact' ? `contact-${t.contactId}` : t.to);

/**
 * Call logging for one alarm page: `button(target, who)` next to each phone number, and `panel()`
 * with the central's own numbers (112, guard, other) and the open call form. A call that reached
 * the owner or a contact acknowledges the alarm, as "Owner reached" does.
 */
export function callLog(a, render) {
  if (a.status !== 'open') return { button: () => '', panel: null };
  const open = (target, who) => {
    openCall.set(a.id, { target, who });
    render(a, true);
    document.querySelector('#call-form [data-action="outcome-reached"]')?.focus();
  };
  const button = (target, who) =>
    h(
      'button',
      {
        type: 'button',
        class: 'secondary call-log',
        dataset: { action: `call-${targetKey(target)}` },
        'aria-label': `Log call to ${who}`,
        onClick: () => open(target, who),
      },
      'Log call',
    );

  const panel = () => {
    const current = openCall.get(a.id);
    const box = h('div', { class: 'calls' }, h('h3', { id: 'alarm-calls' }, 'Log a call'));
    box.append(
      h(
        'div',
        { class: 'actions', role: 'group', 'aria-labelledby': 'alarm-calls' },
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            dataset: { action: 'call-emergency' },
            onClick: () => open({ to: 'emergency', number: '112' }, 'Emergency 112'),
          },
          'Emergency 112',
        ),
        h('button', { type: 'button', class: 'secondary', dataset: { action: 'call-guard' }, onClick: () => open({ to: 'guard' }, 'the guard') }, 'Guard'),
        h(
          'button',
          { type: 'button', class: 'secondary', dataset: { action: 'call-other' }, onClick: () => open({ to: 'other' }, 'another number') },
          'Other number',
        ),
      ),
    );
    if (current) box.append(callForm(a, current, render));
    return box;
  };
  return { button, panel };
}

function callForm(a, { target, who }, render) {
  const askNumber = ['guard', 'other'].includes(target.to);
  const form = h(
    'form',
    { id: 'call-form', class: 'call-form', 'aria-labelledby': 'call-form-title' },
    h('h4', { id: 'call-form-title' }, `Call to ${who}: how did it go?`),
    h('div', { class: 'form-errors error-box', role: 'alert', hidden: true }),
    askNumber ? field('Number called (optional)', 'callNumber', { type: 'tel', placeholder: '+46…' }) : '',
    field('Note (optional)', 'callNote'),
  );
  const submit = async (outcome) => {
    const note = form.querySelector('[name="callNote"]').value.trim() || undefined;
    const number = askNumber ? form.querySelector('[name="callNumber"]').value.trim() || undefined : target.number;
    try {
      const res = await post(`/api/alarms/${a.id}/calls`, {
        to: target.to,
        ...(target.contactId ? { contactId: target.contactId } : {}),
        ...(number ? { number } : {}),
        outcome,
        ...(note ? { note } : {}),
      });
      openCall.delete(a.id);
      const at = res.alarm.timeline.findLast((e) => e.type === 'call')?.at;
      const done = `Call to ${who} recorded: ${OUTCOMES.find(([k]) => k === outcome)[1]}${at ? ` at ${fmtTime(at).slice(-8)}` : ''}.`;
      render(res.alarm, false, done);
      announce(done);
    } catch (e) {
      showFieldErrors(form, e.messages ?? [e.message]);
    }
  };
  form.append(
    h(
      'div',
      { class: 'actions', role: 'group', 'aria-label': 'Outcome' },
      OUTCOMES.map(([outcome, text]) => h('button', { type: 'button', dataset: { action: `outcome-${outcome}` }, onClick: () => submit(outcome) }, text)),
    ),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          dataset: { action: 'call-cancel' },
          onClick: () => {
            openCall.delete(a.id);
            render(a, true);
            document.querySelector(`[data-action="call-${targetKey(target)}"]`)?.focus();
          },
        },
        'Cancel',
      ),
    ),
  );
  form.addEventListener('submit', (e) => e.preventDefault());
  return form;
}

// ---------------------------------------------------------------- the timeline

const callee = (e) =>
  e.to === 'owner'
    ? 'the owner'
    : e.to === 'contact'
      ? (e.contactName ?? 'a contact')
      : e.to === 'emergency'
        ? 'emergency services'
        : e.to === 'guard'
          ? 'the guard'
          : 'another number';

/** " while Y was handling", for an entry by someone other than the alarm's handler. */
export const whileHandling = (e) => (e.handlerName ? ` while ${e.handlerName} was handling` : '');

/** The timeline's words for calls and claims; null for the entries alarm-page.js words itself. */
export function handlingTimelineText(e) {
  switch (e.type) {
    case 'call':
      return [
        `Call to ${callee(e)}${e.number ? ` (${e.number})` : ''}: ${OUTCOMES.find(([k]) => k === e.outcome)?.[1] ?? label(e.outcome)}, by ${e.operatorName ?? 'operator'}${whileHandling(e)}`,
        e.note ? h('div', {}, e.note) : '',
      ];
    case 'claimed':
      if (e.handOver)
        return [`Handed over to ${e.handlerName} by ${e.operatorName}${e.takeOver && e.previousHandlerName ? ` (taken from ${e.previousHandlerName})` : ''}`];
      return [e.takeOver ? `Taken over by ${e.handlerName} from ${e.previousHandlerName}` : `Claimed by ${e.handlerName}`];
    case 'released':
      return [e.operatorName === e.previousHandlerName ? `Released by ${e.operatorName}` : `Released by ${e.operatorName} (was ${e.previousHandlerName})`];
    default:
      return null;
  }
}

// ---------------------------------------------------------------- the queue: filters and groups

const STAGES = ['owner', 'contacts', 'unreached', 'acknowledged'];
const filters = { class: '', stage: '', handler: 'all' };

/** A storm: this many alarms or more of one class ... */
const GROUP_MIN = 3;
/** ... each within this long of the one before (a power cut's mains-loss alarms). */
const GROUP_GAP_MS = 2 * 60 * 1000;
/** Every panic or duress alarm may be a life: never folded into a group. */
const NEVER_GROUPED = ['panic', 'duress'];

const expanded = new Set();
const bulkNotes = new Map();

/** The queue's filter bar (class, stage, handler); `onChange` redraws the queue. Made once per queue page. */
export function queueControls(onChange) {
  const select = (labelText, key, options) => {
    const id = `queue-filter-${key}`;
    const control = h(
      'select',
      { id, name: id, onChange: () => ((filters[key] = control.value), onChange()) },
      options.map(([v, t]) => h('option', { value: v, selected: filters[key] === v }, t)),
    );
    return h('div', { class: 'field' }, h('label', { for: id }, labelText), control);
  };
  return h(
    'div',
    { class: 'queue-controls' },
    h(
      'div',
      { class: 'actions queue-filters', role: 'group', 'aria-label': 'Filter the queue' },
      select('Class', 'class', [['', 'All classes'], ...ALARM_CLASSES.map((c) => [c, label(c)])]),
      select('Stage', 'stage', [['', 'All stages'], ...STAGES.map((s) => [s, label(s)])]),
      select('Handler', 'handler', [
        ['all', 'Anyone'],
        ['mine', 'Mine'],
        ['unclaimed', 'Unclaimed'],
      ]),
    ),
    h('p', { class: 'done-box', id: 'bulk-result', role: 'status', hidden: true }),
  );
}

const matches = (a) =>
  (!filters.class || a.class === filters.class) &&
  (!filters.stage || a.stage === filters.stage) &&
  (filters.handler === 'all' || (filters.handler === 'mine' ? a.handler?.id === me()?.id : !a.handler));

/** Storms: runs of alarms of one class and cause, each within GROUP_GAP_MS of the previous, at least GROUP_MIN long. */
function storms(alarms) {
  // Same class and the same reason (the panel code, or why the system opened it): one cause, many panels.
  const byClass = new Map();
  for (const a of alarms) {
    if (NEVER_GROUPED.includes(a.class)) continue;
    const cause = `${a.class}|${a.trigger?.code ?? a.reason ?? ''}`;
    byClass.set(cause, [...(byClass.get(cause) ?? []), a]);
  }
  const groups = [];
  for (const list of byClass.values()) {
    const sorted = [...list].sort((x, y) => Date.parse(x.openedAt) - Date.parse(y.openedAt));
    let run = [];
    for (const a of sorted) {
      if (run.length && Date.parse(a.openedAt) - Date.parse(run[run.length - 1].openedAt) > GROUP_GAP_MS) {
        if (run.length >= GROUP_MIN) groups.push(run);
        run = [];
      }
      run.push(a);
    }
    if (run.length >= GROUP_MIN) groups.push(run);
  }
  return groups;
}

/**
 * The queue's rows: filtered, with each storm as one collapsible group (where its worst alarm
 * stands), whose bulk action is recorded on every alarm in it. `rowFor(a)` is the plain row.
 */
export function arrangeQueue(alarms, rowFor) {
  const shown = alarms.filter(matches);
  if (alarms.length && !shown.length) return [h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No open alarm matches the filters.'))];
  const groupOf = new Map();
  for (const g of storms(shown)) for (const a of g) groupOf.set(a.id, g);
  const refocus = document.activeElement?.dataset?.groupControl;
  const rows = [];
  const done = new Set();
  for (const a of shown) {
    const group = groupOf.get(a.id);
    if (!group) {
      rows.push(rowFor(a));
      continue;
    }
    if (done.has(group)) continue;
    done.add(group);
    // The group keeps its name while alarms join it: the class and its first alarm.
    const key = `${group[0].class}:${group[0].id}`;
    const members = shown.filter((x) => groupOf.get(x.id) === group);
    const open = expanded.has(key);
    rows.push(groupRow(key, members, open));
    for (const m of members) {
      const row = rowFor(m);
      row.classList.add('group-member');
      row.dataset.group = key;
      row.hidden = !open;
      rows.push(row);
    }
  }
  if (refocus) queueMicrotask(() => document.querySelector(`[data-group-control="${CSS.escape(refocus)}"]`)?.focus());
  return rows;
}

const BULK = [
  ['owner_reached', 'Acknowledge on the owners\u2019 behalf'],
  ['resolved', 'Resolve (with a note)'],
  ['false_alarm', 'False alarm'],
];

function groupRow(key, members, open) {
  const cls = label(members[0].class);
  const first = members.reduce((x, y) => (Date.parse(x.openedAt) <= Date.parse(y.openedAt) ? x : y));
  const last = members.reduce((x, y) => (Date.parse(x.openedAt) >= Date.parse(y.openedAt) ? x : y));
  const n = members.length;
  const id = `group-${members[0].id}`;
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'secondary group-toggle',
      'aria-expanded': String(open),
      dataset: { groupControl: `${key}:toggle` },
      onClick: () => {
        if (expanded.has(key)) expanded.delete(key);
        else expanded.add(key);
        const rows = toggle.closest('tbody').querySelectorAll(`tr[data-group="${CSS.escape(key)}"]`);
        const nowOpen = expanded.has(key);
        for (const r of rows) r.hidden = !nowOpen;
        toggle.setAttribute('aria-expanded', String(nowOpen));
        toggle.textContent = nowOpen ? 'Hide alarms' : 'Show alarms';
      },
    },
    open ? 'Hide alarms' : 'Show alarms',
  );
  const action = h(
    'select',
    { id: `${id}-action`, name: `${id}-action`, dataset: { groupControl: `${key}:action` } },
    BULK.map(([v, t]) => h('option', { value: v }, t)),
  );
  const note = h('input', {
    id: `${id}-note`,
    name: `${id}-note`,
    type: 'text',
    autocomplete: 'off',
    value: bulkNotes.get(key) ?? '',
    dataset: { groupControl: `${key}:note` },
    onInput: () => bulkNotes.set(key, note.value),
  });
  const errors = h('div', { class: 'form-errors error-box', role: 'alert', hidden: true });
  const apply = h(
    'button',
    {
      type: 'button',
      dataset: { groupControl: `${key}:apply` },
      onClick: async () => {
        const chosen = action.value;
        const text = note.value.trim() || undefined;
        if (chosen === 'resolved' && !text)
          return showFieldErrors(errors.parentElement, [`note is required to resolve: say how the ${n} alarms were resolved`]);
        const sure = await confirmInPage({
          title: `${BULK.find(([v]) => v === chosen)[1]}: ${n} ${cls} alarms?`,
          text: `It is recorded on each of the ${n} alarms${text ? ', with your note' : ''}.${chosen === 'owner_reached' ? '' : ' They close and cannot be reopened.'}`,
          confirm: `Yes, all ${n}`,
        });
        if (!sure) return;
        try {
          const res = await post('/api/alarms/actions', { alarmIds: members.map((m) => m.id), action: chosen, ...(text ? { note: text } : {}) });
          const ok = res.items.filter((i) => i.status === 'ok').length;
          bulkNotes.delete(key);
          const failed = res.items
            .filter((i) => i.status !== 'ok')
            .map((i) => i.error?.message)
            .filter(Boolean);
          const said = `${label(chosen)}: recorded on ${ok} of ${res.total} ${cls} alarms.${failed.length ? ` Not on the rest: ${failed.join('; ')}` : ''}`;
          const box = document.getElementById('bulk-result');
          if (box) {
            box.textContent = said;
            box.hidden = false;
          }
          announce(said);
        } catch (e) {
          showFieldErrors(errors.parentElement, e.messages ?? [e.message]);
        }
      },
    },
    `Apply to all ${n}`,
  );
  return h(
    'tr',
    { class: 'alarm-group', dataset: { groupKey: key } },
    h(
      'td',
      { colspan: 6 },
      h(
        'div',
        { class: 'group-head' },
        h('strong', {}, `${cls.charAt(0).toUpperCase()}${cls.slice(1)}: ${n} alarms`),
        ` arrived together, ${fmtTime(first.openedAt)} to ${fmtTime(last.openedAt)}. `,
        toggle,
      ),
      h(
        'div',
        { class: 'actions group-bulk', role: 'group', 'aria-label': `One action for all ${n} ${cls} alarms` },
        errors,
        h('div', { class: 'field' }, h('label', { for: `${id}-action` }, 'Action'), action),
        h('div', { class: 'field' }, h('label', { for: `${id}-note` }, 'Note for each alarm'), note),
        apply,
      ),
    ),
  );
}

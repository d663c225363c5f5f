// The alarm queue (live over server-sent events) and one alarm with its timeline and actions.
import { ApiError, get, post } from './api.js';
import { actionPlanSection, contactPhone, isSilentAlarm, ownerPhone, silentCaution } from './action-plan.js';
import { unopenedAlarmsChanged } from './attention.js';
import { address, age, confirmInPage, countdown, field, fmtTime, h, label, mount, pill, showFieldErrors, smsStatusPill, stagePill } from './dom.js';
import { alarmPremisesBox } from './premises.js';
import { userText, zoneText } from './format.js';
// Who is handling, calls, queue filters and storm groups (handling.js).
import { arrangeQueue, callLog, handlerLine, handlingCard, handlingTimelineText, queueControls, whileHandling } from './handling.js';

const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);
const announcer = () => document.getElementById('announcer');

/** Shared live state: the open alarms (each with who has been texted) and which are new to this operator. */
const live = {
  source: null,
  alarms: [],
  known: null,
  fresh: new Set(),
  listeners: new Set(),
  refetch: null,
  dirty: false,
  /** All open alarms, of which `alarms` holds the worst QUEUE_LIMIT. */
  total: 0,
  /** When the queue was last loaded, and why the last try failed (null when it did not). */
  loadedAt: null,
  loadError: null,
  retry: null,
  streamUp: false,
};

/** The queue shows this many of the worst; when there are more it says so. */
const QUEUE_LIMIT = 200;

export function startQueueFeed() {
  if (live.source) return;
  live.source = new EventSource('/api/alarms/stream');
  live.source.addEventListener('alarm', (ev) => {
    let alarm;
    try {
      alarm = JSON.parse(ev.data);
    } catch {
      return;
    }
    scheduleRefetch();
    for (const fn of live.listeners) fn(alarm);
  });
  // EventSource reconnects by itself; after a gap, refetch so nothing missed stays missed.
  live.source.addEventListener('open', () => {
    live.streamUp = true;
    feedStatus();
    scheduleRefetch();
  });
  live.source.addEventListener('error', () => {
    live.streamUp = false;
    feedStatus();
    // EventSource gives up for good on an answer that is not a stream (401 once the session is gone,
    // 503): ask who is logged in, which shows the login page on 401, and otherwise try again.
    if (live.source?.readyState === EventSource.CLOSED) void sessionCheck(true);
  });
  // The server ends the stream when the session ends (logout elsewhere, disabled, new role or password).
  live.source.addEventListener('session_ended', () => {
    live.source?.close();
    void sessionCheck(false);
  });
  // A safety net under the live feed: a lost event or a dead connection costs at most this long.
  live.poll = setInterval(() => void refetchQueue(), 15_000);
  void refetchQueue();
}

/** After the stream closed for good: the login page if the session is gone (api.js on 401), else a new stream. */
async function sessionCheck(reopen) {
  try {
    await get('/api/auth/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
  }
  if (!live.source) return;
  clearTimeout(live.reopen);
  live.reopen = setTimeout(
    () => {
      if (!live.source) return;
      stopQueueFeed();
      startQueueFeed();
    },
    reopen ? 5000 : 0,
  );
}

/**
 * Calls `fn` with each alarm that changes (the live feed's view of it) for as long as `element` is on
 * the page: another page showing alarms stays live without a feed of its own.
 */
export function whileShown(element, fn) {
  const listener = (alarm) => {
    if (!element.isConnected) live.listeners.delete(listener);
    else fn(alarm);
  };
  live.listeners.add(listener);
}

/**
 * Says plainly when the queue is not live, so nobody trusts a stale screen: the stream can be up
 * while the alarms cannot be read (the database is down), and that is not live either.
 */
function feedStatus() {
  const el = document.getElementById('feed-status');
  if (!el) return;
  el.hidden = false;
  el.textContent = !live.streamUp ? 'Not live: reconnecting…' : live.loadError ? 'Not up to date' : 'Live';
  el.classList.toggle('down', !live.streamUp || !!live.loadError);
}

/** The feed stays on while logged in (a new alarm must be noticed on every page); closed at logout. */
export function stopQueueFeed() {
  clearInterval(live.poll);
  clearTimeout(live.reopen);
  clearTimeout(live.refetch);
  clearTimeout(live.retry);
  live.refetch = null;
  live.retry = null;
  live.streamUp = false;
  live.loadedAt = null;
  live.loadError = null;
  const status = document.getElementById('feed-status');
  if (status) status.hidden = true;
  live.source?.close();
  live.source = null;
  live.known = null;
  live.fresh.clear();
  updateTitle();
}

/**
 * At most one refetch of the queue per 100 ms while changes keep coming, and never two at once. Not
 * a debounce: that waits for a quiet moment, and an alarm storm never gives one.
 */
function scheduleRefetch() {
  live.dirty = true;
  if (live.refetch) return;
  live.refetch = setTimeout(async () => {
    live.dirty = false;
    await refetchQueue();
    live.refetch = null;
    if (live.dirty && live.source) scheduleRefetch();
  }, 100);
}

async function refetchQueue() {
  let list;
  try {
    list = await get(`/api/alarms?status=open&limit=${QUEUE_LIMIT}`);
  } catch (e) {
    // Never an empty "no open alarms" because the list could not be read: say so, keep showing the
    // last list with its time, and try again soon (the 15 s poll is too slow for this).
    live.loadError = e instanceof ApiError ? e.message : 'the server cannot be reached';
    if (!live.retry && live.source) {
      live.retry = setTimeout(() => {
        live.retry = null;
        if (live.source) void refetchQueue();
      }, 3000);
    }
    feedStatus();
    renderQueueIfShown();
    return;
  }
  live.loadError = null;
  live.loadedAt = new Date().toISOString();
  live.total = list.total;
  feedStatus();
  const ids = new Set(list.items.map((a) => a.id));
  if (live.known) {
    const added = list.items.filter((a) => !live.known.has(a.id));
    for (const a of added) live.fresh.add(a.id);
    if (added.length) notifyNew(added);
  }
  for (const id of live.fresh) if (!ids.has(id)) live.fresh.delete(id);
  live.known = ids;
  live.alarms = list.items;
  updateTitle();
  renderQueueIfShown();
}

function updateTitle() {
  const n = live.fresh.size;
  document.title = n ? `(${n} new) Keyholder` : 'Keyholder';
  const banner = document.getElementById('new-alarms');
  if (banner) {
    banner.hidden = n === 0;
    banner.textContent = n === 1 ? '1 new alarm' : `${n} new alarms`;
  }
  unopenedAlarmsChanged(live.alarms.filter((a) => live.fresh.has(a.id)));
}

/** The open alarms in the queue's order (worst first), for the keyboard's next and previous. */
export const queueOrder = () => live.alarms;

function notifyNew(added) {
  announcer().textContent = `New alarm: ${added.map((a) => `${label(a.class)} at ${address(a.customer?.alarmAddress)}`).join('; ')}`;
}

let queueRoot = null;

function renderQueueIfShown() {
  if (!queueRoot || !queueRoot.isConnected) return;
  const focusedId = document.activeElement?.closest?.('tr')?.dataset?.alarmId;
  const rows = arrangeQueue(live.alarms, (a) => {
    // Who has been texted comes with each alarm (owner, or the contact by name), oldest first.
    const texted = (a.texted ?? []).map((t) => ({ who: t.to === 'owner' ? 'Owner' : (t.name ?? 'Contact'), status: t.status }));
    const isNew = live.fresh.has(a.id);
    const open = () => {
      live.fresh.delete(a.id);
      updateTitle();
      location.hash = `#/alarms/${a.id}`;
    };
    return h(
      'tr',
      {
        class: `alarm-row prio-${a.priority} stage-${a.stage}${isNew ? ' new-alarm' : ''}`,
        dataset: { alarmId: a.id },
        onClick: open,
      },
      h(
        'td',
        {},
        isNew ? h('span', { class: 'new-badge' }, 'NEW') : '',
        h(
          'a',
          {
            href: `#/alarms/${a.id}`,
            class: 'class-name',
            onClick: (e) => {
              e.preventDefault();
              open();
            },
          },
          label(a.class),
        ),
        h('div', { class: 'muted trigger' }, [zoneText(a.zone, a.zoneName), trigger(a)].filter(Boolean).join(' · ')),
      ),
      h(
        'td',
        {},
        stagePill(a.stage, a),
        restoredPill(a),
        a.stage === 'acknowledged' && a.acknowledgedBy ? h('div', { class: 'muted acknowledged-by' }, `by ${acknowledgedBy(a.acknowledgedBy)}`) : '',
        handlerLine(a),
      ),
      h('td', {}, a.customer?.name ?? ''),
      h('td', {}, address(a.customer?.alarmAddress)),
      h('td', { class: 'nowrap' }, age(a.openedAt)),
      h(
        'td',
        { class: 'texted' },
        texted.length ? texted.map((t, i) => [i ? ', ' : '', `${t.who} `, smsStatusPill(t.status)]) : h('span', { class: 'muted' }, 'nobody'),
      ),
    );
  });
  // Before the first load: nothing is known yet, which is not the same as "no open alarms".
  const problem = live.loadError
    ? h(
        'div',
        { class: 'error-box', role: 'alert', id: 'queue-problem' },
        live.loadedAt
          ? `Not up to date: the queue could not be reloaded (${live.loadError}). Shown as it was at ${fmtTime(live.loadedAt)}. Retrying…`
          : `Could not load the open alarms (${live.loadError}). Retrying…`,
      )
    : '';
  const more =
    live.total > live.alarms.length
      ? h('p', { class: 'warn-box', role: 'status', id: 'queue-more' }, `Showing the ${live.alarms.length} worst of ${live.total} open alarms.`)
      : '';
  const table = !live.loadedAt
    ? live.loadError
      ? ''
      : h('p', { class: 'empty' }, 'Loading open alarms…')
    : live.alarms.length
      ? h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'queue', 'aria-label': 'Open alarms, worst first' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Alarm', 'Stage', 'Customer', 'Alarm address', 'Age', 'Texted'].map((t) => h('th', { scope: 'col' }, t)),
              ),
            ),
            h('tbody', {}, rows),
          ),
        )
      : h('p', { class: 'empty' }, 'No open alarms.');
  mount(queueRoot, problem, more, table);
  const count = document.getElementById('queue-count');
  if (count) count.textContent = live.loadedAt ? `(${live.total})` : '';
  if (focusedId) queueRoot.querySelector(`tr[data-alarm-id="${focusedId}"] a`)?.focus();
}

export async function queuePage(main) {
  queueRoot = h('div', { id: 'queue' });
  mount(main, h('h1', {}, 'Open alarms ', h('span', { class: 'muted', id: 'queue-count' })), queueControls(renderQueueIfShown), queueRoot);
  startQueueFeed();
  await refetchQueue();
  renderQueueIfShown();
}

// ---------------------------------------------------------------- one alarm

function timelineItem(e, names) {
  const who = (contactId) => (contactId ? (names.get(contactId) ?? 'contact') : 'owner');
  let text;
  switch (e.type) {
    case 'event':
      text = [
        `Panel event ${e.code} (${label(e.class)}${e.restore ? ', restore' : ''})`,
        e.zone ? ` ${zoneText(e.zone, e.zoneName)}` : '',
        e.user ? `, ${e.userName ? userText(e.user, e.userName) : `user ${e.user}`}` : '',
        e.text ? `: ${e.text}` : '',
      ];
      break;
    case 'opened':
      text = [`Alarm opened: ${label(e.class)} (${label(e.stage)})`];
      break;
    case 'stage':
      text = [`Stage changed to ${label(e.stage)}`, e.reason ? ` (${label(e.reason)})` : ''];
      break;
    case 'step_skipped':
      text = [`Step skipped${e.contactId ? ` (${who(e.contactId)})` : e.step === 0 ? ' (owner)' : ''}: ${label(e.reason)}`];
      break;
    case 'sms':
      text = [`SMS to ${who(e.contactId)} (${e.to}) `, smsStatusPill(e.status), h('div', { class: 'muted' }, e.body)];
      break;
    case 'reply':
      text = [`Reply from ${who(e.contactId)} (${e.from}): "${e.body}"`];
      break;
    case 'acknowledged':
      text = [`Acknowledged by ${acknowledgedBy(e.by)}`];
      break;
    case 'action':
      text = [
        `${label(e.action)} by ${e.operatorName ?? 'operator'}${whileHandling(e)}`,
        e.contactId ? `: ${who(e.contactId)}` : '',
        e.partner ? `: ${e.partner}` : '',
        e.note ? h('div', {}, e.note) : '',
      ];
      break;
    case 'step_done':
      text = [`Plan step ${e.step + 1} done by ${e.operatorName ?? 'operator'}: ${e.text}`];
      break;
    case 'closed':
      text = [`Closed (${label(e.action)})`];
      break;
    default:
      text = handlingTimelineText(e) ?? [label(e.type)];
  }
  return h('li', { class: `t-${e.type}` }, h('time', { datetime: e.at }, fmtTime(e.at)), text);
}

/** What the page says an action recorded, unless the action says more ("Guard dispatched (Securitas) recorded"). */
const recordedText = (body) => `${label(body.action)} recorded`;

/** Who acknowledged, and how: "the owner (reply code)", "Eva (operator reached them)", "a disarm at the panel (user 2, keypad)". */
function acknowledgedBy(by = {}) {
  if (by.type === 'panel') {
    const how = [by.user ? `user ${by.user}` : '', by.method ?? ''].filter(Boolean).join(', ');
    return `a disarm at the panel${how ? ` (${how})` : ''}`;
  }
  const whom = by.type === 'owner' ? 'the owner' : (by.name ?? 'a contact');
  return `${whom}${by.via === 'operator' ? ' (operator reached them)' : by.via === 'reply_code' ? ' (reply code)' : ''}`;
}

/** The panel reported the condition over (a BR after a BA): the alarm stays open, but it is worth knowing at a glance. */
function restoredPill(a, id) {
  if (!a.restored || a.status !== 'open') return '';
  return [
    ' ',
    h('span', { class: 'pill good restored', id, title: `Restored at the panel ${fmtTime(a.restoredAt)}` }, `Restored ${fmtTime(a.restoredAt).slice(-8)}`),
  ];
}

/** What set the alarm off: the first panel event's code and text, or why the system opened it. */
function trigger(a) {
  if (a.trigger) return `${a.trigger.code}${a.trigger.text ? `: ${a.trigger.text}` : ''}`;
  return a.reason ? cap(label(a.reason)) : '';
}

/** Where the escalation is and what happens next, in words, with a ticking countdown. */
function nextStep(a, chainContacts) {
  if (a.status !== 'open') return null;
  const esc = a.escalation ?? {};
  const wait = esc.nextStepAt ? [' Their wait ends ', fmtTime(esc.nextStepAt), ' (', countdown(esc.nextStepAt), ').'] : '';
  if (a.stage === 'owner') return esc.nextStepAt ? ['The owner has been texted.', wait] : 'The owner is being texted.';
  if (a.stage === 'contacts') {
    const chain = esc.chain ?? [];
    const name = chainContacts.find((c) => c.id === esc.contactId)?.name ?? 'a contact';
    return [`Contact ${chain.indexOf(esc.contactId) + 1} of ${chain.length} (${name}) has been texted.`, wait];
  }
  if (a.stage === 'unreached') {
    return TEXTS_NOBODY.includes(a.class) && !a.texted?.length
      ? 'Nobody is texted by itself: what happens is your decision.'
      : 'Nobody answered by SMS: the next step is yours.';
  }
  return 'Someone is on it. Close the alarm when it is over.';
}

export async function alarmPage(main, id) {
  const alarm = await get(`/api/alarms/${id}`);
  live.fresh.delete(id);
  updateTitle();
  const [customer, contacts] = await Promise.all([get(`/api/customers/${alarm.customerId}`), get(`/api/customers/${alarm.customerId}/contacts`)]);
  const names = new Map(contacts.items.map((c) => [c.id, c.name]));
  const view = h('div', { id: 'alarm-view' });
  const premisesBox = alarmPremisesBox(alarm.customerId);
  mount(main, view);

  // A live redraw keeps what the operator has chosen or typed; a redraw after their own action starts clean.
  // What the operator's last action here recorded: kept through live redraws (the action's own
  // change arrives as one a moment later), replaced by their next action.
  let lastDone = null;
  const render = (a, keepInputs = false, done = null) => {
    if (done) lastDone = done;
    const kept = keepInputs ? [...view.querySelectorAll('select[name], input[name], textarea[name]')].map((c) => [c.name, c.value]) : [];
    // ... and where the keyboard was: a live redraw must not take focus off the button about to be pressed.
    const focused = keepInputs && view.contains(document.activeElement) ? focusKey(document.activeElement) : null;
    const status = a.status === 'closed' ? pill('Closed', 'good') : stagePill(a.stage, a);
    const chain = a.escalation?.chain ?? [];
    const chainContacts = chain.map((cid) => contacts.items.find((c) => c.id === cid)).filter(Boolean);
    // The chain was frozen when the alarm opened: a contact added or reordered since does not change
    // who this alarm texts, so the page shows the alarm's order, and the rest apart.
    const outside = contacts.items.filter((c) => !chain.includes(c.id));
    const next = nextStep(a, chainContacts);
    const calls = callLog(a, render);
    const contactItem = (c) =>
      h(
        'li',
        {},
        `${c.name} (${c.relation ?? 'contact'}) `,
        contactPhone(a, c.phone, c.name),
        ' ',
        calls.button({ to: 'contact', contactId: c.id }, c.name),
        a.status === 'open' && c.id === a.escalation?.contactId ? [' ', pill('being texted now', 'warn')] : '',
        c.status === 'opted_out' ? [' ', pill('opted out', 'bad')] : '',
      );
    const facts = h(
      'section',
      { class: 'card', 'aria-labelledby': 'alarm-customer' },
      h('h2', { id: 'alarm-customer' }, 'Customer'),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Name'),
        h('dd', {}, h('a', { href: `#/customers/${customer.id}` }, customer.name)),
        h('dt', {}, 'Phone'),
        h('dd', {}, ownerPhone(a, customer.phone), isSilentAlarm(a) ? '' : [' ', calls.button({ to: 'owner' }, 'the owner')]),
        h('dt', {}, 'Alarm address'),
        h('dd', { class: 'alarm-address' }, address(customer.alarmAddress)),
        h('dt', {}, 'Panel'),
        h('dd', {}, a.panelLabel ?? a.panelId ?? ''),
        h('dt', {}, 'Zone'),
        h('dd', { id: 'alarm-zone' }, zoneText(a.zone, a.zoneName) || '-'),
        h('dt', {}, 'Opened'),
        h('dd', {}, fmtTime(a.openedAt), ' (', age(a.openedAt), ' ago)'),
        h('dt', {}, 'What'),
        h('dd', { id: 'alarm-trigger' }, trigger(a) || '-'),
        a.acknowledgedAt
          ? [h('dt', {}, 'Acknowledged'), h('dd', { id: 'alarm-acknowledged' }, `${fmtTime(a.acknowledgedAt)} by ${acknowledgedBy(a.acknowledgedBy ?? {})}`)]
          : '',
        next ? [h('dt', {}, 'Now'), h('dd', { id: 'alarm-next' }, next)] : '',
      ),
      h('h2', { id: 'alarm-contacts' }, "Contacts, in this alarm's order"),
      chainContacts.length
        ? h('ol', { class: 'contacts', 'aria-labelledby': 'alarm-contacts' }, chainContacts.map(contactItem))
        : h('p', { class: 'muted' }, 'No contact was active when this alarm opened.'),
      outside.length
        ? [
            h('p', { class: 'muted', id: 'alarm-outside' }, 'Not in this alarm (added after it opened, or opted out):'),
            h('ul', { class: 'contacts', 'aria-labelledby': 'alarm-outside' }, outside.map(contactItem)),
          ]
        : '',
    );
    // After the operator's own action: say in the page what was recorded, and put the focus there
    // (the buttons it was on are redrawn).
    const send = async (body, said = recordedText(body)) => {
      const updated = await post(`/api/alarms/${a.id}/actions`, body);
      // The time the server recorded, as the timeline shows it (the browser's clock may differ).
      const recorded = updated.timeline.findLast((e) => e.type === 'action' && e.action === body.action)?.at;
      render(updated, false, `${said}${recorded ? ` at ${fmtTime(recorded).slice(-8)}` : ''}.`);
    };
    const notify = mayNotifyContacts(a) ? { customerName: customer.name, first: chainContacts.find((c) => c.status !== 'opted_out')?.name } : null;
    const actions = a.status === 'open' ? actionsForm(a, chainContacts, send, notify) : noteOnly(a, send);
    mount(
      view,
      h('p', {}, h('a', { href: '#/queue' }, '← Queue')),
      h('h1', {}, `${cap(label(a.class))} alarm `, h('span', { id: 'alarm-stage' }, status), restoredPill(a, 'alarm-restored')),
      actionPlanSection(a, (step) => send({ action: 'step_done', step }, `Step ${step + 1} done`)),
      h(
        'div',
        { class: 'grid' },
        facts,
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'alarm-actions' },
          h('h2', { id: 'alarm-actions' }, a.status === 'open' ? 'Record an outcome' : 'Add a note'),
          lastDone ? h('p', { class: 'done-box', role: 'status', id: 'action-done', tabindex: '-1' }, lastDone) : '',
          actions,
        ),
        premisesBox,
        handlingCard(a, calls, render),
      ),
      h(
        'section',
        { 'aria-labelledby': 'alarm-timeline' },
        h('h2', { id: 'alarm-timeline' }, 'Timeline'),
        h('p', {}, h('a', { href: `#/messages?alarmId=${a.id}` }, 'Every SMS about this alarm')),
        h(
          'ol',
          { class: 'timeline', id: 'timeline' },
          a.timeline.map((e) => timelineItem(e, names)),
        ),
      ),
    );
    for (const [name, value] of kept) {
      const c = view.querySelector(`[name="${CSS.escape(name)}"]`);
      if (c && (c.tagName !== 'SELECT' || [...c.options].some((o) => o.value === value))) c.value = value;
    }
    if (focused) view.querySelector(focused)?.focus();
    if (done) view.querySelector('#action-done')?.focus();
  };
  render(alarm);

  // Live: any change of this alarm (an SMS status, a reply, a stage) redraws it.
  const onChange = async (changed) => {
    if (changed.id !== id) return;
    // Never redraw under an operator who is typing a note or choosing a contact: redraw when they leave the field.
    if (view.contains(document.activeElement) && document.activeElement.matches('input, textarea, select')) {
      document.activeElement.addEventListener('blur', () => void refresh(), { once: true });
      return;
    }
    await refresh();
  };
  const refresh = async () => {
    if (!view.isConnected) return;
    try {
      render(await get(`/api/alarms/${id}`), true);
    } catch {
      /* keep what is shown */
    }
  };
  whileShown(view, onChange);
}

/** A selector for the same control after a redraw (an action button, a named field or an element with an id). */
function focusKey(el) {
  if (el.dataset?.action) return `[data-action="${CSS.escape(el.dataset.action)}"]`;
  if (el.name) return `[name="${CSS.escape(el.name)}"]`;
  if (el.id) return `#${CSS.escape(el.id)}`;
  return null;
}

const TEXTS_NOBODY = ['panic', 'duress'];

/**
 * A panic or duress alarm texts nobody by itself (PRODUCT.md: contacts only on an operator's
 * decision). The decision is offered while it is still open: the alarm is open and unreached, it has
 * contacts, and none of them has been texted nor the decision taken (API.md's `notify_contacts`).
 */
function mayNotifyContacts(a) {
  if (a.status !== 'open' || !TEXTS_NOBODY.includes(a.class) || a.stage !== 'unreached') return false;
  if (!(a.escalation?.chain ?? []).length) return false;
  return !a.timeline.some((e) => (e.type === 'action' && e.action === 'notify_contacts') || (e.type === 'sms' && e.purpose === 'alarm_contact'));
}

/** The operator's decision to text the contacts of a panic or duress alarm: explained, then confirmed in the page. */
function notifyContactsBox(a, notify, submit) {
  const first = notify.first ? `, starting with ${notify.first}` : ', starting with the first';
  const button = h(
    'button',
    {
      type: 'button',
      dataset: { action: 'notify_contacts' },
      'aria-describedby': 'notify-contacts-text',
      onClick: async () => {
        const sure = await confirmInPage({
          title: `Text the contacts of ${notify.customerName}?`,
          text: `${silentCaution(a)} They are texted one at a time${first}, until one answers. The owner is not texted.`.trim(),
          confirm: 'Yes, text the contacts',
        });
        if (sure) await submit({ action: 'notify_contacts' }, 'Texting the contacts started');
      },
    },
    'Text the contacts',
  );
  return h(
    'div',
    { class: 'decision-box', id: 'notify-contacts' },
    h('p', { id: 'notify-contacts-text' }, `A ${label(a.class)} alarm texts nobody by itself. Text the contacts, one at a time${first}?`),
    h('div', { class: 'actions' }, button),
  );
}

function actionsForm(a, chainContacts, send, notify) {
  const form = h('form', { class: 'alarm-actions', 'aria-label': 'Alarm actions' }, h('div', { class: 'form-errors error-box', role: 'alert', hidden: true }));
  const submit = async (body, done = recordedText(body)) => {
    try {
      await send(body, done);
      document.getElementById('announcer').textContent = done;
    } catch (e) {
      // A live redraw may have replaced this form while a confirmation was open: say it where it is seen.
      const shown = form.isConnected ? form : (document.querySelector('#alarm-view form') ?? form);
      showFieldErrors(shown, e.messages ?? [e.message]);
    }
  };
  if (notify) form.append(notifyContactsBox(a, notify, submit));
  const noteValue = () => form.querySelector('[name="note"]').value.trim() || undefined;
  const quick = (action, text) => h('button', { type: 'button', dataset: { action }, onClick: () => submit({ action, note: noteValue() }) }, text);
  form.append(
    h(
      'div',
      { class: 'actions' },
      quick('owner_reached', 'Owner reached'),
      quick('emergency_services_called', 'Emergency services called'),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          dataset: { action: 'false_alarm' },
          onClick: async () => {
            // It closes the alarm for good, mid-escalation too: one slip of the mouse must not do that.
            const sure = await confirmInPage({
              title: 'Close this alarm as a false alarm?',
              text: `It cannot be reopened, and nobody more is texted about it.${a.stage === 'owner' || a.stage === 'contacts' ? ' Its escalation is still running and stops now.' : ''}`,
              confirm: 'Yes, close as false alarm',
            });
            if (sure) await submit({ action: 'false_alarm', note: noteValue() });
          },
        },
        'False alarm',
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      field('Contact reached', 'contactId', { options: chainContacts.map((c) => [c.id, `${c.name} (${c.phone})`]) }),
      h(
        'button',
        {
          type: 'button',
          dataset: { action: 'contact_reached' },
          disabled: !chainContacts.length,
          onClick: () => submit({ action: 'contact_reached', contactId: form.querySelector('[name="contactId"]').value, note: noteValue() }),
        },
        'Contact reached',
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      field('Guard company', 'partner', { placeholder: 'e.g. Securitas' }),
      h(
        'button',
        {
          type: 'button',
          dataset: { action: 'guard_dispatched' },
          onClick: () => {
            // An empty partner is sent as missing: the API's own message says what is needed.
            const partner = form.querySelector('[name="partner"]').value.trim() || undefined;
            submit({ action: 'guard_dispatched', partner, note: noteValue() }, `Guard dispatched (${partner}) recorded`);
          },
        },
        'Guard dispatched',
      ),
    ),
    field('Note', 'note', { multiline: true }),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          dataset: { action: 'note' },
          onClick: () => {
            if (!noteValue()) return showFieldErrors(form, ['note is required to add a note']);
            submit({ action: 'note', note: noteValue() });
          },
        },
        'Add note',
      ),
      h(
        'button',
        {
          type: 'button',
          dataset: { action: 'resolved' },
          onClick: () => {
            if (!noteValue()) return showFieldErrors(form, ['note is required to resolve: say how it was resolved']);
            submit({ action: 'resolved', note: noteValue() });
          },
        },
        'Resolve',
      ),
    ),
  );
  form.addEventListener('submit', (e) => e.preventDefault());
  return form;
}

function noteOnly(a, send) {
  const form = h(
    'form',
    { 'aria-label': 'Add a note' },
    h('p', {}, `Closed ${fmtTime(a.closedAt)}.`),
    h('div', { class: 'form-errors error-box', role: 'alert', hidden: true }),
    field('Note', 'note', { multiline: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Add note')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const note = form.querySelector('[name="note"]').value.trim();
    if (!note) return showFieldErrors(form, ['note is required']);
    try {
      await send({ action: 'note', note });
    } catch (err) {
      showFieldErrors(form, err.messages ?? [err.message]);
    }
  });
  return form;
}

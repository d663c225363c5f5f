// One alarm: its facts, timeline, plan, handling and the operator's actions, live while shown.
import { get, post } from './api.js';
import { live, updateTitle, whileShown } from './alarm-feed.js';
import { acknowledgedBy, cap, restoredPill, trigger } from './alarm-format.js';
import { actionPlanSection, contactPhone, isSilentAlarm, ownerPhone, silentCaution } from './action-plan.js';
import { address, age, confirmInPage, countdown, field, fmtTime, h, label, mount, pill, showFieldErrors, smsStatusPill, stagePill } from './dom.js';
import { alarmPremisesBox } from './premises.js';
import { userText, zoneText } from './format.js';
// Who is handling and the calls made (handling.js).
import { callLog, handlingCard, handlingTimelineText, whileHandling } from './handling.js';

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
 * A panic or duress alarm texts nobody by itself: its contacts only on an operator's decision
 * (docs/alarm-handling.md#panic-and-duress). The decision is offered while it is still open: the
 * alarm is open and unreached, it has contacts, and none of them has been texted nor the decision
 * taken (the `notify_contacts` action).
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

// DOM helpers. Text always goes in as text nodes (never innerHTML), so customer data cannot become markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function mount(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleString('sv-SE', { dateStyle: 'short', timeStyle: 'medium' });
}

export function fmtAge(iso, now = Date.now()) {
  if (!iso) return '';
  return fmtSeconds(Math.max(0, Math.floor((now - new Date(iso).getTime()) / 1000)));
}

/** Time left until `iso`: "in 0m 42s", or "due now" once it has passed. */
export function fmtCountdown(iso, now = Date.now()) {
  if (!iso) return '';
  const left = Math.ceil((new Date(iso).getTime() - now) / 1000);
  return left <= 0 ? 'due now' : `in ${fmtSeconds(left)}`;
}

function fmtSeconds(s) {
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const hh = Math.floor(s / 3600);
  s -= hh * 3600;
  const mm = Math.floor(s / 60);
  const ss = s - mm * 60;
  if (d) return `${d}d ${hh}h`;
  if (hh) return `${hh}h ${String(mm).padStart(2, '0')}m`;
  return `${mm}m ${String(ss).padStart(2, '0')}s`;
}

/** A ticking countdown, refreshed with the ages. */
export function countdown(iso) {
  return h('time', { class: 'countdown', datetime: iso, dataset: { until: iso } }, fmtCountdown(iso));
}

/** A ticking age: every element made here is refreshed once a second by the app. */
export function age(iso) {
  return h('time', { class: 'age', datetime: iso, dataset: { since: iso } }, fmtAge(iso));
}

export function address(a) {
  if (!a) return '';
  return [a.street, [a.postalCode, a.city].filter(Boolean).join(' '), a.country].filter(Boolean).join(', ');
}

export function telLink(phone) {
  return phone ? h('a', { href: `tel:${phone}` }, phone) : '';
}

export function pill(text, kind = '') {
  return h('span', { class: `pill ${kind}` }, text);
}

const LABELS = {
  owner: 'Owner stage',
  contacts: 'Contacts stage',
  unreached: 'Unreached',
  acknowledged: 'Acknowledged',
  owner_reached: 'Owner reached',
  contact_reached: 'Contact reached',
  guard_dispatched: 'Guard dispatched',
  emergency_services_called: 'Emergency services called',
  false_alarm: 'False alarm',
  resolved: 'Resolved',
  notify_contacts: 'Texting the contacts started',
  operator_decision: "operator's decision",
  sms_not_handed_over: 'the SMS could not be handed to the SMS provider in time',
  note: 'Note',
  alarm_owner: 'Alarm SMS to the owner',
  alarm_contact: 'Alarm SMS to a contact',
  contact_notice: 'Notice to a new contact',
  reply: 'Reply',
};
export const label = (key) => LABELS[key] ?? String(key ?? '').replace(/_/g, ' ');

export function stagePill(stage, alarm = {}) {
  // Panic and duress text nobody by themselves and open "unreached": until the operator has the
  // contacts texted, that is not a failure to reach anyone, it is the operator's turn.
  if (stage === 'unreached' && ['panic', 'duress'].includes(alarm.class) && !alarm.texted?.length) return pill('Needs operator: nobody texted', 'bad');
  const kind = stage === 'unreached' ? 'bad' : stage === 'acknowledged' ? 'good' : 'warn';
  return pill(label(stage), kind);
}

export function smsStatusPill(status) {
  const kind = ['failed', 'undelivered', 'refused'].includes(status) ? 'bad' : status === 'delivered' ? 'good' : 'warn';
  return pill(status, kind);
}

/** A labelled input; `errorFor` fills the error line below it. */
export function field(labelText, name, attrs = {}) {
  const id = `f-${name.replace(/\./g, '-')}`;
  const control =
    attrs.options !== undefined
      ? h(
          'select',
          { id, name, 'aria-describedby': `${id}-err` },
          attrs.options.map(([v, t]) => h('option', { value: v, selected: v === attrs.value }, t)),
        )
      : h(attrs.multiline ? 'textarea' : 'input', {
          id,
          name,
          type: attrs.type ?? 'text',
          value: attrs.value ?? '',
          required: attrs.required,
          autocomplete: attrs.autocomplete ?? 'off',
          'aria-describedby': `${id}-err`,
          placeholder: attrs.placeholder,
        });
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, labelText, attrs.required ? ' *' : ''),
    control,
    h('p', { class: 'field-error', id: `${id}-err`, dataset: { errorFor: name } }),
  );
}

/**
 * Puts each validation line from the API under the field it names ("alarmAddress.postalCode is ...");
 * lines naming no field of this form go to the form's error box. Returns how many were placed.
 */
export function showFieldErrors(form, messages) {
  for (const p of form.querySelectorAll('[data-error-for]')) p.textContent = '';
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
  const rest = [];
  let first;
  for (const line of messages) {
    const name = String(line).split(' ')[0];
    const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
    const m = inFormWords(form, name, String(line));
    if (slot) {
      slot.textContent = slot.textContent ? `${slot.textContent} ${m}` : m;
      const control = form.querySelector(`[name="${CSS.escape(name)}"]`);
      control?.setAttribute('aria-invalid', 'true');
      first ??= control;
    } else rest.push(m);
  }
  const box = form.querySelector('.form-errors');
  if (box) {
    box.replaceChildren(...rest.map((m) => h('div', {}, m)));
    box.hidden = rest.length === 0;
  }
  first?.focus();
}

/**
 * An API line in the words of the form it is shown in: the field's label instead of its name
 * ("Owner wait (s) must be…", not "ownerWaitSeconds must be…"), and an action's words instead of its
 * code ("required for guard dispatched").
 */
function inFormWords(form, name, line) {
  const control = name ? form.querySelector(`[name="${CSS.escape(name)}"]`) : null;
  let text = line;
  const own = control && (control.labels?.[0]?.textContent.replace(/\s*\*$/, '').trim() || control.getAttribute('aria-label'));
  if (own) {
    // Two fields of the same label (the alarm and the postal address's "City") are told apart by their group.
    const group = control.closest('fieldset')?.querySelector('legend')?.textContent.trim();
    const words = group ? `${group}: ${own.charAt(0).toLowerCase()}${own.slice(1)}` : own;
    text = `${words.charAt(0).toUpperCase()}${words.slice(1)}${line.slice(name.length)}`;
  }
  return text.replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (code) => label(code).toLowerCase());
}

/**
 * Where an action outside a form (a button in a row or a card) says that it failed: the API's
 * message in the page, in the same red box the forms use, hidden while there is nothing to say.
 */
export const actionErrorBox = () => h('div', { class: 'error-box action-error', role: 'alert', hidden: true });

/** Shows `error` (an ApiError or any Error) in an `actionErrorBox`, after `what` failed ("Could not remove Eva"). */
export function showActionError(box, what, error) {
  if (!box) return;
  const message = error?.message || String(error);
  box.textContent = what ? `${what}: ${message}` : message;
  box.hidden = false;
}

export function clearActionError(box) {
  if (!box) return;
  box.textContent = '';
  box.hidden = true;
}

/** Says `text` to a screen reader (the page's one live region), for what a button did without moving focus. */
export function announce(text) {
  const el = document.getElementById('announcer');
  if (el) el.textContent = text;
}

let confirmSeq = 0;

/**
 * Asks before something that cannot be undone, in the page instead of the browser's confirm():
 * a modal <dialog> with the question, a danger button and Cancel. Focus starts on Cancel (the safe
 * choice), Tab stays inside, Escape cancels; focus goes back to the button that asked if it is
 * still there. Resolves true only when the danger button was chosen.
 */
export function confirmInPage({ title, text, confirm }) {
  const id = `confirm-${++confirmSeq}`;
  const opener = document.activeElement;
  const yes = h('button', { type: 'button', class: 'danger', value: 'yes' }, confirm);
  const cancel = h('button', { type: 'button', class: 'secondary', value: 'no' }, 'Cancel');
  const dialog = h(
    'dialog',
    { class: 'confirm-dialog', role: 'alertdialog', 'aria-labelledby': `${id}-title`, 'aria-describedby': text ? `${id}-text` : undefined },
    h('h2', { id: `${id}-title` }, title),
    text ? h('p', { id: `${id}-text` }, text) : '',
    h('div', { class: 'actions' }, yes, cancel),
  );
  return new Promise((resolve) => {
    for (const b of [yes, cancel]) b.addEventListener('click', () => dialog.close(b.value));
    // Escape closes a modal dialog with an empty returnValue: the same as Cancel.
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener?.isConnected) opener.focus();
      resolve(dialog.returnValue === 'yes');
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

let leaveCheck = null;

/**
 * A page with edits not yet saved asks before it is left: `check` resolves true when leaving is
 * fine (nothing unsaved, or the operator chose to drop it). The router asks on every page change.
 */
export function askBeforeLeaving(check) {
  leaveCheck = check;
}

export async function mayLeave() {
  const check = leaveCheck;
  if (!check) return true;
  const ok = await check();
  if (ok) leaveCheck = null;
  return ok;
}

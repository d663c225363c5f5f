// Action plans (docs/alarm-handling.md#action-plans): the alarm's plan as a checklist, the central's plan per
// class in the settings, a customer's own plan on the customer page, and the silent-alarm rules of
// panic and duress (do not call or text the premises, the owner or the contacts without being sure).
import { del, get, put } from './api.js';
import { actionErrorBox, clearActionError, confirmInPage, fmtTime, h, label, mount, pill, showActionError, showFieldErrors, telLink } from './dom.js';
import { ALARM_CLASSES } from './alarm-format.js';

export const STEP_KINDS = ['call_owner', 'call_contacts', 'text_contacts', 'call_emergency', 'dispatch_guard', 'verify_password', 'note'];
const KIND_LABELS = {
  call_owner: 'Call the owner',
  call_contacts: 'Call the contacts',
  text_contacts: 'Text the contacts',
  call_emergency: 'Call emergency services',
  dispatch_guard: 'Dispatch a guard',
  verify_password: 'Verify the password',
  note: 'Note',
};
const kindLabel = (k) => KIND_LABELS[k] ?? label(k);
/** Who may change a plan (docs/api-contract.md#roles: supervisor, and admin, who may do everything); operators read them. */
export const mayEditPlans = (role) => ['supervisor', 'admin'].includes(role);

// ---------------------------------------------------------------- panic and duress

/** Someone at the premises may be held by whoever set this off: a call or a text can give away that the alarm was seen. */
export const isSilentAlarm = (a) => a.class === 'panic' || a.class === 'duress';

const WARNINGS = {
  duress: 'Duress: someone may be forced to disarm. Call the police first. Do not call or text the premises or the owner.',
  panic: 'Panic: someone may be threatened. Call the police first. Do not call or text the premises or the owner.',
};

/** Why to think twice before contacting anyone about a silent alarm, for the confirmations. */
export const silentCaution = (a) =>
  isSilentAlarm(a) ? `This is a ${label(a.class)} alarm: someone may be forced or threatened, and a call or a text can reveal that the alarm was seen.` : '';

/** The owner's phone on the alarm page: a call link, except on a panic or duress alarm, where nobody should call it. */
export function ownerPhone(a, phone) {
  if (!isSilentAlarm(a)) return telLink(phone);
  return h('span', { id: 'owner-phone-silent' }, phone ?? '', ' ', pill('do not call', 'bad'));
}

/** A contact's call link; on a panic or duress alarm it asks first, saying why. */
export function contactPhone(a, phone, name) {
  if (!isSilentAlarm(a) || !phone) return telLink(phone);
  return h(
    'a',
    {
      href: `tel:${phone}`,
      class: 'guarded-call',
      onClick: async (e) => {
        e.preventDefault();
        const sure = await confirmInPage({ title: `Call ${name}?`, text: silentCaution(a), confirm: `Yes, call ${name}` });
        if (sure) location.href = `tel:${phone}`;
      },
    },
    phone,
  );
}

// ---------------------------------------------------------------- the alarm's plan

/**
 * The plan the alarm froze when it opened, as a checklist at the top of the alarm page; each step
 * not yet done has a "Done" button (`tick(index)` posts step_done), a done one says who and when.
 */
export function actionPlanSection(a, tick) {
  const plan = a.actionPlan;
  const warning = isSilentAlarm(a) ? h('p', { class: 'silent-warning', id: 'silent-alarm-warning', role: 'note' }, WARNINGS[a.class]) : '';
  if (!plan) return warning;
  const errors = actionErrorBox();
  const open = a.status === 'open';
  const steps = plan.steps.map((s, i) =>
    h(
      'li',
      { class: `plan-step${s.done ? ' done' : ''}`, dataset: { step: String(i) } },
      // The number is text, not a list marker: the row is a flex line, which drops the marker.
      h('span', { class: 'step-no', 'aria-hidden': 'true' }, `${i + 1}.`),
      h('span', { class: 'step-kind' }, kindLabel(s.kind)),
      h('span', { class: 'step-text', id: `plan-step-${i}-text` }, s.text),
      s.done
        ? h('span', { class: 'step-done muted' }, pill('done', 'good'), ` ${s.doneBy?.name ?? ''}, ${fmtTime(s.doneAt)}`)
        : open
          ? h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                dataset: { action: `step_done_${i}` },
                'aria-label': `Done: step ${i + 1}`,
                'aria-describedby': `plan-step-${i}-text`,
                onClick: async () => {
                  clearActionError(errors);
                  try {
                    await tick(i);
                  } catch (e) {
                    showActionError(errors, `Could not mark step ${i + 1} done`, e);
                  }
                },
              },
              'Done',
            )
          : h('span', { class: 'muted' }, 'not done'),
    ),
  );
  const done = plan.steps.filter((s) => s.done).length;
  return h(
    'section',
    { class: `card action-plan${isSilentAlarm(a) ? ' silent' : ''}`, id: 'action-plan', 'aria-labelledby': 'action-plan-title' },
    warning,
    h(
      'h2',
      { id: 'action-plan-title' },
      'Action plan ',
      h('span', { class: 'muted' }, `(${plan.source === 'customer' ? "the customer's own" : 'the central plan'}, ${done} of ${plan.steps.length} done)`),
    ),
    h('ol', { class: 'plan-steps' }, steps),
    errors,
  );
}

// ---------------------------------------------------------------- editing a plan

/**
 * An ordered list of steps to edit: each a kind and a text, moved up or down, removed, added. Every
 * control is a plain button or field, so the keyboard does all of it. `save(steps)` stores them.
 */
function planEditor({ idPrefix, heading, steps: initial, save, extra = [] }) {
  let steps = initial.map((s) => ({ ...s }));
  const list = h('ol', { class: 'plan-editor-steps' });
  const status = h('span', { class: 'muted save-status', role: 'status' });
  const form = h('form', { class: 'plan-editor', 'aria-label': heading }, h('div', { class: 'form-errors error-box', role: 'alert', hidden: true }));
  const read = () => {
    steps = [...list.querySelectorAll('li')].map((li) => ({ kind: li.querySelector('select').value, text: li.querySelector('input').value }));
  };
  const draw = (focusSelector) => {
    mount(
      list,
      steps.map((s, i) => {
        const n = i + 1;
        const kindId = `${idPrefix}-kind-${i}`;
        const textId = `${idPrefix}-text-${i}`;
        const move = (by) => {
          read();
          const [step] = steps.splice(i, 1);
          steps.splice(i + by, 0, step);
          draw(`[data-move="${by < 0 ? 'up' : 'down'}"][data-index="${i + by}"]`);
        };
        return h(
          'li',
          {},
          h('label', { for: kindId, class: 'visually-hidden' }, `Step ${n} kind`),
          h(
            'select',
            { id: kindId, name: `steps.${i}.kind` },
            STEP_KINDS.map((k) => h('option', { value: k, selected: k === s.kind }, kindLabel(k))),
          ),
          h('label', { for: textId, class: 'visually-hidden' }, `Step ${n} text`),
          h('input', { id: textId, name: `steps.${i}.text`, type: 'text', value: s.text, maxlength: '300', autocomplete: 'off' }),
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              dataset: { move: 'up', index: String(i) },
              disabled: i === 0,
              'aria-label': `Move step ${n} up`,
              onClick: () => move(-1),
            },
            '↑',
          ),
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              dataset: { move: 'down', index: String(i) },
              disabled: i === steps.length - 1,
              'aria-label': `Move step ${n} down`,
              onClick: () => move(1),
            },
            '↓',
          ),
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              'aria-label': `Remove step ${n}`,
              onClick: () => {
                read();
                steps.splice(i, 1);
                draw(`#${idPrefix}-text-${Math.min(i, steps.length - 1)}`);
              },
            },
            'Remove',
          ),
        );
      }),
    );
    if (focusSelector) (list.querySelector(focusSelector) ?? form.querySelector('[data-add]'))?.focus();
  };
  form.append(
    list,
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          dataset: { add: '' },
          onClick: () => {
            read();
            steps.push({ kind: 'note', text: '' });
            draw(`#${idPrefix}-kind-${steps.length - 1}`);
          },
        },
        'Add step',
      ),
      h('button', { type: 'submit' }, 'Save plan'),
      ...extra,
      status,
    ),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    read();
    status.textContent = '';
    try {
      await save(steps);
      showFieldErrors(form, []);
      status.textContent = 'Saved';
      document.getElementById('announcer').textContent = `${heading} saved`;
    } catch (err) {
      showFieldErrors(
        form,
        (err.messages ?? [err.message]).map((m) => m.replace(/^steps\.(\d+)\.(kind|text) /, (_, i, f) => `Step ${Number(i) + 1} ${f}: `)),
      );
    }
  });
  draw();
  /** The steps as edited so far, saved or not. */
  form.currentSteps = () => {
    read();
    return steps.map((s) => ({ ...s }));
  };
  return form;
}

/** A select of the alarm classes; `onChange(cls)` redraws what depends on it. */
function classPicker(id, onChange, value = ALARM_CLASSES[0]) {
  const select = h(
    'select',
    { id, name: 'class' },
    ALARM_CLASSES.map((c) => h('option', { value: c, selected: c === value }, label(c))),
  );
  select.addEventListener('change', () => onChange(select.value));
  return h('div', { class: 'field' }, h('label', { for: id }, 'Alarm class'), select);
}

/** Settings (supervisor, admin): the central's plan per class, for alarms opened from now on. */
export async function actionPlanSettings() {
  const res = await get('/api/settings/action-plans');
  const box = h('div', { id: 'plan-editor-box' });
  // Edits not saved yet are kept per class while another class is looked at, and said to be unsaved.
  const drafts = new Map();
  let shown = null;
  const show = (cls) => {
    if (shown) {
      const edited = box.querySelector('form').currentSteps();
      if (JSON.stringify(edited) !== JSON.stringify(res.classes[shown.cls]?.steps ?? [])) drafts.set(shown.cls, edited);
      else drafts.delete(shown.cls);
    }
    shown = { cls };
    mount(
      box,
      drafts.has(cls) ? h('p', { class: 'warn-box', id: 'central-plan-unsaved' }, `The ${label(cls)} plan has changes that are not saved yet.`) : '',
      planEditor({
        idPrefix: 'central-plan',
        heading: `${label(cls)} action plan`,
        steps: drafts.get(cls) ?? res.classes[cls]?.steps ?? [],
        save: async (steps) => {
          const saved = await put(`/api/settings/action-plans/${encodeURIComponent(cls)}`, { steps });
          res.classes[cls] = { steps: saved.steps };
          drafts.delete(cls);
          box.querySelector('#central-plan-unsaved')?.remove();
        },
      }),
    );
  };
  show(ALARM_CLASSES[0]);
  return h(
    'section',
    { class: 'card', id: 'action-plan-settings', 'aria-labelledby': 'action-plan-settings-title' },
    h('h2', { id: 'action-plan-settings-title' }, 'Action plans'),
    h(
      'p',
      { class: 'muted' },
      "The operator's steps for each alarm class, in order. A change applies to alarms opened afterwards; a customer may have their own plan for a class.",
    ),
    classPicker('central-plan-class', show),
    box,
  );
}

/**
 * The customer page's section: which classes have the customer's own plan, and (supervisor, admin)
 * an editor to give a class its own plan or to go back to the central one.
 */
export async function customerActionPlans(box, customer, mayEdit) {
  const [own, central] = await Promise.all([get(`/api/customers/${customer.id}/action-plans`), mayEdit ? get('/api/settings/action-plans') : null]);
  const errors = actionErrorBox();
  const editorBox = h('div', { id: 'customer-plan-editor' });
  const ownSummary = () => {
    const list = Object.keys(own.classes);
    return list.length ? `Own plan for: ${list.map(label).join(', ')}. Other classes use the central plan.` : 'The central plan for every class.';
  };
  const summary = h('p', { id: 'customer-own-plans' }, ownSummary());
  const first = Object.keys(own.classes)[0] ?? ALARM_CLASSES[0];
  const show = (cls) => {
    const has = !!own.classes[cls];
    mount(
      editorBox,
      h(
        'p',
        { class: 'muted', id: 'customer-plan-source' },
        has ? `${customer.name} has their own ${label(cls)} plan.` : `${label(cls)} alarms use the central plan; saving gives ${customer.name} their own.`,
      ),
      planEditor({
        idPrefix: 'customer-plan',
        heading: `${customer.name}'s ${label(cls)} action plan`,
        steps: (own.classes[cls] ?? central.classes[cls]).steps,
        save: async (steps) => {
          const saved = await put(`/api/customers/${customer.id}/action-plans/${encodeURIComponent(cls)}`, { steps });
          own.classes[cls] = { steps: saved.steps };
          summary.textContent = ownSummary();
          // Now with "Back to the central plan"; the keyboard goes on from the class.
          if (!has) {
            show(cls);
            box.querySelector('#customer-plan-class')?.focus();
          }
        },
        extra: has
          ? [
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary',
                  onClick: async () => {
                    const sure = await confirmInPage({
                      title: `Back to the central ${label(cls)} plan?`,
                      text: `${customer.name}'s own ${label(cls)} plan is removed; alarms opened afterwards use the central plan.`,
                      confirm: 'Yes, use the central plan',
                    });
                    if (!sure) return;
                    clearActionError(errors);
                    try {
                      await del(`/api/customers/${customer.id}/action-plans/${encodeURIComponent(cls)}`);
                      delete own.classes[cls];
                      summary.textContent = ownSummary();
                      show(cls);
                      box.querySelector('#customer-plan-class')?.focus();
                      document.getElementById('announcer').textContent = `${label(cls)}: back to the central plan`;
                    } catch (e) {
                      showActionError(errors, 'Could not remove the plan', e);
                    }
                  },
                },
                'Back to the central plan',
              ),
            ]
          : [],
      }),
    );
  };
  mount(
    box,
    h('h2', { id: 'customer-plans-title' }, 'Action plans'),
    summary,
    mayEdit ? [classPicker('customer-plan-class', show, first), editorBox] : '',
    errors,
  );
  if (mayEdit) show(first);
}

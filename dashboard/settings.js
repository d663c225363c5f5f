// Escalation settings (docs/alarm-handling.md#escalation-timings): the owner's and each contact's wait per alarm class (supervisor, admin).
import { get, put } from './api.js';
import { askBeforeLeaving, confirmInPage, h, label, mount, showFieldErrors } from './dom.js';
import { actionPlanSettings } from './action-plan.js';

const WAITS = [
  ['ownerWaitSeconds', 'Owner wait (s)', 'owner wait in seconds'],
  ['contactWaitSeconds', 'Contact wait (s)', 'contact wait in seconds'],
];

/** A typed number goes as a number; anything else goes as typed, so the API's message says what is wrong. */
const asNumber = (v) => (/^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v.trim()) : v.trim());

/** A row whose waits differ from what was last saved. */
const unsaved = (row) => [...row.querySelectorAll('input.wait')].some((input) => input.value.trim() !== input.dataset.saved);

export async function escalationSettingsPage(main) {
  const res = await get('/api/settings/escalation');
  const rows = Object.entries(res.classes).map(([cls, waits]) => {
    const status = h('span', { class: 'muted save-status', role: 'status' });
    const row = h('tr', { dataset: { class: cls } });
    const inputs = WAITS.map(([name, , spoken]) => {
      const id = `esc-${cls}-${name}`;
      const input = h('input', {
        id,
        name,
        type: 'number',
        min: '1',
        max: '3600',
        step: '1',
        inputmode: 'numeric',
        class: 'wait',
        value: String(waits[name]),
        dataset: { saved: String(waits[name]) },
        'aria-label': `${label(cls)} ${spoken}`,
        'aria-describedby': `${id}-err`,
      });
      input.addEventListener('input', () => {
        status.textContent = unsaved(row) ? 'Not saved' : '';
      });
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          void save();
        }
      });
      return [input, h('p', { class: 'field-error', id: `${id}-err`, dataset: { errorFor: name } })];
    });
    const save = async () => {
      status.textContent = '';
      const body = Object.fromEntries(WAITS.map(([name]) => [name, asNumber(row.querySelector(`[name="${name}"]`).value)]));
      try {
        const saved = await put(`/api/settings/escalation/${encodeURIComponent(cls)}`, body);
        showFieldErrors(row, []);
        for (const [name] of WAITS) {
          const input = row.querySelector(`[name="${name}"]`);
          input.value = String(saved[name]);
          input.dataset.saved = input.value;
        }
        status.textContent = 'Saved';
        document.getElementById('announcer').textContent = `${label(cls)} waits saved`;
      } catch (e) {
        showFieldErrors(row, e.messages ?? [e.message]);
      }
    };
    row.append(
      h('th', { scope: 'row' }, label(cls)),
      ...inputs.map((cell) => h('td', {}, cell)),
      h(
        'td',
        {},
        h('button', { type: 'button', 'aria-label': `Save ${label(cls)} waits`, onClick: () => void save() }, 'Save'),
        ' ',
        status,
        h('div', { class: 'form-errors error-box', role: 'alert', hidden: true }),
      ),
    );
    return row;
  });
  // Waits typed but not saved are not dropped without a word: leaving the page (or the browser tab) asks first.
  const unsavedClasses = () => rows.filter(unsaved).map((row) => label(row.dataset.class));
  askBeforeLeaving(async () => {
    const classes = unsavedClasses();
    if (!classes.length || !main.querySelector('table.escalation-settings')) return true;
    return confirmInPage({
      title: 'Leave without saving?',
      text: `The waits you changed for ${classes.join(', ')} are not saved and are lost if you leave.`,
      confirm: 'Leave without saving',
    });
  });
  const onUnload = (e) => {
    if (!main.querySelector('table.escalation-settings')) return window.removeEventListener('beforeunload', onUnload);
    if (unsavedClasses().length) e.preventDefault();
  };
  window.addEventListener('beforeunload', onUnload);
  mount(
    main,
    h('h1', {}, 'Escalation settings'),
    h('p', { class: 'muted' }, 'Whole seconds, 1 to 3600. A change applies to alarms opened afterwards; a running alarm keeps the waits it started with.'),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'escalation-settings', 'aria-label': 'Escalation waits per alarm class' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Alarm class', ...WAITS.map(([, head]) => head), ''].map((t) =>
              h('th', { scope: 'col' }, t || h('span', { class: 'visually-hidden' }, 'Actions')),
            ),
          ),
        ),
        h('tbody', {}, rows),
      ),
    ),
  );
  main.append(await actionPlanSettings());
}

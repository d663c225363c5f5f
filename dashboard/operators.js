// The operators page (admin): accounts, roles, passwords and sessions.
import { del, get, patch, post } from './api.js';
import { actionErrorBox, announce, clearActionError, confirmInPage, field, fmtTime, h, mount, pill, showActionError, showFieldErrors } from './dom.js';
import { errorBox } from './forms.js';
import { table } from './tables.js';

const OPERATOR_ROLES = ['operator', 'supervisor', 'dpo', 'admin'];

export async function operatorsPage(main) {
  const res = await get('/api/operators');
  const errors = actionErrorBox();
  /** Runs one admin action on an operator; shows the API's refusal (e.g. the last admin) in the page. */
  const act = async (what, fn, done) => {
    clearActionError(errors);
    try {
      await fn();
    } catch (e) {
      return showActionError(errors, what, e);
    }
    await operatorsPage(main);
    announce(done);
  };
  const row = (o) => {
    const role = h(
      'select',
      { 'aria-label': `Role of ${o.name}` },
      OPERATOR_ROLES.map((r) => h('option', { value: r, selected: r === o.role }, r)),
    );
    const password = h('input', {
      type: 'password',
      autocomplete: 'new-password',
      'aria-label': `New password for ${o.name}`,
      placeholder: 'new password (12+ characters)',
    });
    const resetForm = h(
      'form',
      { class: 'actions', 'aria-label': `Reset the password of ${o.name}` },
      password,
      h('button', { type: 'submit', class: 'secondary' }, 'Set password'),
    );
    resetForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void act(
        `Could not reset the password of ${o.name}`,
        () => post(`/api/operators/${o.id}/password`, { password: password.value }),
        `New password set for ${o.name}; their sessions have ended`,
      );
    });
    return h(
      'tr',
      { dataset: { operatorId: o.id } },
      h('td', {}, o.name),
      h('td', {}, o.email),
      h(
        'td',
        {},
        role,
        ' ',
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            'aria-label': `Change role of ${o.name}`,
            onClick: () => {
              if (role.value === o.role) return;
              void act(
                `Could not change the role of ${o.name}`,
                () => patch(`/api/operators/${o.id}`, { role: role.value }),
                `${o.name} is now ${role.value}; their sessions have ended`,
              );
            },
          },
          'Change role',
        ),
      ),
      h('td', {}, o.disabled ? pill('disabled', 'bad') : pill('enabled', 'good')),
      h('td', {}, o.lastLoginAt ? fmtTime(o.lastLoginAt) : 'never'),
      h(
        'td',
        { class: 'row-actions' },
        o.disabled
          ? h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                'aria-label': `Enable ${o.name}`,
                onClick: () => void act(`Could not enable ${o.name}`, () => patch(`/api/operators/${o.id}`, { disabled: false }), `${o.name} enabled`),
              },
              'Enable',
            )
          : h(
              'button',
              {
                type: 'button',
                class: 'danger',
                'aria-label': `Disable ${o.name}`,
                onClick: async () => {
                  const sure = await confirmInPage({
                    title: `Disable ${o.name}?`,
                    text: `${o.name} is logged out everywhere at once and can no longer log in, until enabled again.`,
                    confirm: `Yes, disable ${o.name}`,
                  });
                  if (sure) await act(`Could not disable ${o.name}`, () => patch(`/api/operators/${o.id}`, { disabled: true }), `${o.name} disabled`);
                },
              },
              'Disable',
            ),
        ' ',
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            'aria-label': `End sessions of ${o.name}`,
            onClick: () =>
              void act(`Could not end the sessions of ${o.name}`, () => del(`/api/operators/${o.id}/sessions`), `${o.name} is logged out everywhere`),
          },
          'End sessions',
        ),
        h('details', {}, h('summary', {}, 'Reset password'), resetForm),
      ),
    );
  };
  const form = h(
    'form',
    { class: 'operator-form', 'aria-label': 'New operator', novalidate: true },
    h('h2', {}, 'New operator'),
    errorBox(),
    h(
      'div',
      { class: 'form-grid' },
      field('Name', 'name', { required: true }),
      field('Email', 'email', { required: true, type: 'email' }),
      field('Role', 'role', { options: OPERATOR_ROLES.map((r) => [r, r]) }),
      field('Password', 'password', { required: true, type: 'password', autocomplete: 'new-password' }),
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Create operator')),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = (n) => form.querySelector(`[name="${n}"]`).value.trim();
    try {
      await post('/api/operators', { name: v('name'), email: v('email'), role: v('role'), password: form.querySelector('[name="password"]').value });
      await operatorsPage(main);
    } catch (e) {
      showFieldErrors(form, e.messages ?? [e.message]);
    }
  });
  mount(main, h('h1', {}, 'Operators'), errors, table('Operators', ['Name', 'Email', 'Role', 'Status', 'Last login', ''], res.items.map(row)), form);
}

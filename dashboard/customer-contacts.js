// A customer's contacts, in the order they are tried: add, edit in place, reorder, remove, and the
// privacy actions on one contact.
import { del, get, patch, post, put } from './api.js';
import { can, me } from './session.js';
import { noticeBadge, resendNoticeButton } from './contact-notices.js';
import { confirmErasure, exportSubject, restrictionButton } from './customer-privacy.js';
import { actionErrorBox, clearActionError, confirmInPage, field, h, mount, pill, showActionError, showFieldErrors, telLink } from './dom.js';
import { errorBox } from './forms.js';
import { table } from './tables.js';

const RELATIONS = ['partner', 'family', 'neighbour', 'friend', 'colleague', 'other'];

export async function renderContacts(box, customer) {
  const role = me().role;
  const res = await get(`/api/customers/${customer.id}/contacts`);
  const items = res.items;
  const errors = actionErrorBox();
  /** A row action failed: say so above the list; when the list was stale (changed elsewhere), show it as it is now. */
  const failed = async (what, e) => {
    let shown = errors;
    if (e?.status === 404 || e?.status === 409 || e?.status === 422) {
      try {
        await renderContacts(box, customer);
        shown = box.querySelector('.action-error');
        box.querySelector('h2').focus();
      } catch {
        /* keep the list shown */
      }
    }
    showActionError(shown, what, e);
  };
  const reorder = async (from, to) => {
    const ids = items.map((c) => c.id);
    const [moved] = ids.splice(from, 1);
    ids.splice(to, 0, moved);
    clearActionError(errors);
    try {
      await put(`/api/customers/${customer.id}/contacts/order`, { contactIds: ids });
      await renderContacts(box, customer);
    } catch (e) {
      return failed(`Could not move ${items[from].name}`, e);
    }
    box.querySelector(`[data-contact-id="${moved}"] button`)?.focus();
  };
  const rows = items.map((c, i) =>
    h(
      'tr',
      { dataset: { contactId: c.id } },
      h('td', {}, String(i + 1)),
      h('td', {}, c.name, h('div', { class: 'muted' }, c.relation ?? '')),
      h('td', {}, telLink(c.phone)),
      h(
        'td',
        { class: 'contact-status' },
        c.status === 'opted_out' ? pill('opted out (STOP)', 'bad') : pill('active', 'good'),
        ' ',
        noticeBadge(c.notice),
        c.restricted ? [' ', pill('restricted: alarm texts only', 'warn')] : '',
        can.editRegisters(role)
          ? resendNoticeButton(customer.id, c, {
              done: async (saved) => {
                await renderContacts(box, customer);
                box.querySelector(`[data-edit="${saved.id}"]`)?.focus();
                document.getElementById('announcer').textContent = `Onboarding notice sent to ${saved.name} again`;
              },
              failed: (e) => failed(`Could not send the notice to ${c.name} again`, e),
            })
          : '',
      ),
      h(
        'td',
        { class: 'row-actions' },
        can.editRegisters(role)
          ? [
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary',
                  'aria-label': `Edit ${c.name}`,
                  dataset: { edit: c.id },
                  onClick: (e) =>
                    editContactInPlace(e.target.closest('tr'), customer, c, async (saved) => {
                      await renderContacts(box, customer);
                      box.querySelector(`[data-edit="${saved.id}"]`)?.focus();
                    }),
                },
                'Edit',
              ),
              ' ',
              h('button', { type: 'button', class: 'secondary', 'aria-label': `Move ${c.name} up`, disabled: i === 0, onClick: () => reorder(i, i - 1) }, '↑'),
              ' ',
              h(
                'button',
                { type: 'button', class: 'secondary', 'aria-label': `Move ${c.name} down`, disabled: i === items.length - 1, onClick: () => reorder(i, i + 1) },
                '↓',
              ),
            ]
          : '',
        can.privacy(role)
          ? [
              ' ',
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary',
                  'aria-label': `Export data of ${c.name}`,
                  onClick: () => exportSubject(`/api/customers/${customer.id}/contacts/${c.id}/export`, c.name, `contact-${c.id}`),
                },
                'Export',
              ),
              ' ',
              h(
                'a',
                { class: 'button secondary', href: `#/privacy?customerId=${customer.id}&contactId=${c.id}`, 'aria-label': `Register a request from ${c.name}` },
                'Request',
              ),
              ' ',
              restrictionButton(c, `/api/customers/${customer.id}/contacts/${c.id}/restriction`, {
                name: c.name,
                onChange: async () => {
                  await renderContacts(box, customer);
                  box.querySelector(`[data-contact-id="${c.id}"] [data-restriction]`)?.focus();
                },
              }),
              ' ',
              h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  'aria-label': `Erase ${c.name}`,
                  onClick: () =>
                    confirmErasure(c.name, `/api/customers/${customer.id}/contacts/${c.id}/erasure`, async () => {
                      await renderContacts(box, customer);
                    }),
                },
                'Erase',
              ),
            ]
          : '',
        can.deleteRegisters(role)
          ? [
              ' ',
              h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  'aria-label': `Remove ${c.name}`,
                  onClick: async () => {
                    const sure = await confirmInPage({
                      title: `Remove ${c.name}?`,
                      text: `${c.name} stops being an alarm contact of ${customer.name} and is no longer texted when an alarm goes off.`,
                      confirm: `Yes, remove ${c.name}`,
                    });
                    if (!sure) return;
                    clearActionError(errors);
                    try {
                      await del(`/api/customers/${customer.id}/contacts/${c.id}`);
                    } catch (e) {
                      return failed(`Could not remove ${c.name}`, e);
                    }
                    await renderContacts(box, customer);
                    box.querySelector('h2').focus();
                    document.getElementById('announcer').textContent = `${c.name} removed`;
                  },
                },
                'Remove',
              ),
            ]
          : '',
      ),
    ),
  );
  let addForm = '';
  if (can.editRegisters(role)) {
    addForm = h(
      'form',
      { class: 'contact-form', 'aria-label': 'Add a contact', novalidate: true },
      h('h3', {}, 'Add a contact'),
      h('p', { class: 'muted' }, 'Adding a contact sends them the onboarding notice by SMS.'),
      errorBox(),
      h(
        'div',
        { class: 'form-grid' },
        field('Name', 'name', { required: true }),
        field('Mobile phone', 'phone', { required: true, type: 'tel' }),
        field('Email', 'email', { type: 'email' }),
        field('Relation', 'relation', { options: [['', '-'], ...RELATIONS.map((r) => [r, r])] }),
      ),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Add contact')),
    );
    addForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const v = (n) => addForm.querySelector(`[name="${n}"]`).value.trim();
      const body = { name: v('name'), phone: v('phone') };
      if (v('email')) body.email = v('email');
      if (v('relation')) body.relation = v('relation');
      try {
        const created = await post(`/api/customers/${customer.id}/contacts`, body);
        await renderContacts(box, customer);
        document.getElementById('announcer').textContent = `${created.name} added; onboarding notice ${created.notice?.status ?? 'pending'}`;
      } catch (e) {
        showFieldErrors(addForm, e.messages ?? [e.message]);
      }
    });
  }
  mount(
    box,
    h('h2', { id: 'contacts-title', tabindex: '-1' }, 'Contacts (in the order they are tried)'),
    errors,
    table('Contacts', ['#', 'Name', 'Phone', 'Status', ''], rows, 'No contacts yet.'),
    addForm,
  );
}

/**
 * A contact's name, phone, email and relation edited in the list, under their row. A new phone
 * number is sent the onboarding notice again (it is a new person's phone as far as the law goes),
 * so the form says so before saving; a new name or email sends nothing.
 */
function editContactInPlace(row, customer, c, onSaved) {
  if (row.nextElementSibling?.classList.contains('contact-edit')) return row.nextElementSibling.querySelector('input')?.focus();
  const columns = row.children.length;
  const phoneNotice = h(
    'p',
    { class: 'warn-box', id: `contact-edit-${c.id}-notice`, hidden: true },
    `${c.name} gets the onboarding notice again, by SMS to the new number, when you save.`,
  );
  const form = h(
    'form',
    { class: 'contact-form', 'aria-label': `Edit ${c.name}`, novalidate: true },
    h('h3', {}, `Edit ${c.name}`),
    errorBox(),
    h(
      'div',
      { class: 'form-grid' },
      field('Name', 'name', { value: c.name, required: true }),
      field('Mobile phone', 'phone', { value: c.phone, required: true, type: 'tel' }),
      field('Email', 'email', { value: c.email ?? '', type: 'email' }),
      field('Relation', 'relation', { options: [['', '-'], ...RELATIONS.map((r) => [r, r])], value: c.relation ?? '' }),
    ),
    phoneNotice,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit' }, 'Save contact'),
      h('button', { type: 'button', class: 'secondary', onClick: () => close() }, 'Cancel'),
    ),
  );
  const editRow = h('tr', { class: 'contact-edit' }, h('td', { colspan: String(columns) }, form));
  const close = () => {
    editRow.remove();
    row.querySelector(`[data-edit="${c.id}"]`)?.focus();
  };
  const v = (n) => form.querySelector(`[name="${n}"]`).value.trim();
  const phoneChanged = () => v('phone').replace(/[\s-]/g, '') !== c.phone;
  form.querySelector('[name="phone"]').addEventListener('input', () => {
    phoneNotice.hidden = !phoneChanged();
  });
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') close();
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    // Only what changed is sent, so an unchanged number is not taken for a new one.
    const body = {};
    if (v('name') !== c.name) body.name = v('name');
    if (phoneChanged()) body.phone = v('phone');
    if (v('email') !== (c.email ?? '')) body.email = v('email') || null;
    if (v('relation') && v('relation') !== c.relation) body.relation = v('relation');
    if (!Object.keys(body).length) return close();
    if (body.phone !== undefined) {
      const sure = await confirmInPage({
        title: `Change ${c.name}'s number to ${body.phone}?`,
        text: 'The onboarding notice is sent again, by SMS to the new number.',
        confirm: 'Yes, change the number',
      });
      if (!sure) return;
    }
    try {
      const saved = await patch(`/api/customers/${customer.id}/contacts/${c.id}`, body);
      await onSaved(saved);
      document.getElementById('announcer').textContent = `${saved.name} saved${body.phone !== undefined ? '; onboarding notice sent to the new number' : ''}`;
    } catch (e) {
      showFieldErrors(form, e.messages ?? [e.message]);
    }
  });
  row.after(editRow);
  form.querySelector('input').focus();
}

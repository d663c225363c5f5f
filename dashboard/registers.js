// Customers, contacts, panels, arming history, messages, privacy and operators.
import { del, get, patch, post, put, query } from './api.js';
import { can, me } from './session.js';
import { whileShown } from './alarms.js';
import { customerActionPlans, mayEditPlans } from './action-plan.js';
import { customerPremisesSection, userText, zoneText } from './premises.js';
import { customerPicker, namesFor, pager, personName } from './people.js';
import { noticeBadge, resendNoticeButton, uninformedContactsSection } from './contact-notices.js';
import { showErasureResult } from './erasure-result.js';
import { privacyRequestsSection } from './privacy-requests.js';
import { keyboardScrollable, retentionRulesSection } from './retention.js';
import {
  actionErrorBox,
  address,
  clearActionError,
  confirmInPage,
  field,
  fmtTime,
  h,
  label,
  mount,
  pill,
  showActionError,
  showFieldErrors,
  smsStatusPill,
  stagePill,
  telLink,
} from './dom.js';

const LANGS = [
  ['', 'from the country'],
  ['sv', 'Swedish'],
  ['nb', 'Norwegian'],
  ['en', 'English'],
];
const langName = (code) => LANGS.find(([c]) => c && c === code)?.[1] ?? code ?? '-';
const RELATIONS = ['partner', 'family', 'neighbour', 'friend', 'colleague', 'other'];
const errorBox = () => h('div', { class: 'form-errors error-box', role: 'alert', hidden: true });

function table(labelText, headers, rows, empty = 'Nothing here yet.') {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { 'aria-label': labelText },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((t) => h('th', { scope: 'col' }, t || h('span', { class: 'visually-hidden' }, 'Actions'))),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}

// ---------------------------------------------------------------- customers

export async function customersPage(main) {
  const results = h('div', { id: 'customer-results' });
  const search = h('input', { id: 'customer-search', type: 'search', name: 'search', placeholder: 'name, phone, email, street or contact' });
  const load = async () => {
    let res;
    try {
      res = await get(`/api/customers${query({ search: search.value.trim(), limit: 50 })}`);
      showFieldErrors(form, []);
    } catch (e) {
      showFieldErrors(form, e.messages ?? [e.message]);
      return;
    }
    mount(
      results,
      h('p', { class: 'muted' }, `${res.total} customer${res.total === 1 ? '' : 's'}`),
      table(
        'Customers',
        ['Name', 'Phone', 'Alarm address', 'Language'],
        res.items.map((c) =>
          h(
            'tr',
            {},
            h('td', {}, h('a', { href: `#/customers/${c.id}` }, c.name), c.restricted ? [' ', pill('restricted', 'warn')] : ''),
            h('td', {}, c.phone),
            h('td', {}, address(c.alarmAddress)),
            h('td', {}, langName(c.language)),
          ),
        ),
        'No customers match.',
      ),
    );
  };
  const form = h(
    'form',
    { role: 'search', 'aria-label': 'Search customers' },
    h('div', { class: 'actions' }, h('div', {}, h('label', { for: 'customer-search' }, 'Search'), search), h('button', { type: 'submit' }, 'Search')),
    errorBox(),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });
  const uninformed = h('div', { id: 'uninformed-contacts-box' });
  mount(
    main,
    h('h1', {}, 'Customers'),
    h('div', { class: 'actions' }, can.editRegisters(me().role) ? h('a', { class: 'button', href: '#/customers/new' }, 'New customer') : ''),
    form,
    results,
    uninformed,
  );
  await Promise.all([load(), uninformedContactsSection().then((section) => mount(uninformed, section))]);
}

function addressFields(prefix, legend, a = {}, required = true) {
  return h(
    'fieldset',
    {},
    h('legend', {}, legend),
    h(
      'div',
      { class: 'form-grid' },
      field('Street', `${prefix}.street`, { value: a.street, required }),
      field('Postal code', `${prefix}.postalCode`, { value: a.postalCode, required }),
      field('City', `${prefix}.city`, { value: a.city, required }),
      field('Country (ISO code)', `${prefix}.country`, { value: a.country ?? (required ? 'SE' : ''), required }),
    ),
  );
}

function customerForm(c, onSaved) {
  const editing = !!c;
  const form = h(
    'form',
    { class: 'customer-form', 'aria-label': editing ? 'Edit customer' : 'New customer', novalidate: true },
    errorBox(),
    h(
      'div',
      { class: 'form-grid' },
      field('Name', 'name', { value: c?.name, required: true }),
      field('Mobile phone (E.164)', 'phone', { value: c?.phone, required: true, type: 'tel', placeholder: '+46701234567' }),
      field('Email', 'email', { value: c?.email, type: 'email' }),
      field('Language', 'language', { options: LANGS, value: c?.language ?? '' }),
      field(editing ? `National id (now ${c.nationalId ?? 'none'}; leave empty to keep)` : 'National id (optional)', 'nationalId', {}),
    ),
    addressFields('alarmAddress', 'Alarm address', c?.alarmAddress ?? {}),
    addressFields('postalAddress', 'Postal address (optional)', c?.postalAddress ?? {}, false),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, editing ? 'Save' : 'Create customer')),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = (n) => form.querySelector(`[name="${n}"]`).value.trim();
    const addr = (p) => ({ street: v(`${p}.street`), postalCode: v(`${p}.postalCode`), city: v(`${p}.city`), country: v(`${p}.country`) });
    const body = { name: v('name'), phone: v('phone'), alarmAddress: addr('alarmAddress') };
    if (v('email')) body.email = v('email');
    else if (editing && c.email) body.email = null;
    if (v('language')) body.language = v('language');
    if (v('nationalId')) body.nationalId = v('nationalId');
    const postal = addr('postalAddress');
    if (Object.values(postal).some(Boolean)) body.postalAddress = postal;
    else if (editing && c.postalAddress) body.postalAddress = null;
    try {
      const saved = editing ? await patch(`/api/customers/${c.id}`, body) : await post('/api/customers', body);
      onSaved(saved);
    } catch (e) {
      showFieldErrors(form, e.messages ?? [e.message]);
    }
  });
  return form;
}

/** Shows the unmasked national id in place; the server writes every reveal to the processing log. */
function revealButton(customerId, errors) {
  return h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onClick: async (e) => {
        const dd = e.target.closest('dd');
        clearActionError(errors);
        try {
          const res = await get(`/api/customers/${customerId}/national-id`);
          dd.textContent = res.nationalId;
        } catch (err) {
          showActionError(errors, 'Could not reveal the national id', err);
        }
      },
    },
    'Reveal (logged)',
  );
}

export async function customerPage(main, id, sub) {
  if (id === 'new') {
    mount(
      main,
      h('p', {}, h('a', { href: '#/customers' }, '← Customers')),
      h('h1', {}, 'New customer'),
      customerForm(null, (c) => (location.hash = `#/customers/${c.id}`)),
    );
    main.querySelector('input').focus();
    return;
  }
  const role = me().role;
  const customer = await get(`/api/customers/${id}`);
  if (sub === 'edit') {
    mount(
      main,
      h('p', {}, h('a', { href: `#/customers/${id}` }, '← Back')),
      h('h1', {}, `Edit ${customer.name}`),
      customerForm(customer, () => (location.hash = `#/customers/${id}`)),
    );
    return;
  }
  const contactsBox = h('section', { class: 'card', 'aria-labelledby': 'contacts-title', id: 'contacts' });
  const panelsBox = h('section', { class: 'card', 'aria-labelledby': 'panels-title', id: 'panels' });
  const armingBox = h('section', { class: 'card', 'aria-labelledby': 'arming-title', id: 'arming' });
  const alarmsBox = h('section', { class: 'card', 'aria-labelledby': 'alarms-title', id: 'customer-alarms' });
  const privacyBox = h('section', { class: 'card', 'aria-labelledby': 'privacy-requests-title', id: 'privacy-requests' });
  const plansBox = h('section', { class: 'card', 'aria-labelledby': 'customer-plans-title', id: 'customer-plans' });
  // An owner who phones in about an alarm: it is the first thing under the name, not a scroll away.
  const openAlarmsBox = h('div', { id: 'customer-open-alarms' });
  const customerErrors = actionErrorBox();
  mount(
    main,
    h('p', {}, h('a', { href: '#/customers' }, '← Customers')),
    h('h1', {}, customer.name, ' ', h('span', { id: 'customer-restricted', hidden: !customer.restricted }, pill('restricted: alarm texts only', 'warn'))),
    can.alarms(role) ? openAlarmsBox : '',
    h(
      'section',
      { class: 'card', 'aria-label': 'Customer details' },
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Phone'),
        h('dd', {}, telLink(customer.phone)),
        h('dt', {}, 'Email'),
        h('dd', {}, customer.email ?? '-'),
        h('dt', {}, 'Language'),
        h('dd', {}, langName(customer.language)),
        h('dt', {}, 'National id'),
        h(
          'dd',
          { id: 'national-id' },
          customer.nationalId ?? '-',
          customer.nationalId && can.revealNationalId(role) ? [' ', revealButton(id, customerErrors)] : '',
        ),
        h('dt', {}, 'Alarm address'),
        h('dd', {}, address(customer.alarmAddress)),
        h('dt', {}, 'Postal address'),
        h('dd', {}, address(customer.postalAddress) || '-'),
      ),
      h(
        'div',
        { class: 'actions' },
        can.editRegisters(role) ? h('a', { class: 'button secondary', href: `#/customers/${id}/edit` }, 'Edit') : '',
        can.messages(role) ? h('a', { class: 'button secondary', href: `#/messages?customerId=${id}` }, 'Messages') : '',
        can.deleteRegisters(role)
          ? h(
              'button',
              {
                type: 'button',
                class: 'danger',
                onClick: async () => {
                  const sure = await confirmInPage({
                    title: `Delete ${customer.name}?`,
                    text: 'The contract ends and the customer leaves the register. The record is kept, hidden, until the retention rules erase it.',
                    confirm: `Yes, delete ${customer.name}`,
                  });
                  if (!sure) return;
                  clearActionError(customerErrors);
                  try {
                    await del(`/api/customers/${id}`);
                  } catch (e) {
                    return showActionError(customerErrors, `Could not delete ${customer.name}`, e);
                  }
                  location.hash = '#/customers';
                },
              },
              'Delete customer',
            )
          : '',
      ),
      customerErrors,
    ),
    can.editRegisters(role) ? customerPremisesSection(id) : '',
    h('div', { class: 'grid' }, contactsBox, can.panels(role) ? panelsBox : ''),
    can.privacy(role) ? privacyBox : '',
    can.alarms(role) ? h('div', { class: 'grid' }, alarmsBox, armingBox) : '',
    can.alarms(role) ? plansBox : '',
  );
  if (can.privacy(role)) renderPrivacyRequests(privacyBox, customer, main);
  await Promise.all([
    renderContacts(contactsBox, customer),
    can.panels(role) ? renderPanels(panelsBox, customer) : null,
    can.alarms(role) ? renderArming(armingBox, customer) : null,
    can.alarms(role) ? renderCustomerAlarms(alarmsBox, openAlarmsBox, customer) : null,
    can.alarms(role) ? customerActionPlans(plansBox, customer, mayEditPlans(role)) : null,
  ]);
  // An alarm of this customer opens or changes while the page is shown: its banner and list follow.
  if (can.alarms(role))
    whileShown(openAlarmsBox, (a) => a.customerId === customer.id && void renderCustomerAlarms(alarmsBox, openAlarmsBox, customer).catch(() => undefined));
}

async function renderContacts(box, customer) {
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

/** A button that copies `value`; says whether it worked, in its own text. */
function copyButton(value, text = 'Copy') {
  const button = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onClick: async () => {
        try {
          await navigator.clipboard.writeText(value);
          button.textContent = 'Copied';
        } catch {
          button.textContent = 'Copy failed: select the text';
        }
      },
    },
    text,
  );
  return button;
}

function secretBox(secret, what) {
  return h(
    'div',
    { class: 'notice-box', role: 'status', id: 'panel-secret' },
    h('p', {}, `${what}: this secret is shown once, now. Put it into the panel.`),
    h('code', { class: 'secret' }, secret),
    ' ',
    copyButton(secret),
  );
}

/** "25 h", "8 h 20 min", "3 days 2 h": the two largest units, the rest dropped (so never more than the seconds given). */
function fmtDuration(seconds) {
  let left = Math.max(0, Math.floor(seconds));
  // Hours up to two days read better than "1 day 1 h".
  const units = [...(left >= 2 * 86400 ? [['days', 86400]] : []), ['h', 3600], ['min', 60], ['s', 1]];
  const parts = [];
  for (const [unit, size] of units) {
    const n = Math.floor(left / size);
    left -= n * size;
    if (n) parts.push(`${n} ${unit}`);
    else if (parts.length) break;
    if (parts.length === 2) break;
  }
  return parts.join(' ') || '0 s';
}

/** Adds a hint under a `field()`'s control, read out with it. */
function withHint(fieldEl, text) {
  const control = fieldEl.querySelector('input, select, textarea');
  const id = `${control.id}-hint`;
  control.setAttribute('aria-describedby', `${id} ${control.getAttribute('aria-describedby')}`);
  control.after(h('p', { class: 'field-hint muted', id }, text));
  return fieldEl;
}

/** An error the API gave as a sentence (a 409), shown under the one field it is about. */
function showErrorUnder(form, name, message) {
  showFieldErrors(form, []);
  const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
  const control = form.querySelector(`[name="${CSS.escape(name)}"]`);
  slot.textContent = message;
  control.setAttribute('aria-invalid', 'true');
  control.focus();
}

const PROTOCOLS = [
  ['http', 'HTTP (signed JSON events)'],
  ['dc09', 'SIA DC-09 (TCP or UDP)'],
];
const ENCRYPTIONS = [
  ['required', 'required: plain frames are refused'],
  ['optional', 'optional: plain frames are accepted too'],
];
const aesBits = (key) => (key?.length ?? 0) * 4;

/** What the DC-09 receiver is, for the installer's card; an error is shown on the card instead. */
const dc09Receiver = () =>
  get('/api/settings/dc09').then(
    (settings) => ({ settings }),
    (error) => ({ error }),
  );

/**
 * Everything an installer types into a DC-09 panel, on one card, shown once (the key is not shown again):
 * where to send (host, port, TCP or UDP), as whom (account) and with which key, and the two settings
 * that decide whether the panel is heard at all: its clock (encrypted frames outside the window get
 * a NAK) and its link test interval (a silent panel is reported offline).
 */
function installerCard({ panel, secret, rotated, receiver }) {
  const dc09 = panel.dc09 ?? {};
  const key = dc09.key ?? secret;
  const s = receiver?.settings;
  const name = panel.label ?? `panel ${panel.id}`;
  const interval = panel.supervisionIntervalSeconds;
  const fact = (term, ...dd) => [h('dt', {}, term), h('dd', {}, ...dd)];
  let receiverWarning = '';
  if (!s)
    receiverWarning = `The receiver's address could not be read (${receiver?.error?.message ?? 'no answer'}). Copy the account and key below now: they are not shown again. The host and port are the same for every DC-09 panel.`;
  else if (!s.enabled) receiverWarning = 'The DC-09 receiver is turned off on this server (DC09_PORT=off): the panel cannot report until it is turned on.';
  else if (!s.listening) receiverWarning = 'The DC-09 receiver is not listening right now: the panel will get no answer until it is.';
  const tsWindow = s?.timestampWindow;
  return h(
    'section',
    { class: 'installer-card', id: 'panel-installer-card', 'aria-labelledby': 'installer-card-title' },
    h('h3', { id: 'installer-card-title', tabindex: '-1' }, `Installer's card: ${name}`),
    h(
      'p',
      { class: 'installer-once' },
      h('strong', {}, rotated ? 'New key, shown once, now.' : 'Shown once, now.'),
      " Type these into the panel's receiver settings; the key cannot be shown again (rotating it makes a new one).",
    ),
    receiverWarning ? h('p', { class: 'warn-box', role: 'alert' }, receiverWarning) : '',
    h(
      'dl',
      { class: 'facts' },
      fact('Receiver host', s?.host ?? '-'),
      fact('Port', s?.port != null ? String(s.port) : '-'),
      fact('Protocol', 'SIA DC-09, TCP or UDP'),
      fact('Account', h('code', { class: 'dc09-account' }, dc09.account ?? '-'), h('div', { class: 'muted' }, 'exactly as shown, leading zeros too')),
      fact('Key', h('code', { class: 'secret', id: 'installer-key' }, key), ' ', copyButton(key, 'Copy key')),
      fact(
        'Encryption',
        `AES-${aesBits(key)}, ${dc09.encryption ?? 'required'}`,
        h(
          'div',
          { class: 'muted' },
          dc09.encryption === 'optional' ? 'plain (unencrypted) frames are accepted too' : 'plain (unencrypted) frames are refused with NAK',
        ),
      ),
      fact('Timestamp window', tsWindow ? `${tsWindow.behindSeconds} s behind to ${tsWindow.aheadSeconds} s ahead of the receiver's UTC time` : '-'),
      fact(
        'Panel clock',
        `UTC, kept by time sync (NTP). Encrypted frames with a time outside the window are refused with NAK${tsWindow ? ` (more than ${tsWindow.behindSeconds} s behind or ${tsWindow.aheadSeconds} s ahead)` : ''}.`,
      ),
      fact(
        'Link test',
        `Keyholder reports this panel offline after ${fmtDuration(interval)} without a signal. Set the panel's link test (NULL / polling) interval well below that: at most ${fmtDuration(interval / 3)}.`,
      ),
    ),
  );
}

function protocolCell(p) {
  const cell = (...content) => h('td', { class: 'panel-protocol', dataset: { label: 'Protocol' } }, ...content);
  if (p.protocol !== 'dc09') return cell('HTTP');
  return cell(
    'SIA DC-09',
    h('div', { class: 'muted' }, 'Account ', h('code', { class: 'dc09-account' }, p.dc09?.account ?? '-')),
    h('div', { class: 'muted dc09-encryption' }, `Encryption ${p.dc09?.encryption ?? '-'}`),
  );
}

async function renderPanels(box, customer, justCreated) {
  const role = me().role;
  const res = await get(`/api/customers/${customer.id}/panels`);
  const sup = (s) => pill(label(s), s === 'ok' ? 'good' : s === 'overdue' ? 'bad' : 'warn');
  const errors = actionErrorBox();
  // What was just created or rotated: a DC-09 panel's installer's card, or an HTTP panel's secret.
  const shownOnce = (shown) => (shown.panel?.protocol === 'dc09' ? installerCard(shown) : secretBox(shown.secret, shown.what));
  // A new secret is shown once: if the list cannot be read again now, it is shown without the list.
  const showSecret = async (shown) => {
    if (shown.panel?.protocol === 'dc09') shown.receiver = await dc09Receiver();
    await renderPanels(box, customer, shown).catch((e) => {
      mount(box, h('h2', { id: 'panels-title' }, 'Panels'), shownOnce(shown), errors);
      showActionError(errors, 'Could not reload the panels', e);
    });
    // The card is above the list and the form: the keyboard and the screen reader go to it.
    box.querySelector('#installer-card-title')?.focus();
  };
  const rows = res.items.map((p) => {
    const dc09 = p.protocol === 'dc09';
    const what = dc09 ? 'key' : 'secret';
    return h(
      'tr',
      { dataset: { panelId: p.id } },
      h('td', {}, p.label ?? '-', h('div', { class: 'muted' }, p.id)),
      h('td', { dataset: { label: 'Last seen' } }, p.lastSeenAt ? fmtTime(p.lastSeenAt) : 'never'),
      h('td', { dataset: { label: 'Supervision' } }, sup(p.supervision)),
      protocolCell(p),
      h(
        'td',
        {},
        can.createPanels(role)
          ? h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                onClick: async () => {
                  const sure = await confirmInPage({
                    title: `Rotate the ${what} of ${p.label ?? p.id}?`,
                    text: dc09 ? 'The panel is refused (NAK) until the new key is typed into it.' : 'The panel is refused until it has the new secret.',
                    confirm: `Yes, rotate the ${what}`,
                  });
                  if (!sure) return;
                  clearActionError(errors);
                  let r;
                  try {
                    r = await post(`/api/customers/${customer.id}/panels/${p.id}/rotate-secret`);
                  } catch (e) {
                    return showActionError(errors, `Could not rotate the ${what} of ${p.label ?? p.id}`, e);
                  }
                  await showSecret({ secret: r.secret, what: 'New secret', panel: r, rotated: true });
                },
              },
              `Rotate ${what}`,
            )
          : '',
      ),
    );
  });
  let form = '';
  if (can.createPanels(role)) {
    const protocol = field('Protocol', 'protocol', { options: PROTOCOLS, value: 'http' });
    const dc09Fields = h(
      'fieldset',
      { class: 'dc09-fields', hidden: true, disabled: true },
      h('legend', {}, 'SIA DC-09'),
      h(
        'div',
        { class: 'form-grid' },
        withHint(
          field('Account', 'dc09.account', { required: true, autocomplete: 'off' }),
          'As the panel sends it (#acct), leading zeros kept: e.g. 1234 or 000110.',
        ),
        withHint(
          field('Key (hex)', 'dc09.key', { autocomplete: 'off' }),
          "Leave empty to generate an AES-256 key; or the panel's own: 32, 48 or 64 hex digits.",
        ),
        field('Encryption', 'dc09.encryption', { options: ENCRYPTIONS, value: 'required' }),
      ),
    );
    const protocolSelect = protocol.querySelector('select');
    protocolSelect.addEventListener('change', () => {
      const on = protocolSelect.value === 'dc09';
      dc09Fields.hidden = !on;
      dc09Fields.disabled = !on;
    });
    form = h(
      'form',
      { class: 'panel-form', 'aria-label': 'Register a panel', novalidate: true },
      h('h3', {}, 'Register a panel'),
      errorBox(),
      h(
        'div',
        { class: 'form-grid' },
        field('Panel label', 'label', {}),
        protocol,
        withHint(
          field('Supervision interval (s)', 'supervisionIntervalSeconds', { type: 'text', autocomplete: 'off' }),
          'Reported offline after this long without a signal. Empty: 90000 (25 h).',
        ),
      ),
      dc09Fields,
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Register panel')),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const v = (n) => form.querySelector(`[name="${n}"]`).value.trim();
      const body = {};
      if (v('label')) body.label = v('label');
      // A typed number goes as a number; anything else as typed, so the API's message says what is wrong.
      const interval = v('supervisionIntervalSeconds');
      if (interval) body.supervisionIntervalSeconds = /^\d+$/.test(interval) ? Number(interval) : interval;
      if (v('protocol') === 'dc09') {
        body.protocol = 'dc09';
        body.dc09 = { account: v('dc09.account'), encryption: v('dc09.encryption') };
        // Keys are often copied with spaces between the groups of digits.
        const key = v('dc09.key').replace(/\s+/g, '');
        if (key) body.dc09.key = key;
      }
      let created;
      try {
        created = await post(`/api/customers/${customer.id}/panels`, body);
      } catch (e) {
        if (e.status === 409 && body.dc09) return showErrorUnder(form, 'dc09.account', e.message);
        return showFieldErrors(form, e.messages ?? [e.message]);
      }
      await showSecret({ secret: created.secret, what: `Panel ${created.id}`, panel: created });
    });
  }
  mount(
    box,
    h('h2', { id: 'panels-title' }, 'Panels'),
    justCreated ? shownOnce(justCreated) : '',
    errors,
    table('Panels', ['Panel', 'Last seen', 'Supervision', 'Protocol', ''], rows, 'No panels.'),
    form,
  );
}

async function renderArming(box, customer) {
  const res = await get(`/api/customers/${customer.id}/arming-history?limit=20`);
  mount(
    box,
    h('h2', { id: 'arming-title' }, 'Arm/disarm history'),
    table(
      'Arm and disarm history',
      ['When', 'What', 'How', 'User'],
      res.items.map((r) =>
        h(
          'tr',
          {},
          h('td', {}, fmtTime(r.at)),
          h('td', {}, r.action ?? r.code),
          h('td', {}, r.method ?? '-'),
          h('td', {}, userText(r.user, r.userName) || '-'),
        ),
      ),
      'No arming events.',
    ),
  );
}

async function renderCustomerAlarms(box, openBox, customer) {
  const res = await get(`/api/alarms?customerId=${customer.id}&limit=20`);
  const open = res.items.filter((a) => a.status === 'open');
  mount(
    openBox,
    open.map((a) =>
      h(
        'p',
        { class: 'error-box open-alarm' },
        h('strong', {}, 'Open alarm: '),
        h('a', { href: `#/alarms/${a.id}` }, `${label(a.class)}${a.zone ? `, ${zoneText(a.zone, a.zoneName)}` : ''}`),
        ' ',
        stagePill(a.stage, a),
        ` opened ${fmtTime(a.openedAt)}`,
      ),
    ),
  );
  mount(
    box,
    h('h2', { id: 'alarms-title' }, 'Alarms'),
    table(
      'Alarms of this customer',
      ['Alarm', 'Status', 'Opened'],
      res.items.map((a) =>
        h(
          'tr',
          {},
          h('td', {}, h('a', { href: `#/alarms/${a.id}` }, label(a.class))),
          h('td', {}, a.status === 'open' ? stagePill(a.stage, a) : 'Closed'),
          h('td', {}, fmtTime(a.openedAt)),
        ),
      ),
      'No alarms.',
    ),
  );
}

// ---------------------------------------------------------------- data-subject requests (dpo, admin)

/** Where export and erasure results of the customer page go (one at a time). */
const privacyOut = () => document.getElementById('privacy-output');
let exportUrl = null;

async function exportSubject(path, name, fileName) {
  const out = privacyOut();
  try {
    const data = await get(path);
    const json = JSON.stringify(data, null, 2);
    if (exportUrl) URL.revokeObjectURL(exportUrl);
    exportUrl = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    mount(
      out,
      h('h3', { tabindex: '-1', id: 'export-title' }, `Export of ${name}`),
      h('p', {}, h('a', { class: 'button', href: exportUrl, download: `keyholder-export-${fileName}.json`, id: 'export-download' }, 'Download JSON')),
      h('pre', { class: 'export-json', id: 'export-json', tabindex: '0', 'aria-label': `Exported data of ${name}` }, json),
    );
    out.querySelector('h3').focus();
  } catch (e) {
    mount(out, h('div', { class: 'error-box', role: 'alert' }, e.message));
  }
}

/** Erasure cannot be undone: it is asked for, confirmed in the page like the other such actions, then its result is shown. */
let erasing = false;
async function confirmErasure(name, path, after) {
  if (erasing) return;
  const sure = await confirmInPage({
    title: `Erase ${name}?`,
    text: 'Their personal data is deleted or anonymised; what the law requires is kept. This cannot be undone.',
    confirm: `Yes, erase ${name}`,
  });
  if (!sure) return;
  erasing = true;
  let result;
  try {
    result = await post(path);
  } catch (e) {
    mount(privacyOut(), h('div', { class: 'error-box', role: 'alert' }, `Could not erase ${name}: ${e.message}`));
    return;
  } finally {
    erasing = false;
  }
  try {
    await after?.(result);
  } catch {
    /* erased all the same: the result below says what happened */
  }
  showErasureResult(privacyOut(), `${name} erased`, result, { id: 'erasure-result' });
}

/**
 * Art. 18 restriction of a customer or one contact (`path` is that person's `.../restriction`):
 * one button that restricts or lifts, says which it will do, and tells the screen reader what it did.
 * Lifting asks first whether the person has been told (Art. 18(3)): the API records when.
 */
function restrictionButton(subject, path, { name, onChange } = {}) {
  // In a contact's row the name is in the accessible name; the visible word stays short.
  const text = () => (subject.restricted ? 'Lift restriction' : name ? 'Restrict' : 'Restrict processing');
  const ariaLabel = () => (name ? `${subject.restricted ? 'Lift restriction' : 'Restrict processing'} of ${name}` : undefined);
  const button = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      dataset: { restriction: '' },
      'aria-label': ariaLabel(),
      onClick: async () => {
        try {
          if (subject.restricted) {
            const told = await confirmInPage({
              title: `Lift the restriction${name ? ` of ${name}` : ''}?`,
              text: 'The person must be told before a restriction is lifted (GDPR Art. 18(3)). Lift it only once they have been told: now is recorded as when.',
              confirm: 'They have been told: lift it',
            });
            if (!told) return;
          }
          const r = subject.restricted ? await del(path, { notifiedAt: new Date().toISOString() }) : await post(path);
          subject.restricted = r?.restricted ?? !subject.restricted;
          const told = r?.recipientsInformed?.length ?? 0;
          // What shows the new state is redrawn first, so the button never runs ahead of the page.
          await onChange?.(subject.restricted);
          button.textContent = text();
          if (name) button.setAttribute('aria-label', ariaLabel());
          document.getElementById('announcer').textContent =
            `${subject.restricted ? 'Processing restricted' : 'Restriction lifted'}${name ? ` for ${name}` : ''}` +
            (subject.restricted && told ? `; ${told} alarm contact${told === 1 ? '' : 's'} who had alarm texts told (Art. 19)` : '');
        } catch (e) {
          mount(privacyOut(), h('div', { class: 'error-box', role: 'alert' }, e.message));
        }
      },
    },
    text(),
  );
  return button;
}

function renderPrivacyRequests(box, customer, main) {
  const restrict = restrictionButton(customer, `/api/customers/${customer.id}/restriction`, {
    onChange: (restricted) => {
      const pill = document.getElementById('customer-restricted');
      if (pill) pill.hidden = !restricted;
    },
  });
  mount(
    box,
    h('h2', { id: 'privacy-requests-title' }, 'Data-subject requests'),
    h(
      'p',
      { class: 'muted' },
      'Export, restriction and erasure for this customer; each contact has its own in the contacts list. A request from the customer or a contact goes in the register, with its deadline:',
    ),
    h(
      'div',
      { class: 'actions' },
      h('a', { class: 'button secondary', href: `#/privacy?customerId=${customer.id}`, id: 'register-request' }, 'Register a request'),
      h(
        'button',
        { type: 'button', onClick: () => exportSubject(`/api/customers/${customer.id}/export`, customer.name, `customer-${customer.id}`) },
        'Export customer data',
      ),
      restrict,
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          onClick: () =>
            confirmErasure(customer.name, `/api/customers/${customer.id}/erasure`, () => {
              // The customer is gone: what stays on screen is the result.
              mount(
                main,
                h('p', {}, h('a', { href: '#/customers' }, '← Customers')),
                h('h1', {}, `Erasure of ${customer.name}`),
                h('div', { id: 'privacy-output' }),
              );
            }),
        },
        'Erase customer',
      ),
    ),
    h('div', { id: 'privacy-output' }),
  );
}

// ---------------------------------------------------------------- messages

export async function messagesPage(main, params = new URLSearchParams()) {
  const results = h('div', { id: 'message-results' });
  // Opened from a customer or an alarm (#/messages?alarmId=...), the filter is already filled in.
  const given = (name) => ({ value: params.get(name) ?? '' });
  const person = customerPicker();
  const form = h(
    'form',
    { class: 'form-grid', 'aria-label': 'Filter messages' },
    field('To (phone)', 'to', given('to')),
    person.element,
    field('Alarm id', 'alarmId', given('alarmId')),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Filter')),
    errorBox(),
  );
  let page = Number(params.get('page')) || 1;
  let latest = 0;
  const load = async () => {
    const v = (n) => form.querySelector(`[name="${n}"]`).value.trim();
    const filters = { to: v('to'), ...person.value(), alarmId: v('alarmId') };
    // The address says the filter shown, so a reload or Back does not bring an old one back.
    history.replaceState(null, '', `#/messages${query({ ...filters, page: page > 1 ? page : undefined })}`);
    // Until the answer comes, the rows on screen are the old filter's: say so, and let only the
    // newest answer replace them (a slow earlier one must not overwrite a later filter's rows).
    const mine = ++latest;
    results.setAttribute('aria-busy', 'true');
    try {
      const res = await get(`/api/messages${query({ ...filters, page, limit: MESSAGES_PAGE })}`);
      if (mine !== latest) return;
      showFieldErrors(form, []);
      const names = await namesFor(res.items.flatMap((m) => [m.customerId, m.contactId]));
      if (mine !== latest) return;
      const who = (m) => (m.contactId ? personName(names, m.contactId) : m.customerId ? personName(names, m.customerId) : '');
      const paging = () =>
        pager({
          page,
          limit: MESSAGES_PAGE,
          total: res.total,
          what: 'messages',
          onPage: (n) => {
            page = n;
            void load().then(() => results.querySelector('p.muted')?.focus());
          },
        });
      mount(
        results,
        h('p', { class: 'muted', tabindex: '-1' }, `${res.total} message${res.total === 1 ? '' : 's'}`),
        paging(),
        table(
          'Messages',
          ['When', 'In/out', 'To / from', 'Who', 'Purpose', 'Legal basis', 'Status', 'Text'],
          res.items.map((m) =>
            h(
              'tr',
              {},
              h('td', { class: 'nowrap' }, fmtTime(m.createdAt)),
              h('td', {}, m.direction === 'inbound' ? 'in' : 'out'),
              h('td', {}, m.direction === 'inbound' ? m.from : m.to),
              h('td', { class: 'message-who' }, who(m)),
              h('td', {}, label(m.purpose)),
              h('td', {}, label(m.legalBasis)),
              h('td', {}, smsStatusPill(m.status)),
              h('td', {}, m.body, m.alarmId ? h('div', {}, h('a', { href: `#/alarms/${m.alarmId}` }, 'alarm')) : ''),
            ),
          ),
          'No messages.',
        ),
        paging(),
      );
    } catch (e) {
      if (mine === latest) showFieldErrors(form, e.messages ?? [e.message]);
    } finally {
      if (mine === latest) results.removeAttribute('aria-busy');
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    page = 1;
    void load();
  });
  mount(main, h('h1', {}, 'Messages'), form, results);
  await person.set(params.get('customerId'), params.get('contactId'));
  await load();
}

/** A page of messages: names are looked up for each of them (a customer and a contact at most). */
const MESSAGES_PAGE = 50;

// ---------------------------------------------------------------- privacy

const list = (v) => (Array.isArray(v) ? v.join(', ') : (v ?? ''));
/** A page of the processing log: actors and subjects are looked up by name for each page. */
const LOG_PAGE = 50;

export async function privacyPage(main, params = new URLSearchParams()) {
  const ropa = await get('/api/privacy/ropa');
  // The register of requests first: what is overdue or due is what a DPO must act on.
  const requests = await privacyRequestsSection({ customerId: params.get('customerId'), contactId: params.get('contactId') });
  // The check starts where the last whole check (run each night) found the chain intact, and the
  // page does not wait for it: on a long log even that takes a while. The whole chain can be
  // checked on request.
  const verifyResult = h('p', { id: 'verify-result', role: 'status' });
  const wholeButton = h('button', { type: 'button', class: 'secondary', onClick: () => check(true) }, 'Check the whole chain');
  const count = (n) => n.toLocaleString('en-GB');
  // Only the newest check's answer is shown (an earlier, slower one finishing later must not
  // overwrite it), and the whole check cannot be started twice at once.
  let latest = 0;
  const check = (whole) => {
    const mine = ++latest;
    wholeButton.disabled = true;
    mount(verifyResult, whole ? 'Checking the whole hash chain…' : 'Checking the hash chain…');
    const started = Date.now();
    get(`/api/privacy/processing-log/verify${whole ? '' : '?from=checkpoint'}`)
      .then(
        (v) => {
          if (mine !== latest) return;
          const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
          const what = v.from
            ? ` The ${count(v.entries)} entries since the whole check of ${fmtTime(v.from.verifiedAt)} (${count(v.from.entries)} entries), checked in ${took}.`
            : ` The whole chain, ${count(v.entries)} entries, checked in ${took}.`;
          // Entries past the log's period are gone; a sealed checkpoint says what they were, and the check starts where they end.
          const retained = v.retained
            ? ` Before it, ${count(v.retained.removed)} entries older than ten years (before ${fmtTime(v.retained.removedBefore)}) were removed under sealed checkpoints.`
            : '';
          mount(verifyResult, v.ok ? pill('intact', 'good') : pill('BROKEN', 'bad'), what, retained, v.ok ? '' : h('div', {}, v.detail ?? ''));
        },
        (e) => mine === latest && mount(verifyResult, pill('not checked', 'bad'), ` The check could not run: ${e.message}`),
      )
      .finally(() => {
        if (mine === latest) wholeButton.disabled = false;
      });
  };
  check(false);
  const logBox = h('div', { id: 'processing-log' });
  // A person is chosen by name (their id goes in the id field); an operator's or an erased person's id can be typed.
  const person = customerPicker({ label: 'Find a customer or contact' });
  const form = h(
    'form',
    { class: 'actions', 'aria-label': 'Search the processing log' },
    person.element,
    field('Data subject id', 'subjectId', {}),
    field('From', 'from', { type: 'date' }),
    field('To', 'to', { type: 'date' }),
    h('button', { type: 'submit' }, 'Search'),
    errorBox(),
  );
  let page = 1;
  const load = async () => {
    const v = (n) => form.querySelector(`[name="${n}"]`).value.trim();
    const picked = person.value();
    if (picked.customerId) form.querySelector('[name="subjectId"]').value = picked.contactId || picked.customerId;
    try {
      const res = await get(`/api/privacy/processing-log${query({ subjectId: v('subjectId'), from: v('from'), to: v('to'), page, limit: LOG_PAGE })}`);
      showFieldErrors(form, []);
      const names = await namesFor(res.items.flatMap((e) => [e.actorId, ...(e.subjectIds ?? [])]));
      const actor = (e) => (e.actorId ? `${names.get(e.actorId)?.name ?? e.actorId} (${e.actorType})` : e.actorType);
      const paging = () =>
        pager({
          page,
          limit: LOG_PAGE,
          total: res.total,
          what: 'the processing log',
          onPage: (n) => {
            page = n;
            void load().then(() => logBox.querySelector('p.muted')?.focus());
          },
        });
      mount(
        logBox,
        h('p', { class: 'muted', tabindex: '-1' }, `${res.total} entries`),
        paging(),
        table(
          'Processing log',
          ['#', 'When', 'Operation', 'Legal basis', 'Actor', 'Subjects', 'Outcome'],
          res.items.map((e) =>
            h(
              'tr',
              {},
              h('td', {}, String(e.seq)),
              h('td', {}, fmtTime(e.at)),
              h('td', {}, e.operation, logDetail(e.detail)),
              h('td', {}, label(e.legalBasis)),
              h('td', {}, actor(e)),
              h('td', {}, (e.subjectIds ?? []).map((id) => personName(names, id)).join(', ')),
              h('td', {}, e.outcome ?? '', e.httpStatus ? ` ${e.httpStatus}` : ''),
            ),
          ),
        ),
        paging(),
      );
    } catch (e) {
      showFieldErrors(form, e.messages ?? [e.message]);
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    page = 1;
    void load();
  });
  mount(
    main,
    h('h1', {}, 'Privacy'),
    requests,
    h(
      'section',
      { 'aria-labelledby': 'verify-title' },
      h('h2', { id: 'verify-title' }, 'Processing log integrity'),
      verifyResult,
      h('div', { class: 'actions' }, wholeButton),
    ),
    h('section', { 'aria-labelledby': 'log-title' }, h('h2', { id: 'log-title' }, 'Processing log'), form, logBox),
    // The long reference table last: the log and its check are what a DPO comes here for.
    h(
      'section',
      { 'aria-labelledby': 'ropa-title' },
      h('h2', { id: 'ropa-title' }, 'Record of processing (Art. 30)'),
      h('p', {}, h('a', { href: '/api/privacy/ropa?format=csv' }, 'Download CSV')),
      keyboardScrollable(
        table(
          'Record of processing',
          [
            'Operation',
            'Purpose',
            'Legal basis',
            'Data subjects',
            'Data categories',
            'Recipients',
            'Retention',
            'Outside the EU/EEA',
            'Special categories (Art. 9)',
          ],
          ropa.items.map((r) =>
            h(
              'tr',
              {},
              h('td', {}, r.operation),
              h('td', {}, r.purpose),
              h('td', {}, label(r.legalBasis)),
              h('td', {}, list(r.dataSubjects)),
              h('td', {}, list(r.dataCategories)),
              h('td', {}, list(r.recipients)),
              h('td', {}, list(r.retention)),
              h('td', {}, r.thirdCountryTransfers),
              h('td', {}, list(r.specialCategories)),
            ),
          ),
        ),
        'Record of processing, scrolls sideways',
      ),
      h('h3', { id: 'processors-title' }, 'Processors (Art. 28)'),
      table(
        'Processors',
        ['Processor', 'Country', 'Outside the EU/EEA', 'What data', 'Their own copy', 'Agreement', 'Used by'],
        (ropa.processors ?? []).map((p) =>
          h(
            'tr',
            {},
            h('td', {}, p.name),
            h('td', {}, p.country),
            h('td', {}, p.thirdCountryTransfer),
            h('td', {}, p.data),
            h('td', {}, p.processorRetention),
            h('td', {}, p.agreement),
            h('td', {}, list(p.operations)),
          ),
        ),
      ),
    ),
    retentionRulesSection(ropa.retentionRules ?? []),
  );
  await load();
}

// ---------------------------------------------------------------- operators

const OPERATOR_ROLES = ['operator', 'supervisor', 'dpo', 'admin'];

export async function operatorsPage(main) {
  const res = await get('/api/operators');
  const errors = actionErrorBox();
  const announce = (text) => {
    document.getElementById('announcer').textContent = text;
  };
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

/** What an entry adds to its operation: a panel's supervision day, or what a retention run removed. */
function logDetail(detail) {
  if (!detail) return '';
  const time = (iso) => (iso ? new Date(iso).toISOString().slice(11, 19) : '?');
  if (detail.signals !== undefined) {
    return h(
      'div',
      { class: 'muted log-detail' },
      `${detail.signals} supervision signals on ${detail.day} (UTC ${time(detail.firstAt)}–${time(detail.lastAt)})`,
    );
  }
  if (detail.checkpoint) {
    return h(
      'div',
      { class: 'muted log-detail' },
      `${detail.checkpoint.entries} entries older than ten years removed (chain positions ${detail.checkpoint.firstPosition}–${detail.checkpoint.throughPosition}), sealed checkpoint ${String(detail.checkpoint.hash).slice(0, 12)}…`,
    );
  }
  if (detail.removed !== undefined) return h('div', { class: 'muted log-detail' }, `${detail.removed} entries removed`);
  return '';
}

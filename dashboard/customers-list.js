// The customer register: search by name, phone, email, street or contact; and the contacts not yet told they are one.
import { get, query } from './api.js';
import { can, me } from './session.js';
import { uninformedContactsSection } from './contact-notices.js';
import { address, h, mount, pill, showFieldErrors } from './dom.js';
import { errorBox } from './forms.js';
import { langName } from './format.js';
import { table } from './tables.js';

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

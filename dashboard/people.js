// People by name, not by id: a customer (and one of their contacts) picked by typing a name, street
// or phone; ids in lists shown as names (GET /api/names); and paging through long lists.
import { get, query } from './api.js';
import { address, h } from './dom.js';

let pickerSeq = 0;

/**
 * A search-as-you-type customer picker (a combobox over GET /api/customers?search=), then a choice
 * of that customer's contacts. `value()` is `{ customerId, contactId }`; `set(customerId, contactId)`
 * shows a choice made elsewhere (a link with the filter in it) by name.
 */
export function customerPicker({ label = 'Customer or contact', withContacts = true } = {}) {
  const id = `picker-${++pickerSeq}`;
  const input = h('input', {
    id,
    type: 'search',
    role: 'combobox',
    autocomplete: 'off',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': `${id}-list`,
    'aria-describedby': `${id}-hint`,
    placeholder: "name, street, phone or a contact's name",
  });
  const list = h('ul', { id: `${id}-list`, role: 'listbox', class: 'picker-list', 'aria-label': `${label}: matches`, hidden: true });
  const chosen = h('p', { class: 'picker-chosen', id: `${id}-chosen`, hidden: true });
  const contactSelect = h('select', { id: `${id}-contact`, name: 'pickedContact' });
  const contactField = h('div', { class: 'field', hidden: true }, h('label', { for: `${id}-contact` }, 'Contact'), contactSelect);
  const state = { customerId: '', contactId: '', options: [], active: -1, seq: 0, timer: null };

  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    state.active = -1;
  };
  const highlight = (i) => {
    state.active = i;
    for (const [n, li] of [...list.children].entries()) li.setAttribute('aria-selected', String(n === i));
    if (i >= 0 && list.children[i]) {
      input.setAttribute('aria-activedescendant', list.children[i].id);
      list.children[i].scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  };
  const showChosen = (name, where) => {
    chosen.replaceChildren(
      h('strong', {}, name),
      where ? ` (${where})` : '',
      ' ',
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          'aria-label': `Clear ${name}`,
          onClick: () => {
            set('', '');
            input.focus();
          },
        },
        'Clear',
      ),
    );
    chosen.hidden = false;
  };
  const loadContacts = async (customerId, contactId) => {
    if (!withContacts) return;
    const res = await get(`/api/customers/${customerId}/contacts`).catch(() => ({ items: [] }));
    contactSelect.replaceChildren(
      h('option', { value: '' }, 'All (the customer and every contact)'),
      ...res.items.map((c) => h('option', { value: c.id, selected: c.id === contactId }, `${c.name} (${c.phone})`)),
    );
    contactField.hidden = res.items.length === 0;
    state.contactId = contactId && res.items.some((c) => c.id === contactId) ? contactId : '';
  };
  const pick = async (customer) => {
    close();
    input.value = '';
    state.customerId = customer.id;
    showChosen(customer.name, address(customer.alarmAddress));
    await loadContacts(customer.id, '');
  };
  const search = async () => {
    const text = input.value.trim();
    const mine = ++state.seq;
    if (text.length < 2) return close();
    let res;
    try {
      res = await get(`/api/customers${query({ search: text, limit: 8 })}`);
    } catch {
      return close();
    }
    if (mine !== state.seq) return;
    state.options = res.items;
    list.replaceChildren(
      ...(res.items.length
        ? res.items.map((c, i) =>
            h(
              'li',
              { id: `${id}-opt-${i}`, role: 'option', 'aria-selected': 'false', onMousedown: (e) => e.preventDefault(), onClick: () => void pick(c) },
              c.name,
              h('span', { class: 'muted' }, ` ${address(c.alarmAddress)}`),
            ),
          )
        : [h('li', { class: 'muted', role: 'option', 'aria-disabled': 'true', id: `${id}-none` }, 'No customer matches.')]),
    );
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    highlight(-1);
  };
  input.addEventListener('input', () => {
    clearTimeout(state.timer);
    state.timer = setTimeout(() => void search(), 200);
  });
  input.addEventListener('keydown', (e) => {
    const n = state.options.length;
    if (e.key === 'ArrowDown' && !list.hidden && n) {
      e.preventDefault();
      highlight((state.active + 1) % n);
    } else if (e.key === 'ArrowUp' && !list.hidden && n) {
      e.preventDefault();
      highlight((state.active - 1 + n) % n);
    } else if (e.key === 'Enter' && !list.hidden && state.active >= 0) {
      e.preventDefault();
      void pick(state.options[state.active]);
    } else if (e.key === 'Escape' && !list.hidden) {
      e.preventDefault();
      close();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
  contactSelect.addEventListener('change', () => {
    state.contactId = contactSelect.value;
  });

  /** Shows a choice given by id (from the address), by name. */
  async function set(customerId, contactId) {
    state.customerId = customerId ?? '';
    state.contactId = contactId ?? '';
    chosen.hidden = true;
    contactField.hidden = true;
    if (!state.customerId) return;
    const names = await namesFor([state.customerId]);
    showChosen(names.get(state.customerId)?.name ?? 'a customer no longer in the register');
    await loadContacts(state.customerId, state.contactId);
  }

  const element = h(
    'div',
    { class: 'picker' },
    h(
      'div',
      { class: 'field' },
      h('label', { for: id }, label),
      input,
      h('p', { class: 'muted field-hint', id: `${id}-hint` }, 'Type two letters or more, then choose with the arrow keys and Enter.'),
      list,
    ),
    chosen,
    contactField,
  );
  return { element, value: () => ({ customerId: state.customerId, contactId: state.contactId }), set };
}

const known = new Map();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Names for ids (customers, contacts, operators), asked for once per id and page of 100. */
export async function namesFor(ids) {
  // Only ids can be people: a system actor ("retention") is shown as it is.
  const wanted = [...new Set(ids.filter((id) => UUID.test(id ?? '') && !known.has(id)))];
  for (let i = 0; i < wanted.length; i += 100) {
    const chunk = wanted.slice(i, i + 100);
    try {
      const res = await get(`/api/names?ids=${chunk.join(',')}`);
      for (const id of chunk) known.set(id, null);
      for (const item of res.items) known.set(item.id, item);
    } catch {
      /* shown by id: a name is a convenience, the list must still show */
    }
  }
  return new Map(ids.map((id) => [id, known.get(id) ?? null]));
}

/** "Anna Lind (customer)", or the id itself when nobody by that id is held any more. */
export function personName(names, id) {
  const p = names.get(id);
  return p ? `${p.name} (${p.kind})` : id;
}

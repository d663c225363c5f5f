// The messages page: every SMS in and out, filtered by phone, person or alarm, a page at a time.
import { get, query } from './api.js';
import { customerPicker, namesFor, personName } from './people.js';
import { field, fmtTime, h, label, mount, showFieldErrors, smsStatusPill } from './dom.js';
import { errorBox } from './forms.js';
import { pager, table } from './tables.js';

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

// One customer: details, open alarms first, premises, contacts, panels, data-subject requests, alarms,
// arming history and action plans, each section shown to the roles that may see it.
import { del, get } from './api.js';
import { can, me } from './session.js';
import { whileShown } from './alarm-feed.js';
import { customerActionPlans, mayEditPlans } from './action-plan.js';
import { customerPremisesSection } from './premises.js';
import { customerForm } from './customer-form.js';
import { renderContacts } from './customer-contacts.js';
import { renderPanels } from './customer-panels.js';
import { renderPrivacyRequests } from './customer-privacy.js';
import { actionErrorBox, address, clearActionError, confirmInPage, fmtTime, h, label, mount, pill, showActionError, stagePill, telLink } from './dom.js';
import { langName, userText, zoneText } from './format.js';
import { table } from './tables.js';

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

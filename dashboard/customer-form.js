// A new customer, or a customer's details edited: name, phone, email, language, national id and addresses.
import { patch, post } from './api.js';
import { field, h, showFieldErrors } from './dom.js';
import { errorBox } from './forms.js';
import { LANGS } from './format.js';

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

export function customerForm(c, onSaved) {
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

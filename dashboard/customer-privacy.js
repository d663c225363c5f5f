// Data-subject requests on the customer page (dpo, admin): export, restriction and erasure of the
// customer or of one contact.
import { del, get, post } from './api.js';
import { showErasureResult } from './erasure-result.js';
import { confirmInPage, h, mount } from './dom.js';

/** Where export and erasure results of the customer page go (one at a time). */
const privacyOut = () => document.getElementById('privacy-output');
let exportUrl = null;

export async function exportSubject(path, name, fileName) {
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
export async function confirmErasure(name, path, after) {
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
export function restrictionButton(subject, path, { name, onChange } = {}) {
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

export function renderPrivacyRequests(box, customer, main) {
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

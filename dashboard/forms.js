// Form helpers shared by the pages, beside `field()` and `showFieldErrors()` in dom.js.
import { h, showFieldErrors } from './dom.js';

export const errorBox = () => h('div', { class: 'form-errors error-box', role: 'alert', hidden: true });

/** Adds a hint under a `field()`'s control, read out with it. */
export function withHint(fieldEl, text) {
  const control = fieldEl.querySelector('input, select, textarea');
  const id = `${control.id}-hint`;
  control.setAttribute('aria-describedby', `${id} ${control.getAttribute('aria-describedby')}`);
  control.after(h('p', { class: 'field-hint muted', id }, text));
  return fieldEl;
}

/** An error the API gave as a sentence (a 409), shown under the one field it is about. */
export function showErrorUnder(form, name, message) {
  showFieldErrors(form, []);
  const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
  const control = form.querySelector(`[name="${CSS.escape(name)}"]`);
  slot.textContent = message;
  control.setAttribute('aria-invalid', 'true');
  control.focus();
}

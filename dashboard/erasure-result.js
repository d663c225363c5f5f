// What an erasure did, as the API answered it: shown after an erasure from a customer's page and
// from a request in the register.
import { h, mount } from './dom.js';

/** Shows `{ erased, anonymised, retained }` under `heading` in `out` and moves focus to it. */
export function showErasureResult(out, heading, result, attributes = {}) {
  const items = (xs) =>
    xs?.length
      ? h(
          'ul',
          {},
          xs.map((x) => h('li', {}, x)),
        )
      : h('p', { class: 'muted' }, 'nothing');
  mount(
    out,
    h(
      'div',
      { class: 'notice-box erasure-result', role: 'status', ...attributes },
      h('h3', { tabindex: '-1' }, heading),
      h('h4', {}, 'Erased'),
      items(result.erased),
      h('h4', {}, 'Anonymised'),
      items(result.anonymised),
      h('h4', {}, 'Retained'),
      items((result.retained ?? []).map((x) => `${x.what}: ${x.reason}`)),
    ),
  );
  out.querySelector('h3').focus();
}

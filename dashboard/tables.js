// Lists shared by the pages: a table with its empty text, paging, and sideways scrolling by keyboard.
import { h } from './dom.js';

export function table(labelText, headers, rows, empty = 'Nothing here yet.') {
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

/** Previous and next page of a list: "Page 2 of 7 (312)", keyboard-reachable buttons. */
export function pager({ page, limit, total, what, onPage }) {
  const pages = Math.max(1, Math.ceil(total / limit));
  if (pages <= 1) return '';
  return h(
    'nav',
    { class: 'pager actions', 'aria-label': `Pages of ${what}` },
    h('button', { type: 'button', class: 'secondary', disabled: page <= 1, onClick: () => onPage(page - 1) }, 'Previous page'),
    h('span', { 'aria-current': 'page' }, `Page ${page} of ${pages}`),
    h('button', { type: 'button', class: 'secondary', disabled: page >= pages, onClick: () => onPage(page + 1) }, 'Next page'),
  );
}

/**
 * A table wrapper that scrolls sideways on a narrow screen must be reachable by keyboard to be
 * scrolled without a mouse (WCAG 2.1.1): it takes focus, as a named region.
 */
export function keyboardScrollable(wrapper, name) {
  wrapper.setAttribute('tabindex', '0');
  wrapper.setAttribute('role', 'region');
  wrapper.setAttribute('aria-label', name);
  return wrapper;
}

// The alarm central's figures (docs/alarm-handling.md#response-time-figures), for supervisors and admins:
// how fast alarms are handled per class and per operator, where false alarms come from, and how a
// storm was worked through. Charts are SVG built here with DOM calls: no library, no inline style.
import { ApiError, get, query } from './api.js';
import { whileShown } from './alarm-feed.js';
import { fmtTime, h, label, mount } from './dom.js';

export const canSeeStatistics = (role) => ['supervisor', 'admin'].includes(role);

const HOUR = 3600_000;
const PRESETS = [
  ['24h', 'Last 24 hours', 24 * HOUR],
  ['7d', 'Last 7 days', 7 * 24 * HOUR],
  ['30d', 'Last 30 days', 30 * 24 * HOUR],
];
/** While a range that ends now is shown, changes to alarms refresh it, at most this often. */
const LIVE_REFRESH_MS = 3000;
/** Set when the range form was submitted: the page it leads to puts focus back on the form, not on nothing. */
let refocusRange = false;

/** "420 ms", "4.2 s", "42 s", "3 min 05 s", "2 h 10 min"; a dash when nothing could be measured. */
export function fmtMs(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

export const fmtShare = (x) => (x === null || x === undefined ? '–' : `${Math.round(x * 100)} %`);

const SVG_NS = 'http://www.w3.org/2000/svg';
/** `h` for SVG: attributes only (presentation through classes in style.css, which the CSP allows). */
function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat(Infinity))
    if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** A `datetime-local` value (the browser's zone) from an instant, and back. */
const toLocalInput = (iso) => {
  const d = new Date(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
};

/** The range a hash asks for: a preset that ends now, or a custom from/to. */
function rangeOf(params) {
  if (params.get('from') || params.get('to')) return { preset: 'custom', from: params.get('from') ?? undefined, to: params.get('to') ?? undefined };
  const preset = PRESETS.find(([key]) => key === params.get('range')) ?? PRESETS[1];
  const to = new Date();
  return { preset: preset[0], from: new Date(to.getTime() - preset[2]).toISOString(), to: to.toISOString() };
}

/** A table that scrolls inside itself on a narrow screen, reachable and named for the keyboard. */
function scrollTable(caption, headers, rows, attrs = {}) {
  return h(
    'div',
    { class: 'table-wrap stats-table', tabindex: '0', role: 'region', 'aria-label': caption },
    h(
      'table',
      attrs,
      h('caption', { class: 'visually-hidden' }, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}

function classTable(byClass) {
  const rows = Object.entries(byClass)
    .filter(([, c]) => c.alarms > 0)
    .map(([cls, c]) =>
      h(
        'tr',
        { dataset: { class: cls } },
        h('th', { scope: 'row' }, label(cls)),
        h('td', { class: 'num' }, c.alarms),
        h('td', { class: 'num' }, `${c.falseAlarms} (${fmtShare(c.falseAlarms / c.alarms)})`),
        h('td', { class: 'num' }, fmtMs(c.firstSmsMs?.p50)),
        h('td', { class: 'num' }, fmtMs(c.firstSmsMs?.p90)),
        h('td', { class: 'num' }, fmtMs(c.firstAckMs?.p50)),
        h('td', { class: 'num' }, fmtMs(c.firstAckMs?.p90)),
        h('td', { class: 'num' }, fmtMs(c.closeMs?.p50)),
        h('td', { class: 'num' }, fmtMs(c.closeMs?.p90)),
        h('td', { class: 'num' }, fmtShare(c.ackWithin30s)),
        h('td', { class: 'num' }, fmtShare(c.ackWithin60s)),
      ),
    );
  if (!rows.length) return h('p', { class: 'empty' }, 'No alarms were opened in this range.');
  return scrollTable(
    'Per alarm class',
    [
      'Class',
      'Alarms',
      'False alarms',
      'First SMS p50',
      'First SMS p90',
      'Operator handling p50',
      'Operator handling p90',
      'Closed p50',
      'Closed p90',
      'Handled within 30 s',
      'Handled within 60 s',
    ],
    rows,
    { id: 'stats-by-class' },
  );
}

function operatorTable(byOperator) {
  const rows = Object.entries(byOperator)
    .sort(([, a], [, b]) => b.alarms - a.alarms)
    .map(([id, o]) =>
      h(
        'tr',
        { dataset: { operatorId: id } },
        h('th', { scope: 'row' }, o.name ?? 'Removed operator'),
        h('td', { class: 'num' }, o.alarms),
        h('td', { class: 'num' }, fmtMs(o.firstAckMs?.p50)),
        h('td', { class: 'num' }, fmtMs(o.firstAckMs?.p90)),
        h('td', { class: 'num' }, fmtMs(o.closeMs?.p50)),
        h('td', { class: 'num' }, fmtMs(o.closeMs?.p90)),
      ),
    );
  if (!rows.length) return h('p', { class: 'empty' }, 'No operator handled an alarm opened in this range.');
  return scrollTable('Per operator (the alarms each handled first)', ['Operator', 'Alarms', 'Handling p50', 'Handling p90', 'Closed p50', 'Closed p90'], rows, {
    id: 'stats-by-operator',
  });
}

function siteTable(bySite) {
  const rows = bySite.map((s) =>
    h(
      'tr',
      { dataset: { customerId: s.customerId } },
      h('th', { scope: 'row' }, s.name ? h('a', { href: `#/customers/${s.customerId}` }, s.name) : 'Erased customer'),
      h('td', { class: 'num' }, s.alarms),
      h('td', { class: 'num' }, s.falseAlarms),
      h('td', { class: 'num' }, fmtShare(s.rate)),
    ),
  );
  if (!rows.length) return h('p', { class: 'empty' }, 'No premises had an alarm in this range.');
  return scrollTable('Premises with the most false alarms', ['Customer', 'Alarms', 'False alarms', 'False-alarm rate'], rows, { id: 'stats-by-site' });
}

/** Alarms and false alarms per class as horizontal bars; the class table above is its text alternative. */
function classChart(byClass) {
  const classes = Object.entries(byClass).filter(([, c]) => c.alarms > 0);
  if (!classes.length) return null;
  const max = Math.max(...classes.map(([, c]) => c.alarms));
  const rowH = 28;
  const labelW = 110;
  const barW = 560;
  const height = classes.length * rowH + 8;
  const summary = classes.map(([cls, c]) => `${label(cls)}: ${c.alarms} alarms, ${c.falseAlarms} false`).join('; ');
  return svg(
    'svg',
    {
      class: 'stats-chart',
      viewBox: `0 0 ${labelW + barW + 130} ${height}`,
      role: 'img',
      'aria-labelledby': 'chart-class-title chart-class-desc',
      id: 'chart-by-class',
    },
    svg('title', { id: 'chart-class-title' }, 'Alarms per class, false alarms in the darker part'),
    svg('desc', { id: 'chart-class-desc' }, summary),
    classes.map(([cls, c], i) => {
      const y = 4 + i * rowH;
      const w = Math.max(1, (c.alarms / max) * barW);
      const wf = (c.falseAlarms / max) * barW;
      return svg(
        'g',
        { 'data-class': cls },
        svg('text', { x: labelW - 8, y: y + 17, class: 'chart-label', 'text-anchor': 'end' }, label(cls)),
        svg('rect', { x: labelW, y, width: w.toFixed(1), height: rowH - 8, class: 'bar-alarms' }),
        wf > 0 ? svg('rect', { x: labelW, y, width: wf.toFixed(1), height: rowH - 8, class: 'bar-false' }) : null,
        svg('text', { x: labelW + w + 6, y: y + 17, class: 'chart-label' }, `${c.alarms} (${c.falseAlarms} false)`),
      );
    }),
  );
}

/** Alarms opened, closed and still open per hour (or day): a storm is the peak, working through it the open line coming down. */
function timelineChart(timeline) {
  const points = timeline.points;
  if (!points.length) return null;
  const unit = timeline.bucket === 'hour' ? 'hour' : 'day';
  const width = 800;
  const height = 200;
  const pad = { left: 36, right: 8, top: 10, bottom: 24 };
  const max = Math.max(1, ...points.map((p) => Math.max(p.opened, p.closed, p.open)));
  const x = (i) => pad.left + (points.length === 1 ? 0 : (i / (points.length - 1)) * (width - pad.left - pad.right));
  const y = (v) => height - pad.bottom - (v / max) * (height - pad.top - pad.bottom);
  const line = (key) => points.map((p, i) => `${x(i).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
  const opened = points.reduce((n, p) => n + p.opened, 0);
  const closed = points.reduce((n, p) => n + p.closed, 0);
  const peak = points.reduce((best, p) => (p.opened > best.opened ? p : best), points[0]);
  const desc =
    `${opened} alarms opened and ${closed} closed in ${points.length} ${unit}s.` +
    (peak.opened > 0 ? ` The busiest ${unit} began ${fmtTime(peak.at)}, with ${peak.opened} opened.` : '') +
    ` ${points[points.length - 1].open} still open at the end.`;
  return h(
    'figure',
    { class: 'stats-figure' },
    svg(
      'svg',
      {
        class: 'stats-chart',
        viewBox: `0 0 ${width} ${height}`,
        role: 'img',
        'aria-labelledby': 'chart-timeline-title chart-timeline-desc',
        id: 'chart-timeline',
      },
      svg('title', { id: 'chart-timeline-title' }, `Alarms opened and closed per ${unit}`),
      svg('desc', { id: 'chart-timeline-desc' }, desc),
      svg('line', { x1: pad.left, y1: y(0), x2: width - pad.right, y2: y(0), class: 'chart-axis' }),
      svg('line', { x1: pad.left, y1: pad.top, x2: pad.left, y2: y(0), class: 'chart-axis' }),
      svg('text', { x: pad.left - 4, y: pad.top + 10, class: 'chart-label', 'text-anchor': 'end' }, max),
      svg('text', { x: pad.left - 4, y: y(0), class: 'chart-label', 'text-anchor': 'end' }, 0),
      svg('text', { x: pad.left, y: height - 6, class: 'chart-label' }, fmtTime(points[0].at)),
      svg('text', { x: width - pad.right, y: height - 6, class: 'chart-label', 'text-anchor': 'end' }, fmtTime(points[points.length - 1].at)),
      svg('polyline', { points: line('opened'), class: 'line-opened' }),
      svg('polyline', { points: line('closed'), class: 'line-closed' }),
      svg('polyline', { points: line('open'), class: 'line-open' }),
    ),
    h(
      'figcaption',
      {},
      h('span', { class: 'legend legend-opened' }, 'Opened'),
      ' ',
      h('span', { class: 'legend legend-closed' }, 'Closed'),
      ' ',
      h('span', { class: 'legend legend-open' }, 'Still open'),
      ' ',
      h('span', { class: 'muted' }, desc),
    ),
  );
}

function rangeForm(range) {
  const select = h(
    'select',
    { id: 'stats-range', name: 'range' },
    [...PRESETS.map(([key, text]) => [key, text]), ['custom', 'Custom range']].map(([v, t]) => h('option', { value: v, selected: v === range.preset }, t)),
  );
  const from = h('input', {
    id: 'stats-from',
    name: 'from',
    type: 'datetime-local',
    value: range.from ? toLocalInput(range.from) : '',
    'aria-describedby': 'stats-range-hint',
  });
  const to = h('input', {
    id: 'stats-to',
    name: 'to',
    type: 'datetime-local',
    value: range.to ? toLocalInput(range.to) : '',
    'aria-describedby': 'stats-range-hint',
  });
  const custom = h(
    'div',
    { class: 'stats-custom', hidden: range.preset !== 'custom' },
    h('div', {}, h('label', { for: 'stats-from' }, 'From'), from),
    h('div', {}, h('label', { for: 'stats-to' }, 'To'), to),
    h('p', { class: 'muted field-hint', id: 'stats-range-hint' }, 'Your local time; at most 366 days.'),
  );
  select.addEventListener('change', () => {
    custom.hidden = select.value !== 'custom';
  });
  const error = h('div', { class: 'error-box', role: 'alert', hidden: true });
  const form = h(
    'form',
    { class: 'stats-range', 'aria-label': 'Range of the figures' },
    h(
      'div',
      { class: 'actions' },
      h('div', {}, h('label', { for: 'stats-range' }, 'Alarms opened in'), select),
      custom,
      h('button', { type: 'submit' }, 'Show'),
    ),
    error,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (select.value !== 'custom') {
      refocusRange = true;
      location.hash = `#/statistics${query({ range: select.value })}`;
      return;
    }
    const missing = [
      [from, 'From'],
      [to, 'To'],
    ].filter(([input]) => !input.value || isNaN(new Date(input.value).getTime()));
    error.hidden = missing.length === 0;
    error.textContent = missing.map(([, name]) => `${name}: choose a date and a time.`).join(' ');
    if (missing.length) return missing[0][0].focus();
    refocusRange = true;
    location.hash = `#/statistics${query({ from: new Date(from.value).toISOString(), to: new Date(to.value).toISOString() })}`;
  });
  return form;
}

function figures(s) {
  const csvHref = `/api/statistics${query({ format: 'csv', from: s.from, to: s.to })}`;
  return [
    h(
      'p',
      { class: 'stats-range-shown' },
      'Alarms opened from ',
      h('time', { datetime: s.from }, fmtTime(s.from)),
      ' to ',
      h('time', { datetime: s.to }, fmtTime(s.to)),
      '. ',
      h('a', { class: 'button secondary', href: csvHref, download: '', id: 'stats-csv' }, 'Download CSV'),
    ),
    h(
      'p',
      { class: 'muted' },
      'Times from the alarm opening: first SMS = the first alarm SMS handed to the SMS provider; operator handling = the first thing an operator did on the alarm (an action, a call, a close); closed = closing. p50: half of the alarms were faster; p90: nine in ten.',
    ),
    h('h2', {}, 'Per alarm class'),
    classTable(s.byClass),
    classChart(s.byClass),
    h('h2', {}, 'Alarms over time'),
    timelineChart(s.timeline),
    h('h2', {}, 'Per operator (the alarms each handled first)'),
    operatorTable(s.byOperator),
    h('h2', {}, 'Premises with the most false alarms'),
    siteTable(s.bySite),
  ];
}

export async function statisticsPage(main, params) {
  const range = rangeOf(params);
  const content = h('div', { id: 'stats-content' });
  mount(main, h('h1', {}, 'Statistics'), rangeForm(range), content);
  const load = async () => {
    const r = range.preset === 'custom' ? range : rangeOf(params);
    try {
      mount(content, figures(await get(`/api/statistics${query({ from: r.from, to: r.to })}`)));
    } catch (e) {
      if (e instanceof ApiError && e.status === 400)
        mount(
          content,
          h(
            'div',
            { class: 'error-box', role: 'alert' },
            e.messages.map((m) => h('div', {}, m)),
          ),
        );
      else throw e;
    }
  };
  await load();
  if (refocusRange) main.querySelector('#stats-range')?.focus();
  refocusRange = false;
  if (range.preset === 'custom') return;
  // A range that ends now moves with the alarms: refresh after a change, not on every one of a storm.
  let pending = null;
  whileShown(content, () => {
    if (pending) return;
    pending = setTimeout(() => {
      pending = null;
      if (content.isConnected) void load().catch(() => undefined);
    }, LIVE_REFRESH_MS);
  });
}

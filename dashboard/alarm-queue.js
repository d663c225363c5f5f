// The alarm queue: the open alarms, worst first, live from the feed.
import { live, refetchQueue, startQueueFeed, updateTitle, whenQueueChanges } from './alarm-feed.js';
import { acknowledgedBy, restoredPill, trigger } from './alarm-format.js';
import { address, age, fmtTime, h, label, mount, smsStatusPill, stagePill } from './dom.js';
import { zoneText } from './format.js';
// Who is handling, queue filters and storm groups (handling.js).
import { arrangeQueue, handlerLine, queueControls } from './handling.js';

let queueRoot = null;

function renderQueueIfShown() {
  if (!queueRoot || !queueRoot.isConnected) return;
  const focusedId = document.activeElement?.closest?.('tr')?.dataset?.alarmId;
  const rows = arrangeQueue(live.alarms, (a) => {
    // Who has been texted comes with each alarm (owner, or the contact by name), oldest first.
    const texted = (a.texted ?? []).map((t) => ({ who: t.to === 'owner' ? 'Owner' : (t.name ?? 'Contact'), status: t.status }));
    const isNew = live.fresh.has(a.id);
    const open = () => {
      live.fresh.delete(a.id);
      updateTitle();
      location.hash = `#/alarms/${a.id}`;
    };
    return h(
      'tr',
      {
        class: `alarm-row prio-${a.priority} stage-${a.stage}${isNew ? ' new-alarm' : ''}`,
        dataset: { alarmId: a.id },
        onClick: open,
      },
      h(
        'td',
        {},
        isNew ? h('span', { class: 'new-badge' }, 'NEW') : '',
        h(
          'a',
          {
            href: `#/alarms/${a.id}`,
            class: 'class-name',
            onClick: (e) => {
              e.preventDefault();
              open();
            },
          },
          label(a.class),
        ),
        h('div', { class: 'muted trigger' }, [zoneText(a.zone, a.zoneName), trigger(a)].filter(Boolean).join(' · ')),
      ),
      h(
        'td',
        {},
        stagePill(a.stage, a),
        restoredPill(a),
        a.stage === 'acknowledged' && a.acknowledgedBy ? h('div', { class: 'muted acknowledged-by' }, `by ${acknowledgedBy(a.acknowledgedBy)}`) : '',
        handlerLine(a),
      ),
      h('td', {}, a.customer?.name ?? ''),
      h('td', {}, address(a.customer?.alarmAddress)),
      h('td', { class: 'nowrap' }, age(a.openedAt)),
      h(
        'td',
        { class: 'texted' },
        texted.length ? texted.map((t, i) => [i ? ', ' : '', `${t.who} `, smsStatusPill(t.status)]) : h('span', { class: 'muted' }, 'nobody'),
      ),
    );
  });
  // Before the first load: nothing is known yet, which is not the same as "no open alarms".
  const problem = live.loadError
    ? h(
        'div',
        { class: 'error-box', role: 'alert', id: 'queue-problem' },
        live.loadedAt
          ? `Not up to date: the queue could not be reloaded (${live.loadError}). Shown as it was at ${fmtTime(live.loadedAt)}. Retrying…`
          : `Could not load the open alarms (${live.loadError}). Retrying…`,
      )
    : '';
  const more =
    live.total > live.alarms.length
      ? h('p', { class: 'warn-box', role: 'status', id: 'queue-more' }, `Showing the ${live.alarms.length} worst of ${live.total} open alarms.`)
      : '';
  const table = !live.loadedAt
    ? live.loadError
      ? ''
      : h('p', { class: 'empty' }, 'Loading open alarms…')
    : live.alarms.length
      ? h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'queue', 'aria-label': 'Open alarms, worst first' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Alarm', 'Stage', 'Customer', 'Alarm address', 'Age', 'Texted'].map((t) => h('th', { scope: 'col' }, t)),
              ),
            ),
            h('tbody', {}, rows),
          ),
        )
      : h('p', { class: 'empty' }, 'No open alarms.');
  mount(queueRoot, problem, more, table);
  const count = document.getElementById('queue-count');
  if (count) count.textContent = live.loadedAt ? `(${live.total})` : '';
  if (focusedId) queueRoot.querySelector(`tr[data-alarm-id="${focusedId}"] a`)?.focus();
}

whenQueueChanges(renderQueueIfShown);

export async function queuePage(main) {
  queueRoot = h('div', { id: 'queue' });
  mount(main, h('h1', {}, 'Open alarms ', h('span', { class: 'muted', id: 'queue-count' })), queueControls(renderQueueIfShown), queueRoot);
  startQueueFeed();
  await refetchQueue();
  renderQueueIfShown();
}

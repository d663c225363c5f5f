// The live feed of open alarms (server-sent events, with a poll under it), kept while logged in: the
// queue, the title's count of new alarms, and any page that shows alarms follow it.
import { ApiError, get } from './api.js';
import { unopenedAlarmsChanged } from './attention.js';
import { address, label } from './dom.js';

const announcer = () => document.getElementById('announcer');

/** Shared live state: the open alarms (each with who has been texted) and which are new to this operator. */
export const live = {
  source: null,
  alarms: [],
  known: null,
  fresh: new Set(),
  listeners: new Set(),
  refetch: null,
  dirty: false,
  /** All open alarms, of which `alarms` holds the worst QUEUE_LIMIT. */
  total: 0,
  /** When the queue was last loaded, and why the last try failed (null when it did not). */
  loadedAt: null,
  loadError: null,
  retry: null,
  streamUp: false,
};

/** The queue shows this many of the worst; when there are more it says so. */
const QUEUE_LIMIT = 200;

/** How the queue page redraws when the queue changes: it registers itself, so the feed imports no page. */
let queueChanged = () => undefined;
export function whenQueueChanges(fn) {
  queueChanged = fn;
}

export function startQueueFeed() {
  if (live.source) return;
  live.source = new EventSource('/api/alarms/stream');
  live.source.addEventListener('alarm', (ev) => {
    let alarm;
    try {
      alarm = JSON.parse(ev.data);
    } catch {
      return;
    }
    scheduleRefetch();
    for (const fn of live.listeners) fn(alarm);
  });
  // EventSource reconnects by itself; after a gap, refetch so nothing missed stays missed.
  live.source.addEventListener('open', () => {
    live.streamUp = true;
    feedStatus();
    scheduleRefetch();
  });
  live.source.addEventListener('error', () => {
    live.streamUp = false;
    feedStatus();
    // EventSource gives up for good on an answer that is not a stream (401 once the session is gone,
    // 503): ask who is logged in, which shows the login page on 401, and otherwise try again.
    if (live.source?.readyState === EventSource.CLOSED) void sessionCheck(true);
  });
  // The server ends the stream when the session ends (logout elsewhere, disabled, new role or password).
  live.source.addEventListener('session_ended', () => {
    live.source?.close();
    void sessionCheck(false);
  });
  // A safety net under the live feed: a lost event or a dead connection costs at most this long.
  live.poll = setInterval(() => void refetchQueue(), 15_000);
  void refetchQueue();
}

/** After the stream closed for good: the login page if the session is gone (api.js on 401), else a new stream. */
async function sessionCheck(reopen) {
  try {
    await get('/api/auth/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
  }
  if (!live.source) return;
  clearTimeout(live.reopen);
  live.reopen = setTimeout(
    () => {
      if (!live.source) return;
      stopQueueFeed();
      startQueueFeed();
    },
    reopen ? 5000 : 0,
  );
}

/**
 * Calls `fn` with each alarm that changes (the live feed's view of it) for as long as `element` is on
 * the page: another page showing alarms stays live without a feed of its own.
 */
export function whileShown(element, fn) {
  const listener = (alarm) => {
    if (!element.isConnected) live.listeners.delete(listener);
    else fn(alarm);
  };
  live.listeners.add(listener);
}

/**
 * Says plainly when the queue is not live, so nobody trusts a stale screen: the stream can be up
 * while the alarms cannot be read (the database is down), and that is not live either.
 */
function feedStatus() {
  const el = document.getElementById('feed-status');
  if (!el) return;
  el.hidden = false;
  el.textContent = !live.streamUp ? 'Not live: reconnecting…' : live.loadError ? 'Not up to date' : 'Live';
  el.classList.toggle('down', !live.streamUp || !!live.loadError);
}

/** The feed stays on while logged in (a new alarm must be noticed on every page); closed at logout. */
export function stopQueueFeed() {
  clearInterval(live.poll);
  clearTimeout(live.reopen);
  clearTimeout(live.refetch);
  clearTimeout(live.retry);
  live.refetch = null;
  live.retry = null;
  live.streamUp = false;
  live.loadedAt = null;
  live.loadError = null;
  const status = document.getElementById('feed-status');
  if (status) status.hidden = true;
  live.source?.close();
  live.source = null;
  live.known = null;
  live.fresh.clear();
  updateTitle();
}

/**
 * At most one refetch of the queue per 100 ms while changes keep coming, and never two at once. Not
 * a debounce: that waits for a quiet moment, and an alarm storm never gives one.
 */
function scheduleRefetch() {
  live.dirty = true;
  if (live.refetch) return;
  live.refetch = setTimeout(async () => {
    live.dirty = false;
    await refetchQueue();
    live.refetch = null;
    if (live.dirty && live.source) scheduleRefetch();
  }, 100);
}

export async function refetchQueue() {
  let list;
  try {
    list = await get(`/api/alarms?status=open&limit=${QUEUE_LIMIT}`);
  } catch (e) {
    // Never an empty "no open alarms" because the list could not be read: say so, keep showing the
    // last list with its time, and try again soon (the 15 s poll is too slow for this).
    live.loadError = e instanceof ApiError ? e.message : 'the server cannot be reached';
    if (!live.retry && live.source) {
      live.retry = setTimeout(() => {
        live.retry = null;
        if (live.source) void refetchQueue();
      }, 3000);
    }
    feedStatus();
    queueChanged();
    return;
  }
  live.loadError = null;
  live.loadedAt = new Date().toISOString();
  live.total = list.total;
  feedStatus();
  const ids = new Set(list.items.map((a) => a.id));
  if (live.known) {
    const added = list.items.filter((a) => !live.known.has(a.id));
    for (const a of added) live.fresh.add(a.id);
    if (added.length) notifyNew(added);
  }
  for (const id of live.fresh) if (!ids.has(id)) live.fresh.delete(id);
  live.known = ids;
  live.alarms = list.items;
  updateTitle();
  queueChanged();
}

export function updateTitle() {
  const n = live.fresh.size;
  document.title = n ? `(${n} new) Keyholder` : 'Keyholder';
  const banner = document.getElementById('new-alarms');
  if (banner) {
    banner.hidden = n === 0;
    banner.textContent = n === 1 ? '1 new alarm' : `${n} new alarms`;
  }
  unopenedAlarmsChanged(live.alarms.filter((a) => live.fresh.has(a.id)));
}

/** The open alarms in the queue's order (worst first), for the keyboard's next and previous. */
export const queueOrder = () => live.alarms;

function notifyNew(added) {
  announcer().textContent = `New alarm: ${added.map((a) => `${label(a.class)} at ${address(a.customer?.alarmAddress)}`).join('; ')}`;
}

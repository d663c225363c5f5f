// Never miss a new alarm: a sound that repeats until every new alarm has been opened (a different
// pattern for fire and gas, and for panic and duress), the "new alarms" bar that leads to the newest
// one, and the keyboard shortcuts of the queue and the alarm page.
import { post } from './api.js';
import { h, label } from './dom.js';
import { queueOrder } from './alarm-feed.js';

const SOUND_KEY = 'keyholder.sound';
/** How often the sound comes back while an alarm nobody opened is waiting. */
const REPEAT_MS = 4000;

/** Sound is on unless this operator switched it off on this browser. */
const soundOn = () => localStorage.getItem(SOUND_KEY) !== 'off';

/** The tones of one round, as [frequency Hz, start s, length s]: the worst class waiting decides. */
const PATTERNS = {
  // Panic and duress: a life may be at stake. Fast, high pulses nobody mistakes for anything else.
  life: [0, 0.12, 0.24, 0.36, 0.48, 0.6, 0.72, 0.84].map((t) => [1320, t, 0.08]),
  // Fire and gas: a two-tone siren.
  hazard: [
    [660, 0, 0.35],
    [880, 0.4, 0.35],
    [660, 0.8, 0.35],
    [880, 1.2, 0.35],
  ],
  // Everything else: three beeps.
  other: [
    [880, 0, 0.2],
    [880, 0.35, 0.2],
    [880, 0.7, 0.2],
  ],
};
const TONE_NAMES = { life: 'panic and duress tone', hazard: 'fire and gas tone', other: 'alarm tone' };
const patternFor = (alarms) =>
  alarms.some((a) => a.class === 'panic' || a.class === 'duress') ? 'life' : alarms.some((a) => a.class === 'fire' || a.class === 'gas') ? 'hazard' : 'other';

const state = { unopened: [], timer: null, audio: null };

/**
 * Browsers let a page make sound only after the person has clicked or typed in it. The login click
 * (or any click or key after a reload) is that gesture: the audio starts there and then.
 */
function unlockAudio() {
  try {
    state.audio ??= new AudioContext();
    if (state.audio.state === 'suspended') void state.audio.resume().then(soundStatus, soundStatus);
  } catch {
    /* no Web Audio: the bar, the title and the flashing rows still show */
  }
  soundStatus();
}

function playRound() {
  const audio = state.audio;
  if (!audio || audio.state !== 'running' || !soundOn() || !state.unopened.length) return;
  for (const [frequency, start, length] of PATTERNS[patternFor(state.unopened)]) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = frequency;
    gain.gain.value = 0.2;
    osc.connect(gain).connect(audio.destination);
    const t = audio.currentTime + start;
    osc.start(t);
    osc.stop(t + length);
  }
}

/** Says what the sound is doing, for screen readers and for anyone who wonders why it is quiet. */
function soundStatus() {
  const el = document.getElementById('alarm-sound-status');
  if (!el) return;
  const n = state.unopened.length;
  const waiting = n === 1 ? '1 new alarm not opened' : `${n} new alarms not opened`;
  let text = '';
  if (n && !soundOn()) text = `Sound off: ${waiting}`;
  else if (n && state.audio?.state === 'running') text = `Alarm sounding (${TONE_NAMES[patternFor(state.unopened)]}): ${waiting}`;
  else if (n) text = `Sound blocked by the browser: click or press a key to hear it (${waiting})`;
  if (el.textContent !== text) el.textContent = text;
  el.hidden = !text;
}

/**
 * The alarm feed's hook: the open alarms this operator has not opened yet. The sound plays now and
 * repeats while any is left; it stops when the last one has been opened (or has closed).
 */
export function unopenedAlarmsChanged(alarms) {
  const before = new Set(state.unopened.map((a) => a.id));
  state.unopened = alarms;
  if (!alarms.length) {
    clearInterval(state.timer);
    state.timer = null;
  } else {
    if (alarms.some((a) => !before.has(a.id))) playRound();
    state.timer ??= setInterval(() => {
      playRound();
      soundStatus();
    }, REPEAT_MS);
  }
  soundStatus();
}

/** The newest alarm nobody here has opened: where the "new alarms" bar leads. */
function newestUnopened() {
  return [...state.unopened].sort((a, b) => b.openedAt.localeCompare(a.openedAt) || b.id.localeCompare(a.id))[0];
}

// ---------------------------------------------------------------- keyboard shortcuts

const SHORTCUTS = [
  ['j', 'Next alarm'],
  ['k', 'Previous alarm'],
  ['Enter or o', 'Open the chosen alarm (in the queue)'],
  ['c', 'Claim the chosen alarm (the one shown on an alarm page)'],
  ['?', 'This list'],
];

function shortcutsDialog() {
  const opener = document.activeElement;
  const close = h('button', { type: 'button', class: 'secondary' }, 'Close');
  const dialog = h(
    'dialog',
    { class: 'shortcuts-dialog', 'aria-labelledby': 'shortcuts-title' },
    h('h2', { id: 'shortcuts-title' }, 'Keyboard shortcuts'),
    h('p', { class: 'muted' }, 'On the alarm queue and an alarm page, when you are not typing in a field.'),
    h(
      'dl',
      { class: 'facts' },
      SHORTCUTS.map(([key, what]) => [h('dt', {}, h('kbd', {}, key)), h('dd', {}, what)]),
    ),
    h('div', { class: 'actions' }, close),
  );
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener?.isConnected) opener.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
}

/** Where a shortcut's outcome is said: in the page (seen) and to screen readers. */
function say(text, bad = false) {
  const el = document.getElementById('shortcut-status');
  if (el) {
    el.textContent = text;
    el.className = bad ? 'shortcut-status error-box' : 'shortcut-status notice-box';
    el.hidden = false;
  }
  const announcer = document.getElementById('announcer');
  if (announcer) announcer.textContent = text;
}

const currentPage = () => {
  const [section, id] = location.hash.replace(/^#\/?/, '').split('?')[0].split('/');
  return { section, id };
};

const rowLinks = () => [...document.querySelectorAll('#queue tr.alarm-row a.class-name')];

/** The queue row the keyboard is on, if any. */
const chosenRow = () => document.activeElement?.closest?.('#queue tr.alarm-row') ?? null;

function move(step) {
  const { section, id } = currentPage();
  if (section === 'queue') {
    const links = rowLinks();
    if (!links.length) return;
    const at = links.findIndex((a) => a.closest('tr') === chosenRow());
    const next = at < 0 ? (step > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, at + step));
    links[next].focus();
  } else if (section === 'alarms' && id) {
    // On an alarm page the queue's order decides which alarm is next.
    const order = queueOrder();
    const at = order.findIndex((a) => a.id === id);
    const next = order[at < 0 ? 0 : at + step];
    if (next) location.hash = `#/alarms/${next.id}`;
    else say(step > 0 ? 'This is the last alarm in the queue.' : 'This is the first alarm in the queue.');
  }
}

async function claim() {
  const { section, id } = currentPage();
  const alarmId = section === 'alarms' ? id : chosenRow()?.dataset.alarmId;
  if (!alarmId) return say('Choose an alarm first (j and k move through the queue).', true);
  const alarm = queueOrder().find((a) => a.id === alarmId);
  const what = alarm ? `the ${label(alarm.class)} alarm` : 'the alarm';
  try {
    await post(`/api/alarms/${alarmId}/claim`);
    say(`You are handling ${what}.`);
  } catch (e) {
    say(`Could not claim ${what}: ${e.message}`, true);
  }
}

/** Never while typing, never over a dialog, never with a modifier (the browser's own shortcuts). */
function shortcutAllowed(e) {
  if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return false;
  if (document.querySelector('dialog[open]')) return false;
  const t = e.target;
  return !(t instanceof Element && t.closest('input, textarea, select, [contenteditable]:not([contenteditable="false"])'));
}

function onKey(e) {
  if (!document.getElementById('who-name')?.offsetParent || !shortcutAllowed(e)) return;
  const { section } = currentPage();
  if (section !== 'queue' && section !== 'alarms') return;
  if (e.key === '?') shortcutsDialog();
  else if (e.key === 'j') move(1);
  else if (e.key === 'k') move(-1);
  else if (e.key === 'o' && section === 'queue') chosenRow()?.querySelector('a.class-name')?.click();
  else if (e.key === 'c') void claim();
  else return;
  e.preventDefault();
}

/** Sets up the sound switch, the bar and the shortcuts once, when the dashboard loads. */
export function startAttention() {
  const toggle = document.getElementById('sound-toggle');
  toggle.checked = soundOn();
  toggle.addEventListener('change', () => {
    localStorage.setItem(SOUND_KEY, toggle.checked ? 'on' : 'off');
    if (toggle.checked) playRound();
    soundStatus();
  });
  document.addEventListener('pointerdown', unlockAudio, true);
  document.addEventListener('keydown', unlockAudio, true);
  document.addEventListener('keydown', onKey);
  // "23 new alarms" takes the operator to the newest of them (the queue when there is none left).
  document.getElementById('new-alarms').addEventListener('click', (e) => {
    const newest = newestUnopened();
    if (!newest) return;
    e.preventDefault();
    location.hash = `#/alarms/${newest.id}`;
  });
  document
    .getElementById('top')
    .append(
      h('p', { id: 'alarm-sound-status', class: 'alarm-sound-status', role: 'status', hidden: true }),
      h('p', { id: 'shortcut-status', class: 'shortcut-status', role: 'status', hidden: true }),
    );
  // What a shortcut said belongs to the page it was said on.
  window.addEventListener('hashchange', () => {
    document.getElementById('shortcut-status').hidden = true;
  });
}

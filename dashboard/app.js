// Keyholder operators' dashboard: hash routes, no build step, everything from this origin.
import { ApiError, get, post, whenUnauthenticated } from './api.js';
import { fmtAge, fmtCountdown, h, mayLeave, mount } from './dom.js';
import { startQueueFeed, stopQueueFeed } from './alarm-feed.js';
import { queuePage } from './alarm-queue.js';
import { alarmPage } from './alarm-page.js';
import { can, me, setMe } from './session.js';
import { customersPage } from './customers-list.js';
import { customerPage } from './customer-page.js';
import { messagesPage } from './messages.js';
import { privacyPage } from './privacy.js';
import { operatorsPage } from './operators.js';
import { escalationSettingsPage } from './settings.js';
import { canSeeStatistics, statisticsPage } from './statistics.js';
import { startAttention } from './attention.js';

const main = document.getElementById('main');
const state = {
  get me() {
    return me();
  },
  set me(v) {
    setMe(v);
  },
};

const PAGES = [
  { path: 'queue', title: 'Alarm queue', allowed: can.alarms },
  { path: 'customers', title: 'Customers', allowed: () => true },
  { path: 'messages', title: 'Messages', allowed: can.messages },
  { path: 'privacy', title: 'Privacy', allowed: can.privacy },
  { path: 'settings', title: 'Escalation settings', allowed: can.escalationSettings },
  { path: 'operators', title: 'Operators', allowed: can.operators },
  { path: 'statistics', title: 'Statistics', allowed: canSeeStatistics },
];

function home() {
  return can.alarms(state.me.role) ? '#/queue' : '#/customers';
}

function renderNav(current) {
  const nav = document.getElementById('nav');
  mount(
    nav,
    PAGES.filter((p) => p.allowed(state.me.role)).map((p) => h('a', { href: `#/${p.path}`, 'aria-current': current === p.path ? 'page' : undefined }, p.title)),
  );
}

/** The address of the page shown, to go back to when its unsaved edits keep the operator there. */
let shownHash = location.hash;

async function route() {
  if (!state.me) return;
  if (!(await mayLeave())) {
    history.replaceState(null, '', shownHash);
    return;
  }
  shownHash = location.hash;
  const [hash, search] = (location.hash.replace(/^#\/?/, '') || home().slice(2)).split('?');
  const [section, id, sub] = hash.split('/');
  // A page may be opened with its filters set: #/messages?alarmId=...
  const params = new URLSearchParams(search ?? '');
  const page = PAGES.find((p) => p.path === section);
  renderNav(section === 'alarms' ? 'queue' : section);
  if ((page && !page.allowed(state.me.role)) || (section === 'alarms' && !can.alarms(state.me.role))) {
    location.hash = home();
    return;
  }
  // The page being left must not stay clickable while the next one loads: a click meant for the
  // new alarm would land on the old one's buttons.
  mount(main, h('p', { class: 'empty', role: 'status' }, 'Loading…'));
  try {
    if (section === 'queue') await queuePage(main);
    else if (section === 'alarms' && id) await alarmPage(main, id);
    else if (section === 'customers' && id) await customerPage(main, id, sub);
    else if (section === 'customers') await customersPage(main);
    else if (section === 'messages') await messagesPage(main, params);
    else if (section === 'privacy') await privacyPage(main, params);
    else if (section === 'operators') await operatorsPage(main);
    else if (section === 'settings') await escalationSettingsPage(main);
    else if (section === 'statistics') await statisticsPage(main, params);
    else location.hash = home();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    mount(main, h('h1', {}, 'Something went wrong'), h('div', { class: 'error-box', role: 'alert' }, e.message));
  }
}

function loginPage(message) {
  stopQueueFeed();
  state.me = null;
  document.getElementById('top').hidden = true;
  const error = h('div', { class: 'error-box', role: 'alert', hidden: !message }, message ?? '');
  const form = h(
    'form',
    { class: 'login card', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Keyholder: log in'),
    error,
    h('label', { for: 'login-email' }, 'Email'),
    h('input', { id: 'login-email', name: 'email', type: 'email', autocomplete: 'username', required: true }),
    h('label', { for: 'login-password' }, 'Password'),
    h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Log in')),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    try {
      const res = await post('/api/auth/login', { email: data.get('email'), password: data.get('password') });
      await signedIn(res.operator);
    } catch (e) {
      error.hidden = false;
      error.textContent = e.status === 401 ? 'Email or password is wrong.' : e.message;
    }
  });
  mount(main, form);
  form.querySelector('input').focus();
}

async function signedIn(operator) {
  state.me = operator;
  document.getElementById('top').hidden = false;
  document.getElementById('who-name').textContent = operator.name;
  document.getElementById('who-role').textContent = operator.role;
  // The beep is for new alarms: nothing to switch for someone who does not see them.
  document.querySelector('.sound').hidden = !can.alarms(operator.role);
  if (can.alarms(operator.role)) startQueueFeed();
  if (!location.hash || location.hash === '#/' || location.hash === '#/login') location.hash = home();
  else await route();
}

document.getElementById('logout').addEventListener('click', async () => {
  try {
    await post('/api/auth/logout');
  } catch {
    /* the session may be gone already */
  }
  history.replaceState(null, '', '#/login');
  loginPage('You are logged out.');
  document.querySelector('.login .error-box').className = 'notice-box';
});

// Sound (on unless muted), the new-alarms bar and the keyboard shortcuts.
startAttention();

// One clock for every age shown.
setInterval(() => {
  const now = Date.now();
  for (const el of document.querySelectorAll('[data-since]')) el.textContent = fmtAge(el.dataset.since, now);
  for (const el of document.querySelectorAll('[data-until]')) el.textContent = fmtCountdown(el.dataset.until, now);
}, 1000);

whenUnauthenticated(() => {
  if (state.me) loginPage('Your session has ended; log in again.');
});
window.addEventListener('hashchange', () => void route());

try {
  const operator = await get('/api/auth/me');
  await signedIn(operator);
} catch {
  loginPage();
}

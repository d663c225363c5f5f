// A customer's panels: registering one (HTTP or SIA DC-09), its secret or installer's card shown once,
// rotating the secret, and whether each panel is heard.
import { get, post } from './api.js';
import { can, me } from './session.js';
import { actionErrorBox, clearActionError, confirmInPage, field, fmtTime, h, label, mount, pill, showActionError, showFieldErrors } from './dom.js';
import { errorBox, showErrorUnder, withHint } from './forms.js';
import { table } from './tables.js';

/** A button that copies `value`; says whether it worked, in its own text. */
function copyButton(value, text = 'Copy') {
  const button = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onClick: async () => {
        try {
          await navigator.clipboard.writeText(value);
          button.textContent = 'Copied';
        } catch {
          button.textContent = 'Copy failed: select the text';
        }
      },
    },
    text,
  );
  return button;
}

function secretBox(secret, what) {
  return h(
    'div',
    { class: 'notice-box', role: 'status', id: 'panel-secret' },
    h('p', {}, `${what}: this secret is shown once, now. Put it into the panel.`),
    h('code', { class: 'secret' }, secret),
    ' ',
    copyButton(secret),
  );
}

/** "25 h", "8 h 20 min", "3 days 2 h": the two largest units, the rest dropped (so never more than the seconds given). */
function fmtDuration(seconds) {
  let left = Math.max(0, Math.floor(seconds));
  // Hours up to two days read better than "1 day 1 h".
  const units = [...(left >= 2 * 86400 ? [['days', 86400]] : []), ['h', 3600], ['min', 60], ['s', 1]];
  const parts = [];
  for (const [unit, size] of units) {
    const n = Math.floor(left / size);
    left -= n * size;
    if (n) parts.push(`${n} ${unit}`);
    else if (parts.length) break;
    if (parts.length === 2) break;
  }
  return parts.join(' ') || '0 s';
}

const PROTOCOLS = [
  ['http', 'HTTP (signed JSON events)'],
  ['dc09', 'SIA DC-09 (TCP or UDP)'],
];
const ENCRYPTIONS = [
  ['required', 'required: plain frames are refused'],
  ['optional', 'optional: plain frames are accepted too'],
];
const aesBits = (key) => (key?.length ?? 0) * 4;

/** What the DC-09 receiver is, for the installer's card; an error is shown on the card instead. */
const dc09Receiver = () =>
  get('/api/settings/dc09').then(
    (settings) => ({ settings }),
    (error) => ({ error }),
  );

/**
 * Everything an installer types into a DC-09 panel, on one card, shown once (the key is not shown again):
 * where to send (host, port, TCP or UDP), as whom (account) and with which key, and the two settings
 * that decide whether the panel is heard at all: its clock (encrypted frames outside the window get
 * a NAK) and its link test interval (a silent panel is reported offline).
 */
function installerCard({ panel, secret, rotated, receiver }) {
  const dc09 = panel.dc09 ?? {};
  const key = dc09.key ?? secret;
  const s = receiver?.settings;
  const name = panel.label ?? `panel ${panel.id}`;
  const interval = panel.supervisionIntervalSeconds;
  const fact = (term, ...dd) => [h('dt', {}, term), h('dd', {}, ...dd)];
  let receiverWarning = '';
  if (!s)
    receiverWarning = `The receiver's address could not be read (${receiver?.error?.message ?? 'no answer'}). Copy the account and key below now: they are not shown again. The host and port are the same for every DC-09 panel.`;
  else if (!s.enabled) receiverWarning = 'The DC-09 receiver is turned off on this server (DC09_PORT=off): the panel cannot report until it is turned on.';
  else if (!s.listening) receiverWarning = 'The DC-09 receiver is not listening right now: the panel will get no answer until it is.';
  const tsWindow = s?.timestampWindow;
  return h(
    'section',
    { class: 'installer-card', id: 'panel-installer-card', 'aria-labelledby': 'installer-card-title' },
    h('h3', { id: 'installer-card-title', tabindex: '-1' }, `Installer's card: ${name}`),
    h(
      'p',
      { class: 'installer-once' },
      h('strong', {}, rotated ? 'New key, shown once, now.' : 'Shown once, now.'),
      " Type these into the panel's receiver settings; the key cannot be shown again (rotating it makes a new one).",
    ),
    receiverWarning ? h('p', { class: 'warn-box', role: 'alert' }, receiverWarning) : '',
    h(
      'dl',
      { class: 'facts' },
      fact('Receiver host', s?.host ?? '-'),
      fact('Port', s?.port != null ? String(s.port) : '-'),
      fact('Protocol', 'SIA DC-09, TCP or UDP'),
      fact('Account', h('code', { class: 'dc09-account' }, dc09.account ?? '-'), h('div', { class: 'muted' }, 'exactly as shown, leading zeros too')),
      fact('Key', h('code', { class: 'secret', id: 'installer-key' }, key), ' ', copyButton(key, 'Copy key')),
      fact(
        'Encryption',
        `AES-${aesBits(key)}, ${dc09.encryption ?? 'required'}`,
        h(
          'div',
          { class: 'muted' },
          dc09.encryption === 'optional' ? 'plain (unencrypted) frames are accepted too' : 'plain (unencrypted) frames are refused with NAK',
        ),
      ),
      fact('Timestamp window', tsWindow ? `${tsWindow.behindSeconds} s behind to ${tsWindow.aheadSeconds} s ahead of the receiver's UTC time` : '-'),
      fact(
        'Panel clock',
        `UTC, kept by time sync (NTP). Encrypted frames with a time outside the window are refused with NAK${tsWindow ? ` (more than ${tsWindow.behindSeconds} s behind or ${tsWindow.aheadSeconds} s ahead)` : ''}.`,
      ),
      fact(
        'Link test',
        `Keyholder reports this panel offline after ${fmtDuration(interval)} without a signal. Set the panel's link test (NULL / polling) interval well below that: at most ${fmtDuration(interval / 3)}.`,
      ),
    ),
  );
}

function protocolCell(p) {
  const cell = (...content) => h('td', { class: 'panel-protocol', dataset: { label: 'Protocol' } }, ...content);
  if (p.protocol !== 'dc09') return cell('HTTP');
  return cell(
    'SIA DC-09',
    h('div', { class: 'muted' }, 'Account ', h('code', { class: 'dc09-account' }, p.dc09?.account ?? '-')),
    h('div', { class: 'muted dc09-encryption' }, `Encryption ${p.dc09?.encryption ?? '-'}`),
  );
}

export async function renderPanels(box, customer, justCreated) {
  const role = me().role;
  const res = await get(`/api/customers/${customer.id}/panels`);
  const sup = (s) => pill(label(s), s === 'ok' ? 'good' : s === 'overdue' ? 'bad' : 'warn');
  const errors = actionErrorBox();
  // What was just created or rotated: a DC-09 panel's installer's card, or an HTTP panel's secret.
  const shownOnce = (shown) => (shown.panel?.protocol === 'dc09' ? installerCard(shown) : secretBox(shown.secret, shown.what));
  // A new secret is shown once: if the list cannot be read again now, it is shown without the list.
  const showSecret = async (shown) => {
    if (shown.panel?.protocol === 'dc09') shown.receiver = await dc09Receiver();
    await renderPanels(box, customer, shown).catch((e) => {
      mount(box, h('h2', { id: 'panels-title' }, 'Panels'), shownOnce(shown), errors);
      showActionError(errors, 'Could not reload the panels', e);
    });
    // The card is above the list and the form: the keyboard and the screen reader go to it.
    box.querySelector('#installer-card-title')?.focus();
  };
  const rows = res.items.map((p) => {
    const dc09 = p.protocol === 'dc09';
    const what = dc09 ? 'key' : 'secret';
    return h(
      'tr',
      { dataset: { panelId: p.id } },
      h('td', {}, p.label ?? '-', h('div', { class: 'muted' }, p.id)),
      h('td', { dataset: { label: 'Last seen' } }, p.lastSeenAt ? fmtTime(p.lastSeenAt) : 'never'),
      h('td', { dataset: { label: 'Supervision' } }, sup(p.supervision)),
      protocolCell(p),
      h(
        'td',
        {},
        can.createPanels(role)
          ? h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                onClick: async () => {
                  const sure = await confirmInPage({
                    title: `Rotate the ${what} of ${p.label ?? p.id}?`,
                    text: dc09 ? 'The panel is refused (NAK) until the new key is typed into it.' : 'The panel is refused until it has the new secret.',
                    confirm: `Yes, rotate the ${what}`,
                  });
                  if (!sure) return;
                  clearActionError(errors);
                  let r;
                  try {
                    r = await post(`/api/customers/${customer.id}/panels/${p.id}/rotate-secret`);
                  } catch (e) {
                    return showActionError(errors, `Could not rotate the ${what} of ${p.label ?? p.id}`, e);
                  }
                  await showSecret({ secret: r.secret, what: 'New secret', panel: r, rotated: true });
                },
              },
              `Rotate ${what}`,
            )
          : '',
      ),
    );
  });
  let form = '';
  if (can.createPanels(role)) {
    const protocol = field('Protocol', 'protocol', { options: PROTOCOLS, value: 'http' });
    const dc09Fields = h(
      'fieldset',
      { class: 'dc09-fields', hidden: true, disabled: true },
      h('legend', {}, 'SIA DC-09'),
      h(
        'div',
        { class: 'form-grid' },
        withHint(
          field('Account', 'dc09.account', { required: true, autocomplete: 'off' }),
          'As the panel sends it (#acct), leading zeros kept: e.g. 1234 or 000110.',
        ),
        withHint(
          field('Key (hex)', 'dc09.key', { autocomplete: 'off' }),
          "Leave empty to generate an AES-256 key; or the panel's own: 32, 48 or 64 hex digits.",
        ),
        field('Encryption', 'dc09.encryption', { options: ENCRYPTIONS, value: 'required' }),
      ),
    );
    const protocolSelect = protocol.querySelector('select');
    protocolSelect.addEventListener('change', () => {
      const on = protocolSelect.value === 'dc09';
      dc09Fields.hidden = !on;
      dc09Fields.disabled = !on;
    });
    form = h(
      'form',
      { class: 'panel-form', 'aria-label': 'Register a panel', novalidate: true },
      h('h3', {}, 'Register a panel'),
      errorBox(),
      h(
        'div',
        { class: 'form-grid' },
        field('Panel label', 'label', {}),
        protocol,
        withHint(
          field('Supervision interval (s)', 'supervisionIntervalSeconds', { type: 'text', autocomplete: 'off' }),
          'Reported offline after this long without a signal. Empty: 90000 (25 h).',
        ),
      ),
      dc09Fields,
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Register panel')),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const v = (n) => form.querySelector(`[name="${n}"]`).value.trim();
      const body = {};
      if (v('label')) body.label = v('label');
      // A typed number goes as a number; anything else as typed, so the API's message says what is wrong.
      const interval = v('supervisionIntervalSeconds');
      if (interval) body.supervisionIntervalSeconds = /^\d+$/.test(interval) ? Number(interval) : interval;
      if (v('protocol') === 'dc09') {
        body.protocol = 'dc09';
        body.dc09 = { account: v('dc09.account'), encryption: v('dc09.encryption') };
        // Keys are often copied with spaces between the groups of digits.
        const key = v('dc09.key').replace(/\s+/g, '');
        if (key) body.dc09.key = key;
      }
      let created;
      try {
        created = await post(`/api/customers/${customer.id}/panels`, body);
      } catch (e) {
        if (e.status === 409 && body.dc09) return showErrorUnder(form, 'dc09.account', e.message);
        return showFieldErrors(form, e.messages ?? [e.message]);
      }
      await showSecret({ secret: created.secret, what: `Panel ${created.id}`, panel: created });
    });
  }
  mount(
    box,
    h('h2', { id: 'panels-title' }, 'Panels'),
    justCreated ? shownOnce(justCreated) : '',
    errors,
    table('Panels', ['Panel', 'Last seen', 'Supervision', 'Protocol', ''], rows, 'No panels.'),
    form,
  );
}

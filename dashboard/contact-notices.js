// A contact's onboarding notice (the Art. 14 SMS with the policy link and STOP) as the operator
// needs to see it: whether the contact was informed, and if not, why and what happens next; and
// the list of contacts the notice never reached, for the numbers to be corrected.
import { get, post } from './api.js';
import { fmtTime, h, pill, telLink } from './dom.js';

/** Why a notice was given up (the contact's `notice.failedReason`), in the operator's words. */
const GAVE_UP = {
  number_cannot_receive: 'the number cannot receive SMS',
  opted_out: 'they said no (STOP, or blocked our number)',
  contact_removed: 'the contact was removed',
  number_changed: 'the number was changed',
  not_allowed: 'the send rules do not allow texting them now',
  attempts_exhausted: 'not delivered after every attempt',
};

/** Give-up reasons a corrected number can fix. */
const FIX_THE_NUMBER = new Set(['number_cannot_receive', 'attempts_exhausted']);

/** A provider's error code, or the send gate's reason, as shown. */
const errorText = (e) => (/^\d+$/.test(e) ? `error ${e}` : String(e).replace(/_/g, ' '));

/** What the notice's state means, in a sentence; empty when nothing needs saying. */
export function noticeReason(n) {
  if (!n) return '';
  const attempts = n.attempts === 1 ? '1 SMS' : `${n.attempts} SMS`;
  if (n.status === 'retrying') {
    const last = n.lastError ? ` (${errorText(n.lastError)})` : '';
    const next = n.nextAttemptAt ? `next try ${fmtTime(n.nextAttemptAt)}` : 'another try is being scheduled';
    return `Not delivered yet${last}, ${attempts} sent; ${next}.`;
  }
  if (n.status === 'failed') {
    const why = GAVE_UP[n.failedReason] ?? 'it could not be delivered';
    const last = n.lastError ? ` (${errorText(n.lastError)})` : '';
    const fix = FIX_THE_NUMBER.has(n.failedReason) ? ' Correct the number, or send it again if the number is right.' : '';
    return `Never informed: ${why}${last}, ${attempts} sent.${fix}`;
  }
  return '';
}

/** The badge on a contact, with the reason in words beside it when they were not (yet) informed. */
export function noticeBadge(n) {
  if (!n) return pill('no notice', 'warn');
  const kind = n.status === 'failed' ? 'bad' : n.status === 'delivered' ? 'good' : 'warn';
  const badge = pill(n.status === 'failed' ? 'not informed: notice failed' : `notice ${n.status}`, kind);
  const reason = noticeReason(n);
  return reason ? [badge, h('div', { class: `notice-reason ${n.status === 'failed' ? 'bad-text' : 'muted'}` }, reason)] : badge;
}

/**
 * "Send again" for a notice given up at the contact's number (POST .../notice), or nothing.
 * `done(saved)` after it was queued; `failed(error)` when it was refused.
 */
export function resendNoticeButton(customerId, c, { done, failed }) {
  if (c.notice?.status !== 'failed' || !FIX_THE_NUMBER.has(c.notice.failedReason)) return '';
  return h(
    'div',
    {},
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'aria-label': `Send notice again to ${c.name}`,
        dataset: { resendNotice: c.id },
        onClick: async () => {
          let saved;
          try {
            saved = await post(`/api/customers/${customerId}/contacts/${c.id}/notice`);
          } catch (e) {
            return failed(e);
          }
          await done(saved);
        },
      },
      'Send notice again',
    ),
  );
}

/**
 * The contacts never informed (GET /api/contacts/uninformed), given up first: a section that shows
 * only when there are any. Its load failing leaves the section out; the page itself still works.
 */
export async function uninformedContactsSection() {
  let res;
  try {
    res = await get('/api/contacts/uninformed?limit=100');
  } catch {
    return '';
  }
  if (!res.items.length) return '';
  const more = res.total > res.items.length ? ` (the first ${res.items.length} shown)` : '';
  return h(
    'section',
    { id: 'uninformed-contacts', class: 'warn-box', 'aria-labelledby': 'uninformed-title' },
    h('h2', { id: 'uninformed-title' }, `Contacts never informed: ${res.total}${more}`),
    h(
      'p',
      {},
      'Their onboarding notice (who we are, the privacy link, STOP) has not reached them. Given up first: correct the number on the customer page to send it again.',
    ),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { 'aria-label': 'Contacts never informed' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Contact', 'Customer', 'Phone', 'Notice'].map((t) => h('th', { scope: 'col' }, t)),
          ),
        ),
        h(
          'tbody',
          {},
          res.items.map((c) =>
            h(
              'tr',
              { dataset: { contactId: c.id } },
              h('td', {}, c.name),
              h('td', {}, h('a', { href: `#/customers/${c.customerId}` }, c.customerName)),
              h('td', {}, telLink(c.phone)),
              h('td', { class: 'contact-status' }, noticeBadge(c.notice)),
            ),
          ),
        ),
      ),
    ),
  );
}

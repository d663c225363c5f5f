import type { SmsStatus } from './sms.types.js';

/**
 * Where a status sits on the way out. Callbacks arrive out of order
 * (docs/sms.md#callbacks-arrive-out-of-order), so a later report of an earlier stage ("sent" after
 * "delivered") must not win.
 */
const RANK: Record<SmsStatus, number> = {
  queued: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  failed: 3,
  undelivered: 3,
  refused: 3,
  received: 3,
};

/** Nothing moves a message out of these: its fate is known. */
export const TERMINAL_STATUSES: ReadonlySet<SmsStatus> = new Set(['delivered', 'failed', 'undelivered', 'refused', 'received']);

/** Twilio's `failed`/`undelivered`: the escalation step ends without waiting (docs/sms.md#permanent-failures). */
export const isPermanentFailure = (s: SmsStatus) => s === 'failed' || s === 'undelivered';

/**
 * The one rule for every status report about an outbound message, from the provider's answer or a
 * callback: the status only ever moves forward (queued < sending < sent < delivered | failed |
 * undelivered), and a terminal status is final. A refusal only applies to a message not yet
 * handed to anyone (a STOP arriving while it waited). Returns `current` when the report changes nothing.
 *
 * The one deliberate step back, `sending` -> `queued` for a retry, is not a report but the
 * dispatcher returning its own claim after a failed attempt (or the sweeper returning the claim of a
 * sender that stopped); it is done in SmsDispatcher and SmsSweeper, not here.
 */
export function advanceStatus(current: SmsStatus, reported: SmsStatus): SmsStatus {
  if (TERMINAL_STATUSES.has(current)) return current;
  if (reported === 'received') return current; // inbound only; never a state of an outbound message
  if (reported === 'refused') return current === 'queued' ? 'refused' : current;
  return RANK[reported] > RANK[current] ? reported : current;
}

/**
 * Twilio's message statuses in ours. Everything from Twilio's `accepted` to its `sent` means "the
 * provider has it" (our `sent`); `read` implies delivery; `canceled` means it never left.
 * Unknown values are ignored (undefined) rather than guessed.
 */
export function fromTwilioStatus(status: string | undefined): SmsStatus | undefined {
  switch ((status ?? '').toLowerCase()) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
    case 'sending':
    case 'sent':
      return 'sent';
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'undelivered':
      return 'undelivered';
    case 'failed':
    case 'canceled':
      return 'failed';
    default:
      return undefined;
  }
}

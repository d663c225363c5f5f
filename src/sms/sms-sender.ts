import type { SmsStatus } from './sms.types.js';

export interface SmsSendRequest {
  /** E.164. */
  to: string;
  body: string;
  /** Where the provider should report delivery; unset: no callbacks. */
  statusCallback?: string;
}

export interface SmsSendResult {
  /** The provider's id for the message (Twilio's `SM...`), unique: status callbacks name it. */
  providerId: string;
  /** Our status for what the provider answered: normally `sent` ("the provider has it"). */
  status: SmsStatus;
}

/** What `findSent` looks for: a message to `to` with exactly this body, given to the provider since `since`. */
export interface SmsSentQuery {
  to: string;
  body: string;
  since: Date;
}

/**
 * Why a send did not go through. `permanent`: sending the same message again cannot help (invalid
 * number, recipient said STOP, bad credentials); otherwise it is worth another attempt later.
 */
export class SmsSendError extends Error {
  readonly permanent: boolean;
  /** The provider's error code (Twilio's 21211, ...) or a transport code (ETIMEDOUT, ...). */
  readonly code?: string;
  /** HTTP status of the provider's answer, when there was one. */
  readonly status?: number;
  /** How long the provider asked us to wait before trying again (a 429's Retry-After). */
  readonly retryAfterMs?: number;

  constructor(message: string, init: { permanent: boolean; code?: string | number; status?: number; retryAfterMs?: number }) {
    super(message);
    this.name = 'SmsSendError';
    this.permanent = init.permanent;
    this.code = init.code === undefined ? undefined : String(init.code);
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/**
 * Error codes after which a message may have reached the provider although no answer came back: the
 * request may have been written before the connection timed out or dropped. `outcome_unknown` is the
 * outbox's own: its sender stopped mid-send. Refused connections and failed name lookups are not here:
 * nothing was sent.
 */
export const OUTCOME_UNKNOWN_CODES: ReadonlySet<string> = new Set([
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ERR_NETWORK',
  'network_error',
  'outcome_unknown',
]);

/**
 * The port to whoever carries SMS (docs/style.md#ports-and-adapters).
 * The class is also the DI token. Adapters: TwilioSmsSender (real) and OutboxSmsSender (stores only).
 * `send` resolves once the provider has accepted the message, or throws SmsSendError.
 */
export abstract class SmsSender {
  /** What the `from` of an outbound message shows: the number, the messaging service, or "outbox". */
  abstract readonly from: string;
  /** Whether messages really leave the machine (and so whether the provider calls us back). */
  abstract readonly delivers: boolean;
  abstract send(request: SmsSendRequest): Promise<SmsSendResult>;
  /**
   * The provider's messages matching the query, newest first: asked before sending again after an
   * attempt whose outcome is unknown, so a message the provider took without answering is not sent
   * twice. An adapter that sends nothing for real finds nothing. Throws SmsSendError when it cannot tell.
   */
  abstract findSent(query: SmsSentQuery): Promise<SmsSendResult[]>;
  /**
   * Deletes the provider's copy of a message (its text, numbers, times), by the provider's id: what
   * an erasure asks of the processor. Resolves once the provider confirms, or says it has no such
   * message; throws SmsSendError otherwise (not `permanent` when a later attempt may succeed, such
   * as a message the provider has not finished with yet).
   */
  abstract deleteMessage(providerId: string): Promise<void>;
}

import twilio from 'twilio';
import type { AppConfig } from '../../config/app-config.js';
import { fromTwilioStatus } from '../sms-status.js';
import { SmsSendError, SmsSender, type SmsSendRequest, type SmsSendResult, type SmsSentQuery } from '../sms-sender.js';
import { TwilioHttpClient } from './twilio-http-client.js';
import { toSmsSendError } from './twilio-errors.js';

/** How far our database's clock may be ahead of Twilio's: `since` is moved back this much. */
const CLOCK_SKEW_MS = 60_000;
/** Twilio's "cannot delete this resource before it is complete": the message is still in progress there. */
const NOT_COMPLETE = '20009';

/** One page: far more messages than one number gets in the minutes a retry waits. */
const FIND_LIMIT = 50;

export interface TwilioSmsSenderOptions {
  /** How long one API call may take before it counts as a (temporary) timeout. */
  timeoutMs?: number;
}

/** Sends through Twilio's Messages API with the official SDK (docs/stack.md#twilio-from-esm). */
export class TwilioSmsSender extends SmsSender {
  readonly from: string;
  readonly delivers = true;
  private readonly client: ReturnType<typeof twilio>;
  private readonly sender: { from: string } | { messagingServiceSid: string };

  constructor(settings: NonNullable<AppConfig['sms']['twilio']>, options: TwilioSmsSenderOptions = {}) {
    super();
    const httpClient = new TwilioHttpClient(settings.apiUrl, options.timeoutMs ?? 10_000);
    this.client = twilio(settings.accountSid, settings.authToken, { httpClient });
    // A messaging service picks the best sender itself (and may hold several numbers): prefer it.
    this.sender = settings.messagingServiceSid ? { messagingServiceSid: settings.messagingServiceSid } : { from: settings.from! };
    this.from = settings.from ?? settings.messagingServiceSid!;
  }

  async send(request: SmsSendRequest): Promise<SmsSendResult> {
    try {
      const message = await this.client.messages.create({
        to: request.to,
        body: request.body,
        ...this.sender,
        ...(request.statusCallback ? { statusCallback: request.statusCallback } : {}),
      });
      // Twilio normally answers "queued"; a "failed" here would be odd, but it is what it says.
      return { providerId: message.sid, status: fromTwilioStatus(message.status) ?? 'sent' };
    } catch (e) {
      throw toSmsSendError(e);
    }
  }

  /**
   * Twilio's message list for that `To` since `since` (minus the clock skew), matched on the exact
   * body. Twilio's filter is on the date it sent the message on: a message still waiting in
   * Twilio's own queue, not sent on yet, may be missing from the list, and then is sent twice.
   */
  async findSent(query: SmsSentQuery): Promise<SmsSendResult[]> {
    try {
      const messages = await this.client.messages.list({
        to: query.to,
        dateSentAfter: new Date(query.since.getTime() - CLOCK_SKEW_MS),
        limit: FIND_LIMIT,
      });
      return messages
        .filter((m) => m.body === query.body && m.direction !== 'inbound')
        .map((m) => ({ providerId: m.sid, status: fromTwilioStatus(m.status) ?? 'sent' }));
    } catch (e) {
      throw toSmsSendError(e);
    }
  }

  /**
   * DELETE of the Message resource: Twilio removes the message from the account (text and all). A
   * 404 means it is gone already. A message Twilio has not finished processing cannot be deleted yet
   * (error 20009, "wait several minutes"): temporary, whatever the HTTP status.
   */
  async deleteMessage(providerId: string): Promise<void> {
    try {
      await this.client.messages(providerId).remove();
    } catch (e) {
      const error = toSmsSendError(e);
      if (error.status === 404) return;
      if (error.code === NOT_COMPLETE) throw new SmsSendError(error.message, { permanent: false, code: error.code, status: error.status });
      throw error;
    }
  }
}

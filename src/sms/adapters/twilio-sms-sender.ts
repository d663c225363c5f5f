import twilio from 'twilio';
import type { AppConfig } from '../../config/app-config.js';
import { fromTwilioStatus } from '../sms-status.js';
import { SmsSender, type SmsSendRequest, type SmsSendResult } from '../sms-sender.js';
import { TwilioHttpClient } from './twilio-http-client.js';
import { toSmsSendError } from './twilio-errors.js';

export interface TwilioSmsSenderOptions {
  /** How long one API call may take before it counts as a (temporary) timeout. */
  timeoutMs?: number;
}

/** Sends through Twilio's Messages API with the official SDK (STACK.md: `import twilio from 'twilio'`). */
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
}

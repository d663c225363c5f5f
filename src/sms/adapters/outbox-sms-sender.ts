import { randomUUID } from 'node:crypto';
import { SmsSender, type SmsSendRequest, type SmsSendResult, type SmsSentQuery } from '../sms-sender.js';

/**
 * The default without Twilio settings (API.md: "`outbox` stores messages without sending"). The
 * message row is already stored by the outbox; this only gives it a provider id and status `sent`,
 * so the whole pipeline (policy, queue, statuses, escalation waits) runs the same as with Twilio.
 * Nothing leaves the machine; GET /api/messages is where the texts can be read.
 */
export class OutboxSmsSender extends SmsSender {
  readonly from = 'outbox';
  readonly delivers = false;

  async send(_request: SmsSendRequest): Promise<SmsSendResult> {
    return { providerId: `outbox-${randomUUID()}`, status: 'sent' };
  }

  /** Its sends always answer, so no outcome is ever unknown: there is nothing to find. */
  async findSent(_query: SmsSentQuery): Promise<SmsSendResult[]> {
    return [];
  }
}

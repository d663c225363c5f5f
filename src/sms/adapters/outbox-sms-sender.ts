import { randomUUID } from 'node:crypto';
import { SmsSender, type SmsSendRequest, type SmsSendResult, type SmsSentQuery } from '../sms-sender.js';

/** How this adapter's ids begin: such a message never left the machine, so no provider holds a copy. */
export const OUTBOX_PROVIDER_ID_PREFIX = 'outbox-';

/**
 * The default without Twilio settings (docs/sms.md#the-provider-behind-a-port: it stores messages without sending them). The
 * message row is already stored by the outbox; this only gives it a provider id and status `sent`,
 * so the whole pipeline (policy, queue, statuses, escalation waits) runs the same as with Twilio.
 * Nothing leaves the machine; GET /api/messages is where the texts can be read.
 */
export class OutboxSmsSender extends SmsSender {
  readonly from = 'outbox';
  readonly delivers = false;

  async send(_request: SmsSendRequest): Promise<SmsSendResult> {
    return { providerId: `${OUTBOX_PROVIDER_ID_PREFIX}${randomUUID()}`, status: 'sent' };
  }

  /** Its sends always answer, so no outcome is ever unknown: there is nothing to find. */
  async findSent(_query: SmsSentQuery): Promise<SmsSendResult[]> {
    return [];
  }

  /** No provider holds a copy: there is nothing to delete. */
  async deleteMessage(_providerId: string): Promise<void> {}
}

import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { unknownCodeText, type SmsLanguage } from './texts.js';

export interface ReplyCode {
  /** The digits, without spaces or leading zeros: "123" (codes are 100 to 999; a wrong length may come). */
  code: string;
  /** The number that texted the code (E.164). */
  from: string;
  /** Our number it was sent to. */
  to: string;
  /** The stored inbound message. */
  inboundMessageId: string;
  /** The sender's language, as well as we know it. */
  language: SmsLanguage;
}

export interface ReplyCodeOutcome {
  /**
   * `confirmation`: the code acknowledged something (not limited: the sender did what we asked);
   * `unknown_code`: it matched nothing (counted with help replies, at most 3 a day per number, and
   * towards the sender's wrong-code limit).
   */
  kind: 'confirmation' | 'unknown_code';
  /** Text to answer with; it still passes the send policy. */
  reply?: string;
  /** What the code was about, stored on the inbound message (and the reply). */
  alarmId?: string;
  customerId?: string;
  contactId?: string;
}

/**
 * What a reply code means (docs/alarm-handling.md#reply-codes: it acknowledges the matching alarm
 * and gets a short confirmation). Called inside the inbound message's transaction (`manager`). The
 * escalation module provides the real handler; the class is the DI token.
 */
export abstract class ReplyCodeHandler {
  abstract handle(code: ReplyCode, manager: EntityManager): Promise<ReplyCodeOutcome>;
}

/**
 * The handler when the SMS module is given none: no code matches anything, and the sender is told so.
 * The app always gives it the escalation's (AlarmReplyCodes); failing closed means an SMS module wired
 * without it acknowledges nothing by accident.
 */
@Injectable()
export class UnknownReplyCodeHandler extends ReplyCodeHandler {
  constructor(private readonly config: AppConfig) {
    super();
  }

  async handle(code: ReplyCode): Promise<ReplyCodeOutcome> {
    return { kind: 'unknown_code', reply: unknownCodeText(code.language, this.config.companyName, code.code) };
  }
}

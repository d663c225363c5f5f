import { createHash, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { singleLine } from '../common/text-field.js';
import { AppConfig } from '../config/app-config.js';
import { Clock } from '../common/clock.js';
import { PanelEvents } from '../alarms/panel-events.service.js';
import type { PanelSignal } from '../alarms/panel-signal.js';
import { Dc09Accounts } from './dc09-accounts.js';
import { parseEvents } from './dc09-events.js';
import { ackFor, duhFor, nakFor, openFrame, parseFrame, type Dc09Content, type Dc09Frame } from './dc09-frame.js';
import type { Dc09FrameOutcome } from './dc09-metrics.js';

/** What to answer a frame with, and why: `reply` null means say nothing (the panel retries). */
export interface Dc09Decision {
  reply: Buffer | null;
  outcome: Dc09FrameOutcome;
  /** For a refusal: crc, length, format, unknown_account, decrypt, plain_refused, timestamp, unavailable. */
  reason?: string;
}

/** Message types that carry events; NULL is the link test, anything else gets DUH. */
const EVENT_TYPES = new Set(['SIA-DCS', 'ADM-CID']);

/** Without a timestamp, a repeat of the same sequence number and content this long apart is a new message. */
const REPEAT_WINDOW_MS = 60 * 60_000;

/**
 * One DC-09 frame, from bytes to the reply the panel gets. The frame's events go through exactly
 * what an HTTP panel's events go through (PanelEvents), one by one in the frame's order, and the
 * ACK is written only once all of them are committed: an ACK is the same promise as a 202. When
 * they cannot be committed nothing is answered, so the panel retries or turns to its backup path.
 */
@Injectable()
export class Dc09Intake {
  private readonly logger = new Logger(Dc09Intake.name);

  constructor(
    private readonly accounts: Dc09Accounts,
    private readonly events: PanelEvents,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async handle(bytes: Buffer, peer: string): Promise<Dc09Decision> {
    const parsed = parseFrame(bytes);
    if (!parsed.ok) return this.refuse(parsed.reason, parsed.crcBinary, peer);
    const frame = parsed.frame;
    const panel = await this.accounts.find(frame.account).catch(() => null);
    if (panel === null) return { reply: null, outcome: 'unanswered', reason: 'unavailable' };
    if (!panel) return this.refuse('unknown_account', frame.crcBinary, peer, frame.account);
    if (!frame.encrypted && panel.encryption === 'required') return this.refuse('plain_refused', frame.crcBinary, peer, frame.account);
    const opened = openFrame(frame, frame.encrypted ? panel.key : null);
    if (!opened.ok) return this.refuse(opened.reason === 'decrypt' ? 'decrypt' : 'format', frame.crcBinary, peer, frame.account);
    const receivedAt = this.clock.now();
    if (frame.encrypted && !this.inWindow(opened.content.timestamp, receivedAt)) {
      return this.refuse('timestamp', frame.crcBinary, peer, frame.account);
    }
    if (frame.id !== 'NULL' && !EVENT_TYPES.has(frame.id)) {
      this.logger.warn(`DC-09 ${peer} account ${frame.account}: message type "${frame.id.slice(0, 20)}" is not one this receiver handles: DUH`);
      return { reply: duhFor(frame), outcome: 'duh', reason: 'message_type' };
    }

    let duplicates = 0;
    const signals = this.signals(frame, opened.content, receivedAt);
    // What the processing log keeps to find this frame's log lines: an id, not the panel's address.
    const requestId = `dc09-${randomUUID()}`;
    try {
      for (const signal of signals) {
        const result = await this.events.receive(panel.panelId, signal, requestId);
        if (result.duplicate) duplicates += 1;
      }
    } catch (e) {
      // Removed or ended between the lookup and now: the same answer as an unknown account.
      if (e instanceof DomainError && e.kind === 'unauthenticated') return this.refuse('unknown_account', frame.crcBinary, peer, frame.account);
      this.logger.error(
        `DC-09 ${peer} account ${frame.account} sequence ${frame.sequence} (${requestId}): not committed, not answered (the panel will retry): ${(e as Error).message}`,
      );
      return { reply: null, outcome: 'unanswered', reason: 'unavailable' };
    }
    return { reply: ackFor(frame, frame.encrypted ? panel.key : null, this.clock.now()), outcome: duplicates === signals.length ? 'duplicate' : 'ack' };
  }

  /**
   * The frame's events as panel signals. A retransmission must be the same events, so their ids are
   * made of what a retransmission repeats: account, sequence number, message type and content (the
   * timestamp included, when there is one). A panel without timestamps that wraps its sequence
   * number and sends the same content again is told apart by the hour it arrived in.
   */
  private signals(frame: Dc09Frame, content: Dc09Content, receivedAt: Date): PanelSignal[] {
    const stamp = content.timestamp ? content.timestamp.toISOString() : `~${Math.floor(receivedAt.getTime() / REPEAT_WINDOW_MS)}`;
    const digest = createHash('sha256')
      .update([frame.account.toUpperCase(), frame.sequence, frame.id, content.data, content.extra.join(''), stamp].join('\u0000'))
      .digest('base64url')
      .slice(0, 22);
    const base = { occurredAt: (content.timestamp ?? receivedAt).toISOString(), extra: content.extra.length ? content.extra.join('').slice(0, 1000) : null };
    const events = frame.id === 'NULL' ? [] : parseEvents(frame.id as 'SIA-DCS' | 'ADM-CID', content.data);
    // A frame with no event in it (a NULL, or an event frame with an empty block) is still a sign of
    // life: it is stored as a link test, which marks the panel as heard from.
    if (events.length === 0) return [{ ...base, eventId: `dc09-${frame.sequence}-${digest}`, code: 'NULL', linkTest: true }];
    return events.map((e, i) => ({
      ...base,
      eventId: `dc09-${frame.sequence}-${digest}-${i + 1}`,
      code: e.code,
      // The same bounds and the same single line as an HTTP panel's fields.
      zone: this.field(e.zone, 32),
      user: this.field(e.user, 32),
      area: this.field(e.area, 32),
      text: this.field(e.text, 200),
    }));
  }

  private field(value: string | undefined, max: number): string | null {
    return value === undefined ? null : singleLine(value.slice(0, max));
  }

  private inWindow(timestamp: Date | null, now: Date): boolean {
    if (!timestamp) return false;
    const offsetSeconds = (timestamp.getTime() - now.getTime()) / 1000;
    const { behindSeconds, aheadSeconds } = this.config.dc09.window;
    return offsetSeconds >= -behindSeconds && offsetSeconds <= aheadSeconds;
  }

  /** NAK carries the receiver's time: panels set their clocks from it. Never the key or the payload in the log. */
  private refuse(reason: string, crcBinary: boolean, peer: string, account?: string): Dc09Decision {
    this.logger.warn(`DC-09 ${peer}${account ? ` account ${account.slice(0, 16)}` : ''}: NAK (${reason})`);
    return { reply: nakFor(this.clock.now(), crcBinary), outcome: 'nak', reason };
  }
}

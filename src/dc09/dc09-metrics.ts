import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { Metrics } from '../metrics/metrics.js';

export type Dc09Transport = 'tcp' | 'udp';
/** What the receiver did with a frame; `unanswered` means no reply on purpose (nothing could be committed). */
export type Dc09FrameOutcome = 'ack' | 'duplicate' | 'nak' | 'duh' | 'unanswered' | 'dropped';

/** The receiver's figures on /metrics: frames by outcome and reason, open connections, time to ACK. */
@Injectable()
export class Dc09Metrics {
  readonly frames: Counter<'transport' | 'outcome' | 'reason'>;
  readonly connections: Gauge;
  readonly replySeconds: Histogram<'outcome'>;

  constructor(metrics: Metrics) {
    this.frames = new Counter({
      name: 'keyholder_dc09_frames_total',
      help: 'SIA DC-09 frames received, by transport and outcome (ack, duplicate, nak, duh, unanswered, dropped) and the reason for a refusal',
      labelNames: ['transport', 'outcome', 'reason'] as const,
      registers: [metrics.registry],
    });
    this.connections = new Gauge({ name: 'keyholder_dc09_connections', help: 'Open SIA DC-09 TCP connections', registers: [metrics.registry] });
    this.replySeconds = new Histogram({
      name: 'keyholder_dc09_reply_seconds',
      help: 'Time from a whole DC-09 frame received to its reply written (an ACK waits for the commit)',
      labelNames: ['outcome'] as const,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [metrics.registry],
    });
  }

  frame(transport: Dc09Transport, outcome: Dc09FrameOutcome, reason = ''): void {
    this.frames.inc({ transport, outcome, reason });
  }
}

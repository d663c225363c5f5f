/**
 * One panel event, whatever carried it: a signed JSON body over HTTP, or one event of a SIA DC-09
 * frame. Everything after the transport (classification, alarms, escalation, supervision, the
 * processing log) works on this.
 */
export interface PanelSignal {
  /** Unique per panel: a repeat is a retransmission, stored once. */
  eventId: string;
  code: string;
  zone?: string | null;
  user?: string | null;
  method?: string | null;
  text?: string | null;
  /** ISO-8601 with an offset. */
  occurredAt: string;
  /** The area (partition) the event is in, when the panel says. */
  area?: string | null;
  /** Extra data the panel sent with the event (DC-09 blocks such as position or MAC), kept as sent. */
  extra?: string | null;
  /**
   * A link test that is not an event code (a DC-09 NULL frame): handled as a supervision signal,
   * never as an unknown code (which would open an alarm).
   */
  linkTest?: boolean;
}

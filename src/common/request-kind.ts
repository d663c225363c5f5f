/**
 * Who is behind an HTTP request, by its route: a machine (a panel's signal, the SMS provider's
 * delivery report) or a person (operators at the dashboard or a script, and someone texting the
 * central: an inbound SMS is a person's reply, often a code that stops an escalation).
 * Machines post all day and in storms; people must not wait behind them (connection priority)
 * nor be drowned by them in the logs.
 */
export type RequestKind = 'machine' | 'person';

const MACHINE_ROUTE = /^\/(api\/panels\/[^/?]+\/events|webhooks\/twilio\/status)\/?(\?|$)/;

export function requestKind(method: string | undefined, url: string | undefined): RequestKind {
  return method === 'POST' && MACHINE_ROUTE.test(url ?? '') ? 'machine' : 'person';
}

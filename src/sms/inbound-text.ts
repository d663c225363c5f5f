/** What an inbound SMS asks for, read the forgiving way (GoAlert: case, spaces and quotes do not matter). */
export type InboundIntent = { kind: 'stop'; keyword: string } | { kind: 'start'; keyword: string } | { kind: 'code'; code: string } | { kind: 'other' };

/**
 * Twilio's default opt-out keywords (docs/sms.md#opt-out), plus STOPP, the Swedish and Norwegian word, which
 * our customers will type. Twilio itself blocks further messages only for its own keywords; for
 * STOPP the send policy does it.
 */
export const STOP_KEYWORDS: ReadonlySet<string> = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'STOPP']);
export const START_KEYWORDS: ReadonlySet<string> = new Set(['START', 'UNSTOP', 'YES']);

/**
 * "Stop.", " stop ", "STOP ALL", "'123'", " 123 ", "123." and "1 2 3" all mean what they look like:
 * letters and digits are kept, everything else dropped, case ignored. Any short run of digits is a
 * code attempt, even of the wrong length, so the sender hears that the code is wrong. A longer
 * sentence that merely contains STOP is not an opt-out (Twilio does not treat it as one either) and
 * gets the help text.
 */
export function readInbound(body: string): InboundIntent {
  const word = body
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
  if (STOP_KEYWORDS.has(word)) return { kind: 'stop', keyword: word };
  if (START_KEYWORDS.has(word)) return { kind: 'start', keyword: word };
  if (/^[0-9]{1,6}$/.test(word)) return { kind: 'code', code: word.replace(/^0+(?=\d)/, '') };
  return { kind: 'other' };
}

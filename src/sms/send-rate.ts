/** Attempts per message, the first included; a message still failing temporarily after these is failed. */
export const MAX_SEND_ATTEMPTS = 8;

/**
 * Wait before attempt `attempts + 1`, after `attempts` temporary failures: 0.5 s doubling up to 30 s
 * (0.5, 1, 2, 4, 8, 16, 30: about a minute in all), with up to 20% jitter so that many messages
 * refused together by a 429 do not come back together.
 */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 500 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (1 - 0.2 * random()));
}

/**
 * A token bucket: `ratePerSecond` sends per second on average, bursts of up to `burst` (one
 * second's worth by default, at least one). The clock is a parameter so it can be tested without sleeping.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst = Math.max(1, ratePerSecond),
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** Whole sends allowed right now. */
  available(): number {
    this.refill();
    return Math.floor(this.tokens);
  }

  /** Spends `n` tokens (the caller checked `available()` first). */
  take(n: number): void {
    this.refill();
    this.tokens -= n;
  }

  /** Milliseconds until one more send is allowed (0 if it is already). */
  msUntilAvailable(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
  }
}

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

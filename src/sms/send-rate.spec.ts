import { describe, expect, it } from '@jest/globals';
import { MAX_SEND_ATTEMPTS, retryDelayMs, TokenBucket } from './send-rate.js';

describe('TokenBucket', () => {
  it('allows a burst of one second, then the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, undefined, () => now);
    expect(bucket.available()).toBe(10);
    bucket.take(10);
    expect(bucket.available()).toBe(0);
    expect(bucket.msUntilAvailable()).toBe(100);
    now = 250;
    expect(bucket.available()).toBe(2);
    now = 10_000;
    expect(bucket.available()).toBe(10); // never more than the burst
  });

  it('handles rates below one per second', () => {
    let now = 0;
    const bucket = new TokenBucket(0.5, undefined, () => now);
    expect(bucket.available()).toBe(1);
    bucket.take(1);
    expect(bucket.msUntilAvailable()).toBe(2000);
    now = 1999;
    expect(bucket.available()).toBe(0);
    now = 2000;
    expect(bucket.available()).toBe(1);
  });
});

describe('retryDelayMs', () => {
  it('doubles from half a second up to 30 s', () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((a) => retryDelayMs(a, noJitter))).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it('jitters down by at most 20%', () => {
    expect(retryDelayMs(3, () => 1)).toBe(1600);
    expect(retryDelayMs(3, () => 0.5)).toBe(1800);
  });

  it('gives up after a bounded number of attempts, about a minute of retrying in all', () => {
    const total = Array.from({ length: MAX_SEND_ATTEMPTS - 1 }, (_, i) => retryDelayMs(i + 1, () => 0)).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(30_000);
    expect(total).toBeLessThan(120_000);
  });
});

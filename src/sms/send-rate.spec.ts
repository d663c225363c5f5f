import { describe, expect, it } from '@jest/globals';
import { MAX_SEND_ATTEMPTS, retryDelayMs } from './send-rate.js';

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

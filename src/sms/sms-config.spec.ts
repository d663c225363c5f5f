import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../config/app-config.js';

describe('SMS_RATE_PER_SECOND', () => {
  it('defaults to 50 messages a second', () => {
    expect(loadConfig({}).sms.ratePerSecond).toBe(50);
  });

  it('takes whole and fractional rates', () => {
    expect(loadConfig({ SMS_RATE_PER_SECOND: '1' }).sms.ratePerSecond).toBe(1);
    expect(loadConfig({ SMS_RATE_PER_SECOND: '0.5' }).sms.ratePerSecond).toBe(0.5);
  });

  it('refuses what is not a positive rate, naming the variable', () => {
    for (const bad of ['abc', '0', '-1']) {
      let error: unknown;
      try {
        loadConfig({ SMS_RATE_PER_SECOND: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^SMS_RATE_PER_SECOND: /)]);
    }
  });
});

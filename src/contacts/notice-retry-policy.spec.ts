import { describe, expect, it } from '@jest/globals';
import { afterFailedNotice, MAX_NOTICE_ATTEMPTS } from './notice-retry-policy.js';

const NOW = new Date('2026-12-07T19:00:00Z');
const later = (ms: number) => ({ retryAt: new Date(NOW.getTime() + ms) });
const undelivered = (attempts: number, errorCode: string | null = '30003') => ({ attempts, status: 'undelivered' as const, errorCode, refusalReason: null });

describe('afterFailedNotice: when a failed onboarding notice is tried again', () => {
  it('backs off 5 min, 30 min, 2 h, 12 h, then a day, and gives up after the tenth attempt', () => {
    const min = 60_000;
    expect([1, 2, 3, 4, 5, 9].map((n) => afterFailedNotice(undelivered(n), NOW))).toEqual([
      later(5 * min),
      later(30 * min),
      later(120 * min),
      later(720 * min),
      later(1440 * min),
      later(1440 * min),
    ]);
    expect(afterFailedNotice(undelivered(MAX_NOTICE_ATTEMPTS), NOW)).toEqual({ giveUp: 'attempts_exhausted' });
    // A provider that could not be reached (no code) is worth another try.
    expect(afterFailedNotice({ attempts: 1, status: 'failed', errorCode: null, refusalReason: null }, NOW)).toEqual(later(5 * min));
  });

  it('gives up at once on a number that cannot receive SMS, or a recipient who said no', () => {
    expect(afterFailedNotice(undelivered(1, '30005'), NOW)).toEqual({ giveUp: 'number_cannot_receive' });
    expect(afterFailedNotice({ attempts: 2, status: 'failed', errorCode: '21211', refusalReason: null }, NOW)).toEqual({ giveUp: 'number_cannot_receive' });
    expect(afterFailedNotice(undelivered(1, '21610'), NOW)).toEqual({ giveUp: 'opted_out' });
  });

  it('gives up when the send gate refused it: opted out, contact removed, or not allowed', () => {
    const refused = (refusalReason: string) => afterFailedNotice({ attempts: 3, status: 'refused', errorCode: null, refusalReason }, NOW);
    expect(refused('opted_out')).toEqual({ giveUp: 'opted_out' });
    expect(refused('contact_opted_out')).toEqual({ giveUp: 'opted_out' });
    expect(refused('recipient_ended')).toEqual({ giveUp: 'contact_removed' });
    expect(refused('restricted')).toEqual({ giveUp: 'not_allowed' });
  });
});

import { describe, expect, it } from '@jest/globals';
import { advanceStatus, fromTwilioStatus, isPermanentFailure } from './sms-status.js';
import { SMS_STATUSES, type SmsStatus } from './sms.types.js';

describe('advanceStatus', () => {
  it('moves forward along queued < sending < sent < delivered', () => {
    expect(advanceStatus('queued', 'sending')).toBe('sending');
    expect(advanceStatus('sending', 'sent')).toBe('sent');
    expect(advanceStatus('sent', 'delivered')).toBe('delivered');
    expect(advanceStatus('queued', 'delivered')).toBe('delivered');
  });

  it('never moves backwards when reports arrive out of order', () => {
    expect(advanceStatus('delivered', 'sent')).toBe('delivered');
    expect(advanceStatus('sent', 'sending')).toBe('sent');
    expect(advanceStatus('sent', 'queued')).toBe('sent');
    expect(advanceStatus('sending', 'queued')).toBe('sending');
  });

  it('keeps a terminal status whatever is reported after it', () => {
    const terminal: SmsStatus[] = ['delivered', 'failed', 'undelivered', 'refused', 'received'];
    for (const current of terminal) {
      for (const reported of SMS_STATUSES) expect(advanceStatus(current, reported)).toBe(current);
    }
  });

  it('lets a failure end a message that is still on its way', () => {
    expect(advanceStatus('sent', 'failed')).toBe('failed');
    expect(advanceStatus('sent', 'undelivered')).toBe('undelivered');
    expect(advanceStatus('sending', 'failed')).toBe('failed');
  });

  it('refuses only a message nobody has been handed yet', () => {
    expect(advanceStatus('queued', 'refused')).toBe('refused');
    expect(advanceStatus('sending', 'refused')).toBe('sending');
    expect(advanceStatus('sent', 'refused')).toBe('sent');
  });

  it('ignores "received", which only inbound messages have', () => {
    expect(advanceStatus('sent', 'received')).toBe('sent');
  });
});

describe('fromTwilioStatus', () => {
  it('maps Twilio statuses onto ours', () => {
    expect(['accepted', 'scheduled', 'queued', 'sending', 'sent'].map(fromTwilioStatus)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
    expect(fromTwilioStatus('delivered')).toBe('delivered');
    expect(fromTwilioStatus('read')).toBe('delivered');
    expect(fromTwilioStatus('undelivered')).toBe('undelivered');
    expect(fromTwilioStatus('failed')).toBe('failed');
    expect(fromTwilioStatus('canceled')).toBe('failed');
    expect(fromTwilioStatus('Delivered')).toBe('delivered');
  });

  it('ignores what it does not know instead of guessing', () => {
    expect(fromTwilioStatus('partially_delivered')).toBeUndefined();
    expect(fromTwilioStatus(undefined)).toBeUndefined();
  });

  it('names failed and undelivered as permanent failures', () => {
    expect(SMS_STATUSES.filter(isPermanentFailure)).toEqual(['failed', 'undelivered']);
  });
});

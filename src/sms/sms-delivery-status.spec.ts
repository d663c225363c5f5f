import { describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { SmsDeliveryStatus, type SmsStatusChange } from './sms-delivery-status.js';

const AT = new Date('2026-03-01T02:03:04.000Z');

class FixedClock extends Clock {
  now(): Date {
    return new Date(AT);
  }
}

describe('SmsDeliveryStatus', () => {
  it("stamps each status change with the app's Clock, and emits them in order", () => {
    // Publishing committed rows reads nothing from the database.
    const status = new SmsDeliveryStatus({} as DataSource, new FixedClock());
    const seen: SmsStatusChange[] = [];
    status.statusChanges$.subscribe((c) => seen.push(c));
    const row = (id: string) => ({
      id,
      purpose: 'alarm_owner' as const,
      alarm_id: 'a',
      contact_id: null,
      customer_id: 'c',
      provider_id: null,
      error_code: 'outcome_unknown',
    });
    status.emitRows([row('m1'), row('m2')], 'sending', 'queued');
    expect(seen).toEqual(
      ['m1', 'm2'].map((messageId) => ({
        messageId,
        purpose: 'alarm_owner',
        previous: 'sending',
        status: 'queued',
        alarmId: 'a',
        contactId: null,
        customerId: 'c',
        providerId: null,
        errorCode: 'outcome_unknown',
        at: AT,
      })),
    );
  });
});

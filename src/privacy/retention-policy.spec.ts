import { describe, expect, it } from '@jest/globals';
import { ALARM_HISTORY_YEARS, cutoffs, FORMER_CUSTOMER_MONTHS, RETENTION_TEXT, SMS_BODY_DAYS } from './retention-policy.js';

describe('retention policy', () => {
  it('computes each cutoff from now, by calendar months and years', () => {
    const c = cutoffs(new Date('2026-11-23T03:15:00Z'));
    expect(c.formerCustomers.toISOString()).toBe('2025-11-23T03:15:00.000Z');
    expect(c.removedContacts.toISOString()).toBe('2025-11-23T03:15:00.000Z');
    expect(c.smsBodies.toISOString()).toBe('2026-08-25T03:15:00.000Z');
    expect(c.alarmHistory.toISOString()).toBe('2016-11-23T03:15:00.000Z');
    expect(c.disabledOperators.toISOString()).toBe('2025-11-23T03:15:00.000Z');
    expect(c.erasureRecords.toISOString()).toBe('2025-10-23T03:15:00.000Z');
    expect(c.panelSilences.toISOString()).toBe('2026-08-25T03:15:00.000Z');
    expect(c.unknownSenders.toISOString()).toBe('2026-10-24T03:15:00.000Z');
    expect(c.replyCodes.toISOString()).toBe('2026-11-16T03:15:00.000Z');
  });

  it('says in the record of processing the periods the jobs apply', () => {
    expect(RETENTION_TEXT.formerCustomers).toContain(`${FORMER_CUSTOMER_MONTHS} months after the contract ends`);
    expect(RETENTION_TEXT.smsBodies).toContain(`${SMS_BODY_DAYS} days`);
    expect(RETENTION_TEXT.alarmHistory).toContain(`${ALARM_HISTORY_YEARS} years`);
  });
});

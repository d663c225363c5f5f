import { describe, expect, it } from '@jest/globals';
import { calendarDate, extendedDueAt, requestDueAt } from './request-deadline.js';

const STOCKHOLM = 'Europe/Stockholm';

describe('the one-month deadline of a data subject request (Art. 12(3))', () => {
  it('ends at the end of the same date a month later, in the company zone', () => {
    expect(requestDueAt(new Date('2027-05-10T08:00:00Z'), STOCKHOLM).toISOString()).toBe('2027-06-10T21:59:59.999Z');
  });

  it('ends on the last day of a shorter month (31 January: 28 or 29 February)', () => {
    expect(calendarDate(requestDueAt(new Date('2027-01-31T09:00:00Z'), STOCKHOLM), STOCKHOLM)).toBe('2027-02-28');
    expect(calendarDate(requestDueAt(new Date('2028-01-31T09:00:00Z'), STOCKHOLM), STOCKHOLM)).toBe('2028-02-29');
    expect(requestDueAt(new Date('2027-01-31T09:00:00Z'), STOCKHOLM).toISOString()).toBe('2027-02-28T22:59:59.999Z');
  });

  it('counts the day of receipt as the zone sees it, not UTC', () => {
    // 23:30 UTC on 31 January is already 1 February in Stockholm.
    expect(requestDueAt(new Date('2027-01-31T23:30:00Z'), STOCKHOLM).toISOString()).toBe('2027-03-01T22:59:59.999Z');
    expect(requestDueAt(new Date('2027-01-31T23:30:00Z'), 'UTC').toISOString()).toBe('2027-02-28T23:59:59.999Z');
  });

  it('keeps the end of day across a change to summer time', () => {
    // Received in winter time (UTC+1), due in summer time (UTC+2).
    expect(requestDueAt(new Date('2027-03-10T10:00:00Z'), STOCKHOLM).toISOString()).toBe('2027-04-10T21:59:59.999Z');
    expect(requestDueAt(new Date('2027-10-20T10:00:00Z'), 'Europe/Oslo').toISOString()).toBe('2027-11-20T22:59:59.999Z');
  });

  it('extends to three months after receipt, the month-end rule applied once', () => {
    expect(calendarDate(extendedDueAt(new Date('2027-01-31T09:00:00Z'), STOCKHOLM), STOCKHOLM)).toBe('2027-04-30');
    expect(extendedDueAt(new Date('2027-05-10T08:00:00Z'), STOCKHOLM).toISOString()).toBe('2027-08-10T21:59:59.999Z');
  });
});

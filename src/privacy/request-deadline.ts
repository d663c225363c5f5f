import { DateTime } from 'luxon';

/**
 * Art. 12(3): a data subject's request is answered "within one month of receipt", which may be
 * extended "by two further months". A month is a calendar month in the company's time zone, as
 * Regulation 1182/71 counts periods: it ends on the same date of the next month, or on that month's
 * last day when it has no such date (31 January: 28 or 29 February), and the whole of that day counts.
 */
export function requestDueAt(receivedAt: Date, timeZone: string): Date {
  return monthsAfter(receivedAt, 1, timeZone);
}

/**
 * The extended deadline: two more months on top of the first, that is three months from receipt,
 * so the month-end rule applies once (31 January: 30 April, not the 28th two months after 28 February).
 */
export function extendedDueAt(receivedAt: Date, timeZone: string): Date {
  return monthsAfter(receivedAt, 3, timeZone);
}

/** The calendar date (YYYY-MM-DD) an instant falls on in the zone: the day a deadline is shown as. */
export function calendarDate(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toISODate()!;
}

function monthsAfter(receivedAt: Date, months: number, timeZone: string): Date {
  return DateTime.fromJSDate(receivedAt, { zone: timeZone }).plus({ months }).endOf('day').toJSDate();
}

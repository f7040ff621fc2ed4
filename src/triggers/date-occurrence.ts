import {
  addDays,
  formatCalendarDate,
  isLeapYear,
  requireCalendarDate,
  type CalendarDateParts,
} from './calendar-date.js';
import { localDateParts, requireInstant, requireTimeZone } from './zoned-time.js';

export { localDateIn } from './zoned-time.js';

// Date triggers (birthdays, customer-since anniversaries, renewal dates) are evaluated once per
// recipient-local day. The daily job asks, for each recipient, "does this trigger fire today
// on their calendar?" — so everything here works on calendar dates, never on instants.

export type DateFiring =
  | {
      fires: true;
      /** The date being celebrated, YYYY-MM-DD: this year's birthday, not the day it was born. */
      occurrence: string;
      /** Which anniversary (5 for the fifth year as a customer); null for one-off dates. */
      years: number | null;
    }
  | { fires: false };

export type DateOccurrenceOptions = {
  /** Yearly (birthday, customerSince) or one-off (renewalDate). Defaults to yearly. */
  yearly?: boolean;
};

/**
 * The anniversary of `date` in `year`. Feb 29 is celebrated on Feb 28 in common years: the
 * "before the day passes" convention — the note arrives while it is still the person's birthday
 * month and before their day has gone by, and each year has exactly one occurrence.
 */
export function anniversaryIn(date: CalendarDateParts, year: number): CalendarDateParts {
  if (date.month === 2 && date.day === 29 && !isLeapYear(year)) return { year, month: 2, day: 28 };
  return { year, month: date.month, day: date.day };
}

/**
 * Whether a date trigger fires on `localToday` (the recipient's calendar date), with an offset
 * in days: -14 fires two weeks before the date, so on 2024-12-22 for a 2025-01-05 birthday.
 *
 * Yearly dates fire for anniversaries after the date itself (a customer who signed up today is
 * not celebrating an anniversary; occurrences start one year later). One-off dates fire once.
 * Throws a RangeError for a date that is not a real calendar date or a non-integer offset.
 */
export function dateTriggerFiresOn(
  fieldDate: string,
  offsetDays: number,
  localToday: string,
  options: DateOccurrenceOptions = {},
): DateFiring {
  const field = requireCalendarDate(fieldDate, 'fieldDate');
  const today = requireCalendarDate(localToday, 'localToday');
  if (!Number.isInteger(offsetDays)) throw new RangeError(`offsetDays: expected an integer, got ${offsetDays}`);

  // The trigger fires `offsetDays` after the occurrence, so today's firing celebrates this date:
  const target = addDays(today, -offsetDays);
  const occurrence = formatCalendarDate(target);
  if (options.yearly === false) {
    return occurrence === fieldDate ? { fires: true, occurrence, years: null } : { fires: false };
  }
  if (target.year <= field.year) return { fires: false };
  const anniversary = formatCalendarDate(anniversaryIn(field, target.year));
  return anniversary === occurrence ? { fires: true, occurrence, years: target.year - field.year } : { fires: false };
}

/**
 * The idempotency key for one firing of a date trigger: a customer gets at most one note per
 * trigger per occurrence, however often the daily job runs or retries. Contains no ':' so it can
 * also serve as a BullMQ job id.
 */
export function dateFiringKey(triggerId: string, customerId: string, occurrence: string): string {
  for (const [name, value] of [['triggerId', triggerId], ['customerId', customerId]] as const) {
    // A '/' or ':' inside an id could make two different firings share a key.
    if (value === '' || /[/:]/.test(value)) throw new RangeError(`${name}: expected a non-empty id without '/' or ':'`);
  }
  requireCalendarDate(occurrence, 'occurrence');
  return `date-trigger/${triggerId}/${customerId}/${occurrence}`;
}

/**
 * Groups time zones by the calendar date their clocks show at `instant`. A job that runs every
 * hour uses it to find recipients whose local day has just begun: at 10:00 UTC on Jan 1,
 * Pacific/Kiritimati (UTC+14) has just started Jan 2 while Pacific/Pago_Pago (UTC-11) is still
 * on Dec 31.
 */
export function timeZonesByLocalDate(instant: Date, timeZones: Iterable<string>): Map<string, string[]> {
  const ms = requireInstant(instant, 'instant');
  const byDate = new Map<string, string[]>();
  for (const timeZone of new Set(timeZones)) {
    const date = formatCalendarDate(localDateParts(requireTimeZone(timeZone), ms));
    const zones = byDate.get(date);
    if (zones) zones.push(timeZone);
    else byDate.set(date, [timeZone]);
  }
  return byDate;
}

/**
 * A key naming one local day in one zone ('2024-03-10@America/New_York'), for deduplicating
 * the per-zone daily scan when the scheduler runs hourly.
 */
export function localDayKey(timeZone: string, instant: Date): string {
  const date = formatCalendarDate(localDateParts(requireTimeZone(timeZone), requireInstant(instant, 'instant')));
  return `${date}@${timeZone}`;
}

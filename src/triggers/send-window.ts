import { formatCalendarDate, fromDayNumber, toDayNumber, weekdayOf } from './calendar-date.js';
import type { SendWindow } from './trigger-definition.js';
import { instantsShowingWallTime, localDateParts, requireInstant, requireTimeZone } from './zoned-time.js';

export { isValidTimeZone } from './zoned-time.js';

// When a note may go out: inside the trigger's send window on the recipient's own clock.
//
// The rule, including around DST changes: a note is sent only at an instant when the
// recipient's wall clock shows an allowed weekday, not a holiday, and a time in [start, end).
// Consequences worth knowing:
// - Spring forward, start inside the skipped hour (02:30 in New York on the second Sunday of
//   March): the clock jumps from 01:59:59 to 03:00, so the window opens at 03:00 local.
// - Spring forward, window entirely inside the skipped hour (02:10–02:50): the clock never
//   shows those times that day, so the window does not open; the next allowed day is used.
// - Fall back, window inside the repeated hour (01:10–01:50 in New York on the first Sunday of
//   November): the clock shows those times twice, so the window is open twice — first in
//   daylight time, then again an hour later in standard time.
// - Fall back, start before the repeated hour (01:30–17:00): after 01:59:59 EDT the clock reads
//   01:00 EST, which is before 01:30, so 01:00–01:29 EST is outside the window.

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const DEFAULT_HORIZON_DAYS = 400;

/** Named holiday calendars (SendWindow.holidays: "us") resolved to 'YYYY-MM-DD' dates. */
export type HolidayCalendars = ReadonlyMap<string, readonly string[]>;

export type SendWindowOptions = {
  holidayCalendars?: HolidayCalendars;
  /** How many days ahead to look before deciding the window can never open. */
  horizonDays?: number;
};

function minutesOfDay(value: string, name: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(value);
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
  if (!match || Number(match[2]) > 59 || minutes > 24 * 60) {
    throw new RangeError(`sendWindow.${name}: expected HH:MM, got ${JSON.stringify(value)}`);
  }
  return minutes;
}

function holidaysOf(window: SendWindow, calendars: HolidayCalendars | undefined): ReadonlySet<string> {
  const { holidays } = window;
  if (holidays === undefined) return new Set();
  if (Array.isArray(holidays)) return new Set(holidays);
  const dates = calendars?.get(holidays);
  if (!dates) throw new RangeError(`sendWindow.holidays: unknown holiday calendar ${JSON.stringify(holidays)}`);
  return new Set(dates);
}

/**
 * The first instant at or after `notBefore` inside the send window, on the recipient's clock
 * in `timeZone`. Without a window, `notBefore` itself. Holidays are dates on the recipient's
 * calendar. Throws a RangeError for an invalid time zone, a malformed window, an unknown
 * holiday calendar, or a window that cannot open within the horizon (no days, every day a holiday).
 */
export function nextSendInstant(
  notBefore: Date,
  window: SendWindow | undefined,
  timeZone: string,
  options: SendWindowOptions = {},
): Date {
  const zone = requireTimeZone(timeZone);
  const from = requireInstant(notBefore, 'notBefore');
  if (!window) return new Date(from);

  const start = minutesOfDay(window.start, 'start');
  const end = minutesOfDay(window.end, 'end');
  if (end <= start) throw new RangeError(`sendWindow: end ${window.end} must be after start ${window.start}`);
  if (window.days.length === 0) throw new RangeError('sendWindow.days: the window has no days, so it never opens');
  const days = new Set(window.days);
  const holidays = holidaysOf(window, options.holidayCalendars);
  const horizon = options.horizonDays ?? DEFAULT_HORIZON_DAYS;

  // Start a day early: where a zone falls back across midnight (St. John's went from 00:01
  // back to 23:01 until 2006), the clock can show yesterday again after it has shown today.
  const firstDay = toDayNumber(localDateParts(zone, from)) - 1;
  for (let day = firstDay; day <= firstDay + horizon; day += 1) {
    const date = fromDayNumber(day);
    if (!days.has(weekdayOf(date)) || holidays.has(formatCalendarDate(date))) continue;
    const wallMidnight = day * MS_PER_DAY;
    const open = instantsShowingWallTime(zone, wallMidnight + start * MS_PER_MINUTE, wallMidnight + end * MS_PER_MINUTE);
    const interval = open.find((candidate) => candidate.end > from);
    if (interval) return new Date(Math.max(interval.start, from));
  }
  throw new RangeError(
    `sendWindow: no allowed time within ${horizon} days of ${new Date(from).toISOString()} in ${timeZone} (check days and holidays)`,
  );
}

/** Whether a note could be sent at exactly this instant. */
export function isWithinSendWindow(instant: Date, window: SendWindow | undefined, timeZone: string, options?: SendWindowOptions): boolean {
  return nextSendInstant(instant, window, timeZone, options).getTime() === instant.getTime();
}

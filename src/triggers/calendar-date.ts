// Calendar dates ('YYYY-MM-DD', no time, no zone) as plain strings. Birthdays, holidays and
// "local today" are dates on a wall calendar, not instants, so they never go through Date
// objects in local time — every computation here uses UTC arithmetic on the day number.

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

export type CalendarDateParts = { year: number; month: number; day: number };

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Parses 'YYYY-MM-DD', or returns undefined when it is not a real calendar date (2023-02-29). */
export function parseCalendarDate(value: string): CalendarDateParts | undefined {
  const match = CALENDAR_DATE.exec(value);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

export function isCalendarDate(value: string): boolean {
  return parseCalendarDate(value) !== undefined;
}

/** Like parseCalendarDate, but throws a RangeError naming the argument. */
export function requireCalendarDate(value: string, name: string): CalendarDateParts {
  const parts = parseCalendarDate(value);
  if (!parts) throw new RangeError(`${name}: expected a calendar date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return parts;
}

export function formatCalendarDate({ year, month, day }: CalendarDateParts): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Days since 1970-01-01 — a linear day number, so adding days crosses months and years correctly. */
export function toDayNumber({ year, month, day }: CalendarDateParts): number {
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return Math.round(date.getTime() / MS_PER_DAY);
}

export function fromDayNumber(dayNumber: number): CalendarDateParts {
  const date = new Date(dayNumber * MS_PER_DAY);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

export function addDays(parts: CalendarDateParts, days: number): CalendarDateParts {
  return fromDayNumber(toDayNumber(parts) + days);
}

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export function weekdayOf(parts: CalendarDateParts): Weekday {
  // 1970-01-01 was a Thursday (index 4).
  const index = (((toDayNumber(parts) + 4) % 7) + 7) % 7;
  return WEEKDAYS[index] ?? 'sun';
}

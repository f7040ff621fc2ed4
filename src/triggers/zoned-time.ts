import { IANAZone } from 'luxon';
import { formatCalendarDate, fromDayNumber, type CalendarDateParts } from './calendar-date.js';

// Instants and recipients' wall clocks. Luxon supplies the zone data (UTC offset at an instant);
// the mapping from wall-clock time back to instants is done here explicitly, because around DST
// changes a wall time can name no instant (spring forward) or two (fall back), and the send
// window needs to know exactly which.

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;

/** Whether `timeZone` names an IANA zone this runtime knows ('Europe/Berlin', 'UTC'). */
export function isValidTimeZone(timeZone: string): boolean {
  return typeof timeZone === 'string' && timeZone !== '' && IANAZone.isValidZone(timeZone);
}

/** The zone, or a RangeError that names the bad value. */
export function requireTimeZone(timeZone: string): IANAZone {
  if (!isValidTimeZone(timeZone)) {
    throw new RangeError(`invalid time zone ${JSON.stringify(timeZone)}: expected an IANA name such as "Europe/Berlin"`);
  }
  return IANAZone.create(timeZone);
}

export function requireInstant(instant: Date, name: string): number {
  const ms = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new RangeError(`${name}: expected a valid Date`);
  return ms;
}

/** UTC offset in milliseconds at an instant. */
export function offsetAt(zone: IANAZone, ms: number): number {
  return zone.offset(ms) * MS_PER_MINUTE;
}

/** The recipient's calendar date at an instant. */
export function localDateParts(zone: IANAZone, ms: number): CalendarDateParts {
  return fromDayNumber(Math.floor((ms + offsetAt(zone, ms)) / MS_PER_DAY));
}

/** The calendar date ('YYYY-MM-DD') that a clock in `timeZone` shows at `instant`. */
export function localDateIn(timeZone: string, instant: Date): string {
  return formatCalendarDate(localDateParts(requireTimeZone(timeZone), requireInstant(instant, 'instant')));
}

/** A stretch of time [start, end) during which the zone's UTC offset does not change. */
export type OffsetSegment = { start: number; end: number; offset: number };

// Offsets are sampled this often and changes located by bisection. Zones change offset at most
// a few times a year, never twice within three hours, so no change can hide between samples.
const SAMPLE_STEP_MS = 3 * MS_PER_HOUR;

function findChange(zone: IANAZone, before: number, after: number): number {
  // Invariant: offset(lo) is the old offset and offset(hi) is not; ~24 steps for three hours.
  const old = offsetAt(zone, before);
  let lo = before;
  let hi = after;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (offsetAt(zone, mid) === old) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The constant-offset segments covering [from, to), in order. */
export function offsetSegments(zone: IANAZone, from: number, to: number): OffsetSegment[] {
  const segments: OffsetSegment[] = [];
  let start = from;
  let offset = offsetAt(zone, from);
  for (let previous = from; previous < to; ) {
    const sample = Math.min(previous + SAMPLE_STEP_MS, to);
    const next = offsetAt(zone, sample);
    if (next !== offset) {
      const change = findChange(zone, previous, sample);
      segments.push({ start, end: change, offset });
      start = change;
      offset = next;
    }
    previous = sample;
  }
  segments.push({ start, end: to, offset });
  return segments;
}

/**
 * Every instant whose wall-clock reading in the zone lies in [wallFrom, wallTo), as disjoint
 * intervals in time order (one per constant-offset stretch, so they may touch). Wall times are
 * "local time read as if it were UTC" milliseconds.
 *
 * This is exact around DST changes: a wall range that falls in a skipped hour yields nothing
 * for the skipped part, and a wall range inside a repeated hour yields two intervals, one per
 * pass of the clock through it.
 */
export function instantsShowingWallTime(zone: IANAZone, wallFrom: number, wallTo: number): { start: number; end: number }[] {
  // UTC offsets, historical local mean times included, stay within ±16 hours; a day covers them.
  const margin = 24 * MS_PER_HOUR;
  const intervals: { start: number; end: number }[] = [];
  for (const segment of offsetSegments(zone, wallFrom - margin, wallTo + margin)) {
    const start = Math.max(segment.start, wallFrom - segment.offset);
    const end = Math.min(segment.end, wallTo - segment.offset);
    if (start < end) intervals.push({ start, end });
  }
  return intervals;
}

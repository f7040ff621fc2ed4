import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidTimeZone, isWithinSendWindow, nextSendInstant, type SendWindowOptions } from './send-window.js';
import type { SendWindow } from './trigger-definition.js';

const WEEKDAYS: SendWindow['days'] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const EVERY_DAY: SendWindow['days'] = [...WEEKDAYS, 'sat', 'sun'];
const office: SendWindow = { days: WEEKDAYS, start: '09:00', end: '17:00' };
const daily = (start: string, end: string): SendWindow => ({ days: EVERY_DAY, start, end });

/** nextSendInstant with ISO strings in and out, so expectations read as timestamps. */
function next(notBefore: string, window: SendWindow | undefined, timeZone: string, options?: SendWindowOptions): string {
  return nextSendInstant(new Date(notBefore), window, timeZone, options).toISOString();
}

describe('nextSendInstant: ordinary days (America/New_York, EST = UTC-5 in January)', () => {
  it('without a window, any instant will do', () => {
    assert.equal(next('2024-01-13T03:00:00.000Z', undefined, 'America/New_York'), '2024-01-13T03:00:00.000Z');
  });

  it('inside the window: now', () => {
    assert.equal(next('2024-01-10T15:00:00.000Z', office, 'America/New_York'), '2024-01-10T15:00:00.000Z');
  });

  it('before the window: when it opens that day', () => {
    assert.equal(next('2024-01-10T12:00:00.000Z', office, 'America/New_York'), '2024-01-10T14:00:00.000Z');
  });

  it('the end is exclusive: 16:59:59.999 is in, 17:00 waits for the next day', () => {
    assert.equal(next('2024-01-10T21:59:59.999Z', office, 'America/New_York'), '2024-01-10T21:59:59.999Z');
    assert.equal(next('2024-01-10T22:00:00.000Z', office, 'America/New_York'), '2024-01-11T14:00:00.000Z');
  });

  it('skips the weekend: Friday evening waits for Monday morning', () => {
    assert.equal(next('2024-01-12T23:00:00.000Z', office, 'America/New_York'), '2024-01-15T14:00:00.000Z');
  });

  it('skips holidays, and several in a row', () => {
    const holidays: SendWindow = { ...office, holidays: ['2024-01-15', '2024-01-16'] };
    assert.equal(next('2024-01-12T23:00:00.000Z', holidays, 'America/New_York'), '2024-01-17T14:00:00.000Z');
  });

  it('resolves a named holiday calendar from the options', () => {
    const options: SendWindowOptions = { holidayCalendars: new Map([['us', ['2024-01-15']]]) };
    assert.equal(next('2024-01-12T23:00:00.000Z', { ...office, holidays: 'us' }, 'America/New_York', options), '2024-01-16T14:00:00.000Z');
  });

  it('a window until 24:00 runs to midnight', () => {
    const evening = daily('18:00', '24:00');
    assert.equal(next('2024-01-11T04:59:00.000Z', evening, 'America/New_York'), '2024-01-11T04:59:00.000Z');
    assert.equal(next('2024-01-11T05:00:00.000Z', evening, 'America/New_York'), '2024-01-11T23:00:00.000Z');
  });
});

describe('nextSendInstant: zones far from UTC', () => {
  it('Pacific/Kiritimati (UTC+14): weekdays and holidays are on the local calendar', () => {
    // Friday 18:00 local; Monday 09:00 local is still Sunday in UTC.
    assert.equal(next('2024-01-05T04:00:00.000Z', office, 'Pacific/Kiritimati'), '2024-01-07T19:00:00.000Z');
    // 2024-01-08 is a holiday there; its UTC namesake (when the Tuesday window opens) is not.
    const holiday: SendWindow = { ...office, holidays: ['2024-01-08'] };
    assert.equal(next('2024-01-05T04:00:00.000Z', holiday, 'Pacific/Kiritimati'), '2024-01-08T19:00:00.000Z');
  });

  it('Pacific/Pago_Pago (UTC-11): Saturday in UTC is still Friday afternoon there', () => {
    assert.equal(next('2024-01-06T03:00:00.000Z', office, 'Pacific/Pago_Pago'), '2024-01-06T03:00:00.000Z');
    assert.equal(next('2024-01-06T05:00:00.000Z', office, 'Pacific/Pago_Pago'), '2024-01-08T20:00:00.000Z');
  });

  it('Asia/Kathmandu (UTC+05:45) and Asia/Tehran (UTC+03:30): quarter- and half-hour offsets', () => {
    assert.equal(next('2024-01-10T00:00:00.000Z', office, 'Asia/Kathmandu'), '2024-01-10T03:15:00.000Z');
    const iranianWeek: SendWindow = { days: ['sat', 'sun', 'mon', 'tue', 'wed'], start: '09:00', end: '17:00' };
    // Thursday 2024-06-13 13:30 local → Saturday 09:00 local.
    assert.equal(next('2024-06-13T10:00:00.000Z', iranianWeek, 'Asia/Tehran'), '2024-06-15T05:30:00.000Z');
  });

  it('Asia/Bangkok and Asia/Ho_Chi_Minh (UTC+7)', () => {
    for (const zone of ['Asia/Bangkok', 'Asia/Ho_Chi_Minh']) {
      assert.equal(next('2024-01-10T09:59:00.000Z', office, zone), '2024-01-10T09:59:00.000Z', zone);
      assert.equal(next('2024-01-10T10:00:00.000Z', office, zone), '2024-01-11T02:00:00.000Z', zone);
    }
  });

  it('Pacific/Apia skipped Friday 2011-12-30 entirely, so a Friday window waits a week', () => {
    const fridays: SendWindow = { days: ['fri'], start: '09:00', end: '17:00' };
    // Thursday 2011-12-29 14:00 at UTC-10 → Friday 2012-01-06 09:00 at UTC+14 (daylight time).
    assert.equal(next('2011-12-30T00:00:00.000Z', fridays, 'Pacific/Apia'), '2012-01-05T19:00:00.000Z');
  });
});

describe('nextSendInstant: DST in America/New_York (2024-03-10 and 2024-11-03)', () => {
  it('a window on the spring-forward day opens at 09:00 daylight time', () => {
    assert.equal(next('2024-03-09T23:00:00.000Z', daily('09:00', '17:00'), 'America/New_York'), '2024-03-10T13:00:00.000Z');
  });

  it('a start inside the skipped hour (02:30) opens when the clock jumps to 03:00', () => {
    assert.equal(next('2024-03-10T05:00:00.000Z', daily('02:30', '04:00'), 'America/New_York'), '2024-03-10T07:00:00.000Z');
  });

  it('a window entirely inside the skipped hour does not open that day', () => {
    assert.equal(next('2024-03-10T05:00:00.000Z', daily('02:10', '02:50'), 'America/New_York'), '2024-03-11T06:10:00.000Z');
  });

  it('a window inside the repeated hour is open on both passes of the clock', () => {
    const repeated = daily('01:10', '01:50');
    assert.equal(next('2024-11-03T04:00:00.000Z', repeated, 'America/New_York'), '2024-11-03T05:10:00.000Z', 'first pass, EDT');
    assert.equal(next('2024-11-03T05:55:00.000Z', repeated, 'America/New_York'), '2024-11-03T06:10:00.000Z', 'second pass, EST');
    assert.equal(next('2024-11-03T06:20:00.000Z', repeated, 'America/New_York'), '2024-11-03T06:20:00.000Z', 'inside the second pass');
    assert.equal(next('2024-11-03T06:50:00.000Z', repeated, 'America/New_York'), '2024-11-04T06:10:00.000Z', 'after both');
  });

  it('a window starting in the repeated hour excludes the wall times the clock falls back to', () => {
    const window = daily('01:30', '17:00');
    assert.equal(next('2024-11-03T05:40:00.000Z', window, 'America/New_York'), '2024-11-03T05:40:00.000Z', '01:40 EDT');
    assert.equal(next('2024-11-03T06:00:00.000Z', window, 'America/New_York'), '2024-11-03T06:30:00.000Z', '01:00 EST waits for 01:30 EST');
    assert.equal(next('2024-11-03T21:59:00.000Z', window, 'America/New_York'), '2024-11-03T21:59:00.000Z', '16:59 EST');
  });
});

describe('nextSendInstant: DST in Europe/Berlin (2024-03-31 and 2024-10-27)', () => {
  it('a window exactly the skipped hour (02:00–03:00) waits for the next day', () => {
    assert.equal(next('2024-03-30T23:30:00.000Z', daily('02:00', '03:00'), 'Europe/Berlin'), '2024-04-01T00:00:00.000Z');
  });

  it('a window ending inside the skipped hour closes when the clock jumps', () => {
    const window = daily('01:00', '02:30');
    assert.equal(next('2024-03-31T00:59:00.000Z', window, 'Europe/Berlin'), '2024-03-31T00:59:00.000Z');
    assert.equal(next('2024-03-31T01:00:00.000Z', window, 'Europe/Berlin'), '2024-03-31T23:00:00.000Z');
  });

  it('the repeated hour (02:00–03:00) is one continuous two-hour opening', () => {
    const window = daily('02:00', '03:00');
    assert.equal(isWithinSendWindow(new Date('2024-10-27T00:30:00.000Z'), window, 'Europe/Berlin'), true, '02:30 CEST');
    assert.equal(isWithinSendWindow(new Date('2024-10-27T01:30:00.000Z'), window, 'Europe/Berlin'), true, '02:30 CET');
    assert.equal(next('2024-10-26T23:00:00.000Z', window, 'Europe/Berlin'), '2024-10-27T00:00:00.000Z');
    assert.equal(next('2024-10-27T02:00:00.000Z', window, 'Europe/Berlin'), '2024-10-28T01:00:00.000Z');
  });
});

describe('nextSendInstant: DST where the clock changes at midnight (Asia/Tehran, 2021)', () => {
  it('spring forward skipped 00:00–01:00 on 2021-03-22: the day opens at 01:00', () => {
    assert.equal(next('2021-03-21T20:00:00.000Z', daily('00:00', '09:00'), 'Asia/Tehran'), '2021-03-21T20:30:00.000Z');
  });

  it('fall back repeated 23:00–24:00 on 2021-09-21: both passes belong to that day', () => {
    const lateEvening = daily('23:00', '24:00');
    assert.equal(next('2021-09-21T18:00:00.000Z', lateEvening, 'Asia/Tehran'), '2021-09-21T18:30:00.000Z');
    assert.equal(isWithinSendWindow(new Date('2021-09-21T20:00:00.000Z'), lateEvening, 'Asia/Tehran'), true);
    assert.equal(next('2021-09-21T20:30:00.000Z', lateEvening, 'Asia/Tehran'), '2021-09-22T19:30:00.000Z');
  });
});

describe('nextSendInstant: DST where the clock falls back across midnight (America/St_Johns, 2005)', () => {
  it('Sunday 00:00:30 becomes Saturday 23:01 again, inside a Saturday-night window', () => {
    // Until 2006 St. John's fell back at 00:01 daylight time to 23:01 the previous evening.
    const saturdayNight: SendWindow = { days: ['sat'], start: '23:00', end: '24:00' };
    assert.equal(next('2005-10-30T02:30:30.000Z', saturdayNight, 'America/St_Johns'), '2005-10-30T02:31:00.000Z');
  });
});

describe('nextSendInstant: bad input', () => {
  it('rejects an unknown time zone, with or without a window', () => {
    assert.throws(() => next('2024-01-10T12:00:00Z', office, 'Mars/Olympus_Mons'), {
      name: 'RangeError',
      message: 'invalid time zone "Mars/Olympus_Mons": expected an IANA name such as "Europe/Berlin"',
    });
    assert.throws(() => next('2024-01-10T12:00:00Z', undefined, ''), /invalid time zone ""/);
  });

  it('rejects an invalid Date', () => {
    assert.throws(() => nextSendInstant(new Date('not a date'), office, 'UTC'), /notBefore: expected a valid Date/);
  });

  it('rejects a window with no days, and one that every day is a holiday of', () => {
    assert.throws(() => next('2024-01-10T12:00:00Z', { ...office, days: [] }, 'UTC'), /sendWindow.days: the window has no days/);
    const mondays: SendWindow = { days: ['mon'], start: '09:00', end: '17:00', holidays: ['2024-01-15', '2024-01-22'] };
    assert.throws(
      () => next('2024-01-10T12:00:00Z', mondays, 'UTC', { horizonDays: 14 }),
      /sendWindow: no allowed time within 14 days of 2024-01-10T12:00:00.000Z in UTC/,
    );
  });

  it('rejects an unknown holiday calendar and malformed times', () => {
    assert.throws(() => next('2024-01-10T12:00:00Z', { ...office, holidays: 'fr' }, 'UTC'), /unknown holiday calendar "fr"/);
    assert.throws(() => next('2024-01-10T12:00:00Z', { ...office, start: '9am' }, 'UTC'), /sendWindow.start: expected HH:MM, got "9am"/);
    assert.throws(() => next('2024-01-10T12:00:00Z', { ...office, end: '08:00' }, 'UTC'), /end 08:00 must be after start 09:00/);
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA names and refuses everything else', () => {
    for (const zone of ['UTC', 'Europe/Berlin', 'Pacific/Kiritimati', 'Asia/Kathmandu', 'America/Argentina/Buenos_Aires']) {
      assert.equal(isValidTimeZone(zone), true, zone);
    }
    for (const zone of ['', 'Mars/Base', '+05:00', 'Europe/Berlin ', 'GMT+25']) assert.equal(isValidTimeZone(zone), false, zone);
  });
});

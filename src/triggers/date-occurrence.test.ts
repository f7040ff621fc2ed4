import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays, formatCalendarDate, requireCalendarDate } from './calendar-date.js';
import { dateFiringKey, dateTriggerFiresOn, localDateIn, localDayKey, timeZonesByLocalDate } from './date-occurrence.js';

/** Every day of `year` on which the trigger fires, as 'YYYY-MM-DD → occurrence'. */
function firingsIn(year: number, fieldDate: string, offsetDays: number, yearly = true): string[] {
  const firings: string[] = [];
  for (let day = requireCalendarDate(`${year}-01-01`, 'start'); day.year === year; day = addDays(day, 1)) {
    const today = formatCalendarDate(day);
    const result = dateTriggerFiresOn(fieldDate, offsetDays, today, { yearly });
    if (result.fires) firings.push(`${today} → ${result.occurrence}`);
  }
  return firings;
}

describe('dateTriggerFiresOn: yearly dates', () => {
  it('fires on the anniversary, saying which one', () => {
    assert.deepEqual(dateTriggerFiresOn('1990-06-15', 0, '2024-06-15'), { fires: true, occurrence: '2024-06-15', years: 34 });
    assert.deepEqual(dateTriggerFiresOn('1990-06-15', 0, '2024-06-14'), { fires: false });
    assert.deepEqual(dateTriggerFiresOn('1990-06-15', 0, '2024-06-16'), { fires: false });
  });

  it('is yearly unless told otherwise', () => {
    assert.equal(dateTriggerFiresOn('1990-06-15', 0, '2031-06-15').fires, true);
  });

  it('applies offsets before and after the date', () => {
    assert.deepEqual(dateTriggerFiresOn('1990-06-15', -14, '2024-06-01'), { fires: true, occurrence: '2024-06-15', years: 34 });
    assert.deepEqual(dateTriggerFiresOn('1990-06-15', 3, '2024-06-18'), { fires: true, occurrence: '2024-06-15', years: 34 });
    assert.equal(dateTriggerFiresOn('1990-06-15', -14, '2024-06-15').fires, false);
  });

  it('offsets cross year ends in both directions', () => {
    // 14 days before Jan 5 is Dec 22 of the previous year.
    assert.deepEqual(dateTriggerFiresOn('1985-01-05', -14, '2024-12-22'), { fires: true, occurrence: '2025-01-05', years: 40 });
    assert.deepEqual(firingsIn(2024, '1985-01-05', -14), ['2024-12-22 → 2025-01-05']);
    // 10 days after Dec 28 is Jan 7 of the next year.
    assert.deepEqual(dateTriggerFiresOn('1985-12-28', 10, '2025-01-07'), { fires: true, occurrence: '2024-12-28', years: 39 });
    assert.deepEqual(firingsIn(2025, '1985-12-28', 10), ['2025-01-07 → 2024-12-28']);
  });

  it('offsets of a whole year land on the neighbouring anniversary', () => {
    assert.deepEqual(dateTriggerFiresOn('2000-03-01', -366, '2023-03-01'), { fires: true, occurrence: '2024-03-01', years: 24 });
  });

  it('fires once a year for every date and offset, leap years included', () => {
    for (const fieldDate of ['2000-02-29', '1999-02-28', '1999-03-01', '1999-12-31', '1999-01-01']) {
      for (const offset of [-30, -1, 0, 1, 45]) {
        for (const year of [2023, 2024, 2100]) {
          assert.equal(firingsIn(year, fieldDate, offset).length, 1, `${fieldDate} ${offset} in ${year}`);
        }
      }
    }
  });
});

describe('dateTriggerFiresOn: Feb 29', () => {
  it('in a leap year, is celebrated on Feb 29 itself', () => {
    assert.deepEqual(firingsIn(2024, '2000-02-29', 0), ['2024-02-29 → 2024-02-29']);
  });

  it('in a common year, is celebrated on Feb 28, before the day passes', () => {
    assert.deepEqual(firingsIn(2023, '2000-02-29', 0), ['2023-02-28 → 2023-02-28']);
    assert.deepEqual(dateTriggerFiresOn('2000-02-29', 0, '2023-02-28'), { fires: true, occurrence: '2023-02-28', years: 23 });
    assert.equal(dateTriggerFiresOn('2000-02-29', 0, '2023-03-01').fires, false);
  });

  it('follows the Gregorian rule: 2100 is not a leap year, 2000 was', () => {
    assert.deepEqual(firingsIn(2100, '2000-02-29', 0), ['2100-02-28 → 2100-02-28']);
    assert.deepEqual(firingsIn(2000, '1996-02-29', 0), ['2000-02-29 → 2000-02-29']);
  });

  it('offsets count from the day it is celebrated', () => {
    assert.deepEqual(firingsIn(2023, '2000-02-29', -7), ['2023-02-21 → 2023-02-28']);
    assert.deepEqual(firingsIn(2024, '2000-02-29', -7), ['2024-02-22 → 2024-02-29']);
    assert.deepEqual(firingsIn(2023, '2000-02-29', 1), ['2023-03-01 → 2023-02-28']);
  });

  it('a Feb 28 date stays on Feb 28 in leap years', () => {
    assert.deepEqual(firingsIn(2024, '1999-02-28', 0), ['2024-02-28 → 2024-02-28']);
  });
});

describe('dateTriggerFiresOn: first anniversaries and one-off dates', () => {
  it('a yearly date does not fire in its own year: the day someone became a customer is no anniversary', () => {
    assert.deepEqual(dateTriggerFiresOn('2024-03-01', 0, '2024-03-01'), { fires: false });
    assert.deepEqual(dateTriggerFiresOn('2024-12-30', -14, '2024-12-16'), { fires: false });
    assert.deepEqual(dateTriggerFiresOn('2024-03-01', 0, '2025-03-01'), { fires: true, occurrence: '2025-03-01', years: 1 });
    // An offset that pulls the first anniversary into the same year still counts.
    assert.deepEqual(dateTriggerFiresOn('2024-01-03', -14, '2024-12-20'), { fires: true, occurrence: '2025-01-03', years: 1 });
  });

  it('a one-off date (renewal) fires once, on the date with its offset', () => {
    assert.deepEqual(dateTriggerFiresOn('2025-01-31', -30, '2025-01-01', { yearly: false }), {
      fires: true,
      occurrence: '2025-01-31',
      years: null,
    });
    assert.deepEqual(firingsIn(2025, '2025-01-31', -30, false), ['2025-01-01 → 2025-01-31']);
    assert.deepEqual(firingsIn(2026, '2025-01-31', -30, false), []);
    assert.deepEqual(firingsIn(2024, '2025-01-05', -14, false), ['2024-12-22 → 2025-01-05']);
  });
});

describe('dateTriggerFiresOn: bad input', () => {
  it('names the argument that is not a calendar date', () => {
    assert.throws(() => dateTriggerFiresOn('2023-02-29', 0, '2024-01-01'), {
      name: 'RangeError',
      message: 'fieldDate: expected a calendar date YYYY-MM-DD, got "2023-02-29"',
    });
    assert.throws(() => dateTriggerFiresOn('1990-06-15', 0, '2024-6-15'), /localToday: expected a calendar date YYYY-MM-DD, got "2024-6-15"/);
    assert.throws(() => dateTriggerFiresOn('1990-06-15T00:00:00Z', 0, '2024-06-15'), /fieldDate/);
    assert.throws(() => dateTriggerFiresOn('1990-13-01', 0, '2024-06-15'), /fieldDate/);
  });

  it('refuses a fractional offset', () => {
    assert.throws(() => dateTriggerFiresOn('1990-06-15', 1.5, '2024-06-15'), /offsetDays: expected an integer, got 1.5/);
    assert.throws(() => dateTriggerFiresOn('1990-06-15', Number.NaN, '2024-06-15'), /offsetDays/);
  });
});

describe('localDateIn', () => {
  it('gives the recipient’s calendar date, not the UTC one', () => {
    assert.equal(localDateIn('America/New_York', new Date('2024-01-01T04:59:59.999Z')), '2023-12-31');
    assert.equal(localDateIn('America/New_York', new Date('2024-01-01T05:00:00.000Z')), '2024-01-01');
    assert.equal(localDateIn('Pacific/Kiritimati', new Date('2024-01-01T10:00:00.000Z')), '2024-01-02');
    assert.equal(localDateIn('Pacific/Pago_Pago', new Date('2024-01-01T10:00:00.000Z')), '2023-12-31');
    assert.equal(localDateIn('Asia/Kathmandu', new Date('2024-01-01T18:14:59.999Z')), '2024-01-01');
    assert.equal(localDateIn('Asia/Kathmandu', new Date('2024-01-01T18:15:00.000Z')), '2024-01-02');
  });

  it('follows DST: midnight moves by an hour in summer', () => {
    assert.equal(localDateIn('Europe/Berlin', new Date('2024-07-01T21:59:59.999Z')), '2024-07-01');
    assert.equal(localDateIn('Europe/Berlin', new Date('2024-07-01T22:00:00.000Z')), '2024-07-02');
    assert.equal(localDateIn('Europe/Berlin', new Date('2024-01-01T22:59:59.999Z')), '2024-01-01');
  });

  it('rejects an invalid zone or instant', () => {
    assert.throws(() => localDateIn('Europe/Atlantis', new Date(0)), /invalid time zone "Europe\/Atlantis"/);
    assert.throws(() => localDateIn('UTC', new Date(Number.NaN)), /instant: expected a valid Date/);
  });
});

describe('timeZonesByLocalDate and localDayKey', () => {
  it('groups zones by the date their clocks show, each zone once', () => {
    const groups = timeZonesByLocalDate(new Date('2024-01-01T10:00:00.000Z'), [
      'Pacific/Kiritimati',
      'Europe/Berlin',
      'Pacific/Pago_Pago',
      'UTC',
      'Europe/Berlin',
    ]);
    assert.deepEqual(
      groups,
      new Map([
        ['2024-01-02', ['Pacific/Kiritimati']],
        ['2024-01-01', ['Europe/Berlin', 'UTC']],
        ['2023-12-31', ['Pacific/Pago_Pago']],
      ]),
    );
  });

  it('rejects an invalid zone among them', () => {
    assert.throws(() => timeZonesByLocalDate(new Date(0), ['UTC', 'Nowhere/Land']), /invalid time zone "Nowhere\/Land"/);
  });

  it('localDayKey names the local day in the zone', () => {
    assert.equal(localDayKey('Pacific/Kiritimati', new Date('2024-01-01T10:00:00.000Z')), '2024-01-02@Pacific/Kiritimati');
    assert.equal(localDayKey('Pacific/Kiritimati', new Date('2024-01-01T09:59:59.999Z')), '2024-01-01@Pacific/Kiritimati');
  });
});

describe('dateFiringKey', () => {
  it('is stable per trigger, customer and occurrence', () => {
    assert.equal(dateFiringKey('trg_1', 'cus_9', '2025-01-05'), 'date-trigger/trg_1/cus_9/2025-01-05');
    assert.notEqual(dateFiringKey('trg_1', 'cus_9', '2025-01-05'), dateFiringKey('trg_1', 'cus_9', '2026-01-05'));
  });

  it('refuses ids that could collide and occurrences that are not dates', () => {
    assert.throws(() => dateFiringKey('trg/1', 'cus', '2025-01-05'), /triggerId: expected a non-empty id without '\/' or ':'/);
    assert.throws(() => dateFiringKey('trg', 'cus:1', '2025-01-05'), /customerId/);
    assert.throws(() => dateFiringKey('', 'cus', '2025-01-05'), /triggerId/);
    assert.throws(() => dateFiringKey('trg', 'cus', '2025-02-29'), /occurrence: expected a calendar date/);
  });
});

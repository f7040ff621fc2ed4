import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { addDays, formatCalendarDate, isLeapYear, parseCalendarDate } from './calendar-date.js';
import { dateFiringKey, dateTriggerFiresOn, localDateIn } from './date-occurrence.js';
import { isYearlyDateField, type DateSource } from './trigger-definition.js';
import type { Firing } from './fire-triggers.js';
import type { ActiveTrigger } from './trigger-store.js';

const COLUMN: Record<DateSource['field'], Prisma.Sql> = {
  birthday: Prisma.sql`c."birthday"`,
  customerSince: Prisma.sql`c."customerSince"`,
  renewalDate: Prisma.sql`c."renewalDate"`,
  'account.customerSince': Prisma.sql`a."customerSince"`,
  'account.renewalDate': Prisma.sql`a."renewalDate"`,
};

/**
 * Every clock on Earth shows one of three dates (UTC−12…UTC+14 around the UTC date), so the
 * dates a trigger could be celebrating right now are those three minus its offset. Feb 28 in a
 * common year also stands for Feb 29 birthdays.
 */
export function targetDates(now: Date, offsetDays: number): { dates: string[]; monthDays: [number, number][] } {
  const utc = parseCalendarDate(now.toISOString().slice(0, 10))!;
  const dates = [-1, 0, 1, 2].map((d) => addDays(utc, d - offsetDays));
  const monthDays = new Map<string, [number, number]>();
  for (const d of dates) {
    monthDays.set(`${d.month}-${d.day}`, [d.month, d.day]);
    if (d.month === 2 && d.day === 28 && !isLeapYear(d.year)) monthDays.set('2-29', [2, 29]);
  }
  return { dates: dates.map(formatCalendarDate), monthDays: [...monthDays.values()] };
}

/**
 * Customers for whom a date trigger fires on their own calendar today, found in keyset-paged
 * batches (`id > cursor`) with the date narrowed in SQL, so a million customers are never loaded:
 * only the few whose date falls in the window are, and each is checked exactly in their zone.
 */
export async function* dateFirings(prisma: PrismaClient, trigger: ActiveTrigger, now: Date, batchSize = 1000): AsyncGenerator<{ customerId: string; firing: Firing }[]> {
  const source = trigger.definition.source;
  if (source.type !== 'date') return;
  const column = COLUMN[source.field];
  const yearly = isYearlyDateField(source.field);
  const { dates, monthDays } = targetDates(now, source.offsetDays);
  const dateFilter = yearly
    ? Prisma.sql`(${Prisma.join(monthDays.map(([m, d]) => Prisma.sql`(EXTRACT(MONTH FROM ${column}) = ${m} AND EXTRACT(DAY FROM ${column}) = ${d})`), ' OR ')})`
    : Prisma.sql`${column} IN (${Prisma.join(dates.map((d) => Prisma.sql`${d}::date`))})`;
  for (let cursor = '00000000-0000-0000-0000-000000000000'; ; ) {
    const rows = await prisma.$queryRaw<{ id: string; timeZone: string; date: Date }[]>`
      SELECT c.id, c."timeZone", ${column} AS date
        FROM "Customer" c LEFT JOIN "Account" a ON a.id = c."accountId"
       WHERE c.id > ${cursor}::uuid AND ${column} IS NOT NULL AND ${dateFilter}
       ORDER BY c.id LIMIT ${batchSize}`;
    const batch: { customerId: string; firing: Firing }[] = [];
    for (const row of rows) {
      const fieldDate = row.date.toISOString().slice(0, 10);
      const firing = dateTriggerFiresOn(fieldDate, source.offsetDays, localDateIn(row.timeZone, now), { yearly });
      if (!firing.fires) continue;
      batch.push({
        customerId: row.id,
        firing: {
          trigger,
          dedupeKey: dateFiringKey(trigger.id, row.id, firing.occurrence),
          templateExtras: { occasion: { field: source.field, date: firing.occurrence, years: firing.years } },
        },
      });
    }
    if (batch.length) yield batch;
    if (rows.length < batchSize) return;
    cursor = rows.at(-1)!.id;
  }
}

import { z } from 'zod';

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};
const isLocale = (l: string) => {
  try {
    return Intl.getCanonicalLocales(l).length === 1;
  } catch {
    return false;
  }
};
const calendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD').refine(
  (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
  'not a real calendar date',
);

export const Locale = z.string().refine(isLocale, 'expected a BCP 47 locale such as en, vi-VN, th or fa');
export const TimeZone = z.string().refine(isTimeZone, 'expected an IANA time zone such as Europe/Berlin or Asia/Bangkok');

/** A customer as integrations send it; `externalId` is the key in the sender's system. */
export const CustomerInput = z.strictObject({
  externalId: z.string().trim().min(1).max(200),
  name: z.string().trim().min(1).max(300),
  firstName: z.string().trim().min(1).max(100).optional(),
  /** Other spellings of the name, for finding this person in the news. */
  aliases: z.array(z.string().trim().min(1).max(200)).max(20).optional(),
  /** Job title, e.g. "CEO"; shown beside news about the person. */
  title: z.string().trim().min(1).max(200).optional(),
  email: z.string().trim().toLowerCase().email('expected an email address').optional(),
  // No defaults here: an update that leaves them out keeps the stored values; new customers get
  // the column defaults (en, UTC).
  locale: Locale.optional(),
  timeZone: TimeZone.optional(),
  /** The account manager's email (a Rapport user). */
  owner: z.string().trim().toLowerCase().email('expected the email of a Rapport user').optional(),
  account: z
    .strictObject({
      externalId: z.string().trim().min(1).max(200),
      name: z.string().trim().min(1).max(300),
      domain: z.string().trim().toLowerCase().optional(),
    })
    .optional(),
  tier: z.string().trim().max(50).optional(),
  tags: z.array(z.string().trim().min(1).max(50)).max(50).optional(),
  country: z.string().trim().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 code such as DE').optional(),
  birthday: calendarDate.optional(),
  customerSince: calendarDate.optional(),
  renewalDate: calendarDate.optional(),
  // The column is DECIMAL(14, 2): a larger value would fail in PostgreSQL instead of here.
  lifetimeValue: z.number().finite().min(0).max(999_999_999_999.99, 'at most 999999999999.99').optional(),
  optedOut: z.boolean().optional(),
  doNotContact: z.boolean().optional(),
  /** Postal address for print notes: street lines as on the envelope, then postal code, city, region. */
  addressLines: z.array(z.string().trim().min(1).max(200)).max(5).optional(),
  postalCode: z.string().trim().min(1).max(20).optional(),
  city: z.string().trim().min(1).max(100).optional(),
  region: z.string().trim().min(1).max(100).optional(),
});
export type CustomerInput = z.infer<typeof CustomerInput>;

/** The first name used in greetings when none is given: the first word of the name. */
export function firstNameOf(input: { firstName?: string | null; name: string }): string {
  return input.firstName ?? input.name.split(/\s+/)[0] ?? input.name;
}

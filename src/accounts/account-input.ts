import { z } from 'zod';
import { Locale } from '../customers/customer-input.js';

/** A customer company as integrations (and marketing) describe it; `externalId` is the key. */
export const AccountInput = z.strictObject({
  externalId: z.string().trim().min(1).max(200),
  name: z.string().trim().min(1).max(300),
  /** Former names, abbreviations, tickers, local-script spellings — all matched in news. */
  aliases: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
  domain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^(?:[a-z0-9-]+\.)+[a-z]{2,}$/, 'expected a domain such as acme.com')
    .optional(),
  /** Words that confirm an ambiguous alias means this company (products, cities, people). */
  keywords: z.array(z.string().trim().min(1).max(100)).max(100).optional(),
  locale: Locale.optional(),
  country: z.string().trim().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 code such as DE').optional(),
  tier: z.string().trim().max(50).optional(),
  tags: z.array(z.string().trim().min(1).max(50)).max(50).optional(),
  owner: z.string().trim().toLowerCase().email('expected the email of a Rapport user').optional(),
});
export type AccountInput = z.infer<typeof AccountInput>;

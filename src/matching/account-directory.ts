import { z } from 'zod';

/** A person at an account; matched by name only next to their company or when the name is distinctive. */
export const DirectoryContact = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  aliases: z.array(z.string()).default([]),
  title: z.string().optional().nullable(),
});
export type DirectoryContact = z.infer<typeof DirectoryContact>;

/**
 * A company as the matcher sees it. `aliases` hold former names, abbreviations, tickers and
 * local-script spellings; `keywords` are words that confirm an ambiguous alias really means this
 * account (products, cities, executives' nicknames), never matches on their own.
 */
export const DirectoryAccount = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  aliases: z.array(z.string()).default([]),
  domain: z.string().optional().nullable(),
  locale: z.string().optional().nullable(),
  keywords: z.array(z.string()).default([]),
  contacts: z.array(DirectoryContact).default([]),
});
export type DirectoryAccount = z.infer<typeof DirectoryAccount>;

export const AccountDirectory = z.array(DirectoryAccount);
export type AccountDirectory = z.infer<typeof AccountDirectory>;

import { z } from 'zod';
import { Locale } from '../customers/customer-input.js';

const httpUrl = z
  .string()
  .trim()
  .url('expected an http:// or https:// URL')
  .refine((u) => /^https?:\/\//i.test(u), 'expected an http:// or https:// URL');

/** A feed as marketing registers it (API and CLI). */
export const FeedInput = z.strictObject({
  url: httpUrl,
  name: z.string().trim().min(1).max(200),
  /** A hint for classification when the feed does not declare its language. */
  language: Locale.optional(),
  pollIntervalMinutes: z.number().int().min(5, 'poll at most every 5 minutes').max(7 * 24 * 60).default(30),
  enabled: z.boolean().default(true),
});
export type FeedInput = z.infer<typeof FeedInput>;

export const FeedUpdate = FeedInput.partial().strict();
export type FeedUpdate = z.infer<typeof FeedUpdate>;

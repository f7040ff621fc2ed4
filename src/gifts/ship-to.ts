import { z } from 'zod';
import type { Customer, GiftOrder } from '../generated/prisma/client.js';

/**
 * Where a gift goes. Messages are keys, not sentences: the public confirmation page shows them in
 * the recipient's language (templates/gift-address/<locale>.json, `errors`).
 */
const line = (max: number) => z.string().trim().max(max, 'too_long');
const optionalLine = (max: number) => line(max).transform((v) => (v === '' ? null : v)).nullable().default(null);

export const ShipTo = z.object({
  name: line(200).min(1, 'required'),
  addressLines: z.array(line(200)).max(3).transform((lines) => lines.filter(Boolean)).refine((lines) => lines.length > 0, { message: 'required', path: [0] }),
  postalCode: optionalLine(20),
  city: line(100).min(1, 'required'),
  region: optionalLine(100),
  /** ISO 3166-1 alpha-2, upper case, as Customer.country. */
  country: z.string().trim().toUpperCase().regex(/^[A-Z]{2}$/, 'country'),
});
export type ShipTo = z.infer<typeof ShipTo>;

/** An address as stored on a customer (any part may be missing) or confirmed for an order. */
export type PostalAddress = Pick<Customer, 'name' | 'addressLines' | 'postalCode' | 'city' | 'region' | 'country'>;

/** The confirmed address when the recipient gave one, otherwise the customer's address on file. */
export function shipToOf(order: Pick<GiftOrder, 'shipTo'>, customer: PostalAddress): PostalAddress {
  const confirmed = order.shipTo === null ? null : ShipTo.safeParse(order.shipTo);
  if (confirmed?.success) return confirmed.data;
  return { name: customer.name, addressLines: customer.addressLines, postalCode: customer.postalCode, city: customer.city, region: customer.region, country: customer.country };
}

import { z } from 'zod';
import type { Gift, PrismaClient } from '../generated/prisma/client.js';
import { writeAudit, type Actor } from '../audit/audit-log.js';
import type { Tx } from '../infra/database.js';

/** ISO 4217: three capital letters (EUR, USD, JPY). */
export const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code such as EUR');

/** Money as a decimal string or number with at most two decimals, stored as DECIMAL(12,2). */
export const MoneyAmount = z
  .union([z.number(), z.string().regex(/^\d+(\.\d{1,2})?$/, 'expected an amount such as 25.00')])
  .transform((v) => String(v))
  .refine((v) => /^\d{1,10}(\.\d{1,2})?$/.test(v), 'expected a non-negative amount with at most two decimals, below 10^10');

export const GiftInput = z.strictObject({
  sku: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected a SKU (letters, digits, ".", "_" and "-", at most 64)'),
  name: z.string().trim().min(1).max(200),
  cost: MoneyAmount,
  currency: CurrencyCode,
  active: z.boolean().default(true),
  /** The recipient confirms (or corrects) the address through an emailed link before it ships. */
  confirmAddress: z.boolean().default(false),
});
export type GiftInput = z.infer<typeof GiftInput>;

/** Creates or updates a catalog entry by SKU. Suggestions keep the cost they were drafted with. */
export async function upsertGift(prisma: PrismaClient, input: GiftInput, actor: Actor): Promise<{ gift: Gift; created: boolean }> {
  return prisma.$transaction(async (tx) => {
    const existing = await tx.gift.findUnique({ where: { sku: input.sku }, select: { id: true } });
    const gift = await tx.gift.upsert({
      where: { sku: input.sku },
      create: input,
      update: { name: input.name, cost: input.cost, currency: input.currency, active: input.active, confirmAddress: input.confirmAddress },
    });
    await writeAudit(tx, {
      actor,
      entityType: 'gift',
      entityId: gift.id,
      action: existing ? 'gift.updated' : 'gift.created',
      data: { sku: gift.sku, cost: gift.cost.toFixed(2), currency: gift.currency, active: gift.active, confirmAddress: gift.confirmAddress },
    });
    return { gift, created: !existing };
  });
}

export function listGifts(prisma: PrismaClient, opts: { activeOnly?: boolean } = {}): Promise<Gift[]> {
  return prisma.gift.findMany({ where: opts.activeOnly ? { active: true } : {}, orderBy: { sku: 'asc' } });
}

/**
 * The catalog entry a new suggestion may carry, or why it may not: the catalog can change after a
 * trigger was saved, so the SKU is checked when each note is drafted.
 */
export async function giftForDraft(tx: Tx, sku: string): Promise<{ gift: Gift } | { skipped: string }> {
  const gift = await tx.gift.findUnique({ where: { sku } });
  if (!gift) return { skipped: `unknown gift SKU ${sku}` };
  if (!gift.active) return { skipped: `gift ${sku} is inactive` };
  return { gift };
}

export function presentGift(g: Gift) {
  return { id: g.id, sku: g.sku, name: g.name, cost: Number(g.cost), currency: g.currency, active: g.active, confirmAddress: g.confirmAddress, createdAt: g.createdAt.toISOString(), updatedAt: g.updatedAt.toISOString() };
}

import { z } from 'zod';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Actor } from '../audit/audit-log.js';
import { AppError } from '../errors.js';
import { transitionGiftOrder } from './gift-order-status.js';

export const ShipInput = z
  .strictObject({
    /** These orders… */
    giftOrderIds: z.array(z.string().uuid('expected a gift order id (UUID)')).min(1).max(1000).optional(),
    /** …or every packed order of this packing run. */
    packingRunId: z.string().uuid('expected a packing run id (UUID)').optional(),
  })
  .refine((v) => (v.giftOrderIds === undefined) !== (v.packingRunId === undefined), { message: 'give exactly one of giftOrderIds or packingRunId', path: ['giftOrderIds'] });
export type ShipInput = z.infer<typeof ShipInput>;

export interface ShipResult {
  giftOrderId: string;
  result: 'shipped' | 'already_shipped' | 'refused';
  message?: string;
}

/**
 * Manual fulfilment's last step: packed orders were handed to the courier. Each order moves on its
 * own (packed → shipped, audited), so one that cannot ship — still pending, cancelled — is reported
 * without holding back the others; marking an order shipped twice is harmless.
 */
export async function markGiftOrdersShipped(prisma: PrismaClient, input: ShipInput & { actor: Actor; now?: Date }): Promise<ShipResult[]> {
  let ids = input.giftOrderIds ?? [];
  if (input.packingRunId) {
    const run = await prisma.giftPackingRun.findUnique({ where: { id: input.packingRunId }, select: { status: true } });
    if (!run) throw new AppError('RAPPORT_NOT_FOUND', `No packing run with id ${input.packingRunId}`, { field: 'packingRunId' });
    if (run.status !== 'completed') throw new AppError('RAPPORT_GIFT_ORDER_ILLEGAL_TRANSITION', `Packing run ${input.packingRunId} is ${run.status}; only a completed run's orders can ship`, { field: 'packingRunId' });
    ids = (await prisma.giftOrder.findMany({ where: { packingRunId: input.packingRunId, status: 'packed' }, select: { id: true }, orderBy: { packingPage: 'asc' } })).map((o) => o.id);
  }
  const results: ShipResult[] = [];
  for (const id of [...new Set(ids)]) {
    try {
      const moved = await prisma.$transaction((tx) => transitionGiftOrder(tx, { id, to: 'shipped', from: ['packed'], actor: input.actor, patch: { shippedAt: input.now ?? new Date() } }));
      results.push({ giftOrderId: id, result: moved ? 'shipped' : 'already_shipped' });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      results.push({ giftOrderId: id, result: 'refused', message: err.message });
    }
  }
  return results;
}

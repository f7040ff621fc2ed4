import type { GiftOrder, GiftOrderStatus, Prisma } from '../generated/prisma/client.js';
import { writeAudit, type Actor } from '../audit/audit-log.js';
import { AppError } from '../errors.js';
import type { Tx } from '../infra/database.js';

/**
 * The gift order lifecycle. Forward-only: a late or repeated partner callback, a replayed
 * confirmation link or a second "ship" never moves an order back. The one way back is
 * packing → pending, when a packing run dies before committing (nothing of it left the machine).
 *
 *   awaiting_confirmation → pending                          (the recipient confirmed the address)
 *   pending → ordered → shipped → delivered                  (fulfilment partner)
 *   pending → packing → packed → shipped                     (manual: packing run, then `gifts ship`)
 */
export const NEXT_GIFT_STATUS: Record<GiftOrderStatus, readonly GiftOrderStatus[]> = {
  awaiting_confirmation: ['pending', 'cancelled'],
  pending: ['packing', 'ordered', 'shipped', 'delivered', 'failed', 'cancelled'],
  packing: ['pending', 'packed'],
  packed: ['shipped', 'delivered', 'cancelled'],
  ordered: ['shipped', 'delivered', 'failed', 'cancelled'],
  shipped: ['delivered', 'failed'],
  delivered: [],
  failed: [],
  cancelled: [],
};

export const canTransitionGiftOrder = (from: GiftOrderStatus, to: GiftOrderStatus) => NEXT_GIFT_STATUS[from].includes(to);

/**
 * Moves one order to `to` with its audit entry, in the caller's transaction. The row is locked
 * first, so two requests racing (a double-clicked confirm, two `gifts ship`) serialise and the
 * second sees the first's result. Returns null when the order is already in `to` (a harmless
 * repeat); throws RAPPORT_GIFT_ORDER_ILLEGAL_TRANSITION for any other state the move is not allowed from.
 */
export async function transitionGiftOrder(
  tx: Tx,
  args: {
    id: string;
    to: GiftOrderStatus;
    /** Narrows the states this move is allowed from (e.g. only `packed` orders are shipped by hand). */
    from?: readonly GiftOrderStatus[];
    actor: Actor;
    reason?: string;
    data?: Prisma.InputJsonValue;
    patch?: Prisma.GiftOrderUpdateInput;
  },
): Promise<GiftOrder | null> {
  const [locked] = await tx.$queryRaw<{ status: GiftOrderStatus }[]>`SELECT "status" FROM "GiftOrder" WHERE "id" = ${args.id}::uuid FOR UPDATE`;
  if (!locked) throw new AppError('RAPPORT_GIFT_ORDER_NOT_FOUND', undefined, { field: 'id' });
  if (locked.status === args.to) return null;
  if (!canTransitionGiftOrder(locked.status, args.to) || (args.from && !args.from.includes(locked.status))) {
    throw new AppError('RAPPORT_GIFT_ORDER_ILLEGAL_TRANSITION', `Gift order ${args.id} is ${locked.status}; it cannot become ${args.to}`, { field: 'id' });
  }
  const order = await tx.giftOrder.update({ where: { id: args.id }, data: { ...args.patch, status: args.to } });
  await writeAudit(tx, {
    actor: args.actor,
    entityType: 'gift_order',
    entityId: args.id,
    action: `gift_order.${args.to}`,
    fromStatus: locked.status,
    toStatus: args.to,
    reason: args.reason ?? null,
    ...(args.data !== undefined ? { data: args.data } : {}),
  });
  return order;
}

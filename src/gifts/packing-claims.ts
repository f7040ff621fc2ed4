import type { GiftPackingRun, Prisma, PrismaClient } from '../generated/prisma/client.js';
import { SYSTEM, writeAudit, type Actor } from '../audit/audit-log.js';
import { AppError } from '../errors.js';
import { shipToOf } from './ship-to.js';

/** A packing run renews its lease as it goes; one that stops renewing is presumed dead. */
export const PACKING_RUN_LEASE_MS = 5 * 60_000;
/** Packing runs take turns: one transaction-scoped advisory lock serialises starting them. */
const PACKING_RUN_LOCK = 727_302;
const TX = { timeout: 120_000, maxWait: 10_000 } as const;

export const packingInclude = { suggestion: { include: { customer: true, assignee: { select: { name: true } } } } } as const;
export type ClaimedGiftOrder = Prisma.GiftOrderGetPayload<{ include: typeof packingInclude }>;

const auditRows = (ids: string[], row: { action: string; fromStatus: string; toStatus: string; reason?: string; data: Prisma.InputJsonValue }) =>
  ids.map((id) => ({ actorType: 'system', entityType: 'gift_order', entityId: id, ...row }));

/**
 * Starts a packing run: in one transaction, claims every pending gift order whose recipient has a
 * postal address — pending → packing, with the run's id. Orders without an address stay pending
 * (listed in `unaddressed`) for someone to fix the customer. Returns null when nothing can be packed.
 */
export async function claimPackingRun(
  prisma: PrismaClient,
  args: { paper: string; actor: Actor; now: Date },
): Promise<{ run: GiftPackingRun; claimed: ClaimedGiftOrder[]; unaddressed: string[] } | null> {
  return prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(${PACKING_RUN_LOCK}::bigint)`;
    const live = await tx.giftPackingRun.findFirst({ where: { status: 'rendering', leaseUntil: { gte: args.now } } });
    if (live) throw new AppError('RAPPORT_GIFT_PACKING_BUSY', `Packing run ${live.id} is in progress (started ${live.createdAt.toISOString()})`);

    const pending = await tx.giftOrder.findMany({ where: { status: 'pending' }, include: packingInclude, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    const addressed = (o: ClaimedGiftOrder) => {
      const a = shipToOf(o, o.suggestion.customer);
      return a.addressLines.length > 0 && Boolean(a.city);
    };
    const packable = pending.filter(addressed).map((o) => o.id);
    const unaddressed = pending.filter((o) => !addressed(o)).map((o) => o.id);
    if (!packable.length) return null;

    const run = await tx.giftPackingRun.create({
      data: { paper: args.paper, requestedBy: args.actor.type === 'system' ? 'system' : `${args.actor.type}:${args.actor.id}`, leaseUntil: new Date(args.now.getTime() + PACKING_RUN_LEASE_MS) },
    });
    await writeAudit(tx, { actor: args.actor, entityType: 'gift_packing_run', entityId: run.id, action: 'gift_packing_run.started', toStatus: 'rendering', data: { paper: args.paper } });
    await tx.giftOrder.updateMany({ where: { id: { in: packable }, status: 'pending' }, data: { status: 'packing', packingRunId: run.id } });
    const claimed = await tx.giftOrder.findMany({ where: { packingRunId: run.id, status: 'packing' }, include: packingInclude, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    await tx.auditEntry.createMany({ data: auditRows(claimed.map((o) => o.id), { action: 'gift_order.packing', fromStatus: 'pending', toStatus: 'packing', data: { packingRunId: run.id } }) });
    return { run, claimed, unaddressed };
  }, TX);
}

/** Renews the run's lease; false means the run was abandoned meanwhile and must stop. */
export async function renewPackingLease(prisma: PrismaClient, runId: string, now = new Date()): Promise<boolean> {
  const { count } = await prisma.giftPackingRun.updateMany({ where: { id: runId, status: 'rendering' }, data: { leaseUntil: new Date(now.getTime() + PACKING_RUN_LEASE_MS) } });
  return count === 1;
}

/**
 * Commits a run in one transaction: every claimed order becomes `packed` with its page, the run
 * becomes completed. If the run was abandoned meanwhile (its lease ran out), nothing changes and this throws.
 */
export async function completePackingRun(prisma: PrismaClient, args: { runId: string; pages: { orderId: string; page: number }[]; now: Date }): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const { count } = await tx.giftPackingRun.updateMany({ where: { id: args.runId, status: 'rendering' }, data: { status: 'completed', completedAt: args.now, orderCount: args.pages.length } });
    if (count !== 1) throw new Error(`Packing run ${args.runId} was abandoned while rendering (its lease ran out); its files are discarded`);
    // One statement for the whole run, conditional on the state this run left the orders in; a
    // count that differs rolls the commit back.
    const updated = await tx.$executeRaw`
      UPDATE "GiftOrder" AS o SET "status" = 'packed', "packingPage" = v.page, "updatedAt" = ${args.now}
      FROM unnest(${args.pages.map((p) => p.orderId)}::uuid[], ${args.pages.map((p) => p.page)}::int[]) AS v(id, page)
      WHERE o."id" = v.id AND o."packingRunId" = ${args.runId}::uuid AND o."status" = 'packing'`;
    if (updated !== args.pages.length) throw new Error(`Only ${updated} of ${args.pages.length} gift orders are still claimed by packing run ${args.runId}`);
    await tx.auditEntry.createMany({ data: auditRows(args.pages.map((p) => p.orderId), { action: 'gift_order.packed', fromStatus: 'packing', toStatus: 'packed', data: { packingRunId: args.runId } }) });
    await writeAudit(tx, { actor: SYSTEM, entityType: 'gift_packing_run', entityId: args.runId, action: 'gift_packing_run.completed', fromStatus: 'rendering', toStatus: 'completed', data: { orders: args.pages.length } });
  }, TX);
}

/**
 * Abandons runs whose lease ran out (their process died) or the one named: their orders go back to
 * `pending` for the next run. Nothing of an unfinished run was handed to anyone — its files only
 * ever lived in a `.partial` folder — so packing these orders again cannot ship them twice.
 */
export async function abandonPackingRuns(prisma: PrismaClient, args: { now: Date; runId?: string; reason: string }): Promise<string[]> {
  const stale = await prisma.giftPackingRun.findMany({
    where: args.runId ? { id: args.runId, status: 'rendering' } : { status: 'rendering', leaseUntil: { lt: args.now } },
    select: { id: true },
  });
  const abandoned: string[] = [];
  for (const run of stale) {
    await prisma.$transaction(async (tx) => {
      const { count } = await tx.giftPackingRun.updateMany({ where: { id: run.id, status: 'rendering' }, data: { status: 'abandoned' } });
      if (count !== 1) return;
      const released = (await tx.giftOrder.findMany({ where: { packingRunId: run.id, status: 'packing' }, select: { id: true } })).map((o) => o.id);
      await tx.giftOrder.updateMany({ where: { packingRunId: run.id, status: 'packing' }, data: { status: 'pending', packingRunId: null } });
      await tx.auditEntry.createMany({ data: auditRows(released, { action: 'gift_order.released', fromStatus: 'packing', toStatus: 'pending', reason: args.reason, data: { packingRunId: run.id } }) });
      await writeAudit(tx, { actor: SYSTEM, entityType: 'gift_packing_run', entityId: run.id, action: 'gift_packing_run.abandoned', fromStatus: 'rendering', toStatus: 'abandoned', reason: args.reason, data: { released: released.length } });
      abandoned.push(run.id);
    }, TX);
  }
  return abandoned;
}

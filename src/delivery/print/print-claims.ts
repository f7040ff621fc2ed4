import type { Prisma, PrismaClient, PrintRun } from '../../generated/prisma/client.js';
import { SYSTEM, writeAudit, type Actor } from '../../audit/audit-log.js';
import { AppError } from '../../errors.js';
import type { Tx } from '../../infra/database.js';
import { transitionSuggestion } from '../../notes/suggestion-status.js';
import { PRINT_FORMATS } from './print-formats.js';

/** A rendering run renews its lease after every file; one that stops renewing is presumed dead. */
export const PRINT_RUN_LEASE_MS = 5 * 60_000;
/** Print runs take turns: one transaction-scoped advisory lock serialises starting them. */
const PRINT_RUN_LOCK = 727_301;
const TX = { timeout: 120_000, maxWait: 10_000 } as const;

export const claimedInclude = { suggestion: { include: { customer: true, assignee: true } } } as const;
export type ClaimedPrint = Prisma.DeliveryGetPayload<{ include: typeof claimedInclude }>;

export interface Placement {
  deliveryId: string;
  file: string;
  firstPage: number;
  lastPage: number;
}

/** Why a customer cannot receive a print note, or null. */
const blockedReason = (c: ClaimedPrint['suggestion']['customer']) =>
  c.optedOut ? 'opted out' : c.doNotContact ? 'do not contact' : !c.addressLines.length || !c.city ? 'no postal address' : null;

/**
 * Starts a print run: in one transaction, claims every queued print delivery that is due (and of
 * the asked formats) for a new run — queued → sending, with the run's id and the format used.
 * Deliveries whose customer opted out or has no postal address are suppressed instead.
 * Returns null when there is nothing to print.
 */
export async function claimPrintRun(
  prisma: PrismaClient,
  args: { formats: string[]; defaultFormat: string; actor: Actor; now: Date },
): Promise<{ run: PrintRun; claimed: ClaimedPrint[]; suppressed: number } | null> {
  return prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(${PRINT_RUN_LOCK}::bigint)`;
    const live = await tx.printRun.findFirst({ where: { status: 'rendering', leaseUntil: { gte: args.now } } });
    if (live) throw new AppError('RAPPORT_PRINT_RUN_BUSY', `Print run ${live.id} is in progress (started ${live.createdAt.toISOString()})`);

    const due = await tx.delivery.findMany({
      where: { status: 'queued', channel: 'print', scheduledFor: { lte: args.now } },
      include: claimedInclude,
      orderBy: [{ scheduledFor: 'asc' }, { id: 'asc' }],
    });
    const formatOf = (d: ClaimedPrint) => d.printFormat ?? args.defaultFormat;
    const wanted = due.filter((d) => !args.formats.length || args.formats.includes(formatOf(d)));
    let suppressed = 0;
    const printable: ClaimedPrint[] = [];
    for (const d of wanted) {
      const reason = blockedReason(d.suggestion.customer) ?? (PRINT_FORMATS.has(formatOf(d)) ? null : `unknown print format ${formatOf(d)}`);
      if (!reason) printable.push(d);
      else {
        await failDelivery(tx, d, 'queued', reason, reason.startsWith('unknown') ? 'failed' : 'suppressed');
        suppressed += 1;
      }
    }
    if (!printable.length) return null;

    const run = await tx.printRun.create({
      data: { formats: args.formats, requestedBy: args.actor.type === 'system' ? 'system' : `${args.actor.type}:${args.actor.id}`, leaseUntil: new Date(args.now.getTime() + PRINT_RUN_LEASE_MS) },
    });
    await writeAudit(tx, { actor: args.actor, entityType: 'print_run', entityId: run.id, action: 'print_run.started', toStatus: 'rendering', data: { formats: args.formats } });
    for (const format of new Set(printable.map(formatOf))) {
      await tx.delivery.updateMany({
        where: { id: { in: printable.filter((d) => formatOf(d) === format).map((d) => d.id) }, status: 'queued' },
        data: { status: 'sending', claimedAt: args.now, printRunId: run.id, printFormat: format, attempts: { increment: 1 } },
      });
    }
    const claimed = await tx.delivery.findMany({ where: { printRunId: run.id, status: 'sending' }, include: claimedInclude, orderBy: { id: 'asc' } });
    await tx.auditEntry.createMany({
      data: claimed.map((d) => ({ actorType: 'system', entityType: 'delivery', entityId: d.id, action: 'delivery.sending', fromStatus: 'queued', toStatus: 'sending', data: { printRunId: run.id } })),
    });
    return { run, claimed, suppressed };
  }, TX);
}

/** Renews the run's lease; false means the run was abandoned meanwhile and must stop. */
export async function renewPrintRunLease(prisma: PrismaClient, runId: string, now = new Date()): Promise<boolean> {
  const { count } = await prisma.printRun.updateMany({ where: { id: runId, status: 'rendering' }, data: { leaseUntil: new Date(now.getTime() + PRINT_RUN_LEASE_MS) } });
  return count === 1;
}

/**
 * Completes a run in one transaction: every placed delivery becomes sent (with its file and pages),
 * every note that did not fit fails with the reason, the run becomes completed. If the run was
 * abandoned meanwhile (its lease ran out), nothing changes and this throws.
 */
export async function completePrintRun(
  prisma: PrismaClient,
  args: { runId: string; placements: Placement[]; failures: { deliveryId: string; reason: string }[]; now: Date },
): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const { count } = await tx.printRun.updateMany({
      where: { id: args.runId, status: 'rendering' },
      data: { status: 'completed', completedAt: args.now, cardCount: args.placements.length },
    });
    if (count !== 1) throw new Error(`Print run ${args.runId} was abandoned while rendering (its lease ran out); its files are discarded`);
    // One statement per kind of change rather than one per card: a 1,000-card run commits in well
    // under a second instead of thousands of round trips. Each is conditional on the state this run
    // left things in, and a count that differs rolls the whole commit back.
    const ps = args.placements;
    const responses = ps.map((p) => `printed in run ${args.runId}: ${p.file} pages ${p.firstPage}-${p.lastPage}`);
    const updated = await tx.$executeRaw`
      UPDATE "Delivery" AS d
      SET "status" = 'sent', "sentAt" = ${args.now}, "printFile" = v.file, "firstPage" = v.first, "lastPage" = v.last,
          "response" = v.response, "lastError" = NULL, "updatedAt" = ${args.now}
      FROM unnest(${ps.map((p) => p.deliveryId)}::uuid[], ${ps.map((p) => p.file)}::text[], ${ps.map((p) => p.firstPage)}::int[],
                  ${ps.map((p) => p.lastPage)}::int[], ${responses}::text[]) AS v(id, file, first, last, response)
      WHERE d."id" = v.id AND d."printRunId" = ${args.runId}::uuid AND d."status" = 'sending'`;
    if (updated !== ps.length) throw new Error(`Only ${updated} of ${ps.length} deliveries are still claimed by print run ${args.runId}`);
    const suggestionIds = (await tx.delivery.findMany({ where: { id: { in: ps.map((p) => p.deliveryId) } }, select: { suggestionId: true } })).map((d) => d.suggestionId);
    // The same rule transitionSuggestion enforces (scheduled → sent), for many rows at once.
    const sent = await tx.suggestion.updateMany({ where: { id: { in: suggestionIds }, status: 'scheduled' }, data: { status: 'sent' } });
    if (sent.count !== suggestionIds.length) throw new Error(`${suggestionIds.length - sent.count} suggestion(s) of print run ${args.runId} are no longer scheduled`);
    await tx.auditEntry.createMany({
      data: [
        ...ps.map((p) => ({ actorType: 'system', entityType: 'delivery', entityId: p.deliveryId, action: 'delivery.sent', fromStatus: 'sending', toStatus: 'sent', data: { ...p, printRunId: args.runId } })),
        ...suggestionIds.map((id) => ({ actorType: 'system', entityType: 'suggestion', entityId: id, action: 'suggestion.sent', fromStatus: 'scheduled', toStatus: 'sent' })),
      ],
    });
    for (const f of args.failures) {
      const d = await tx.delivery.findFirst({ where: { id: f.deliveryId, printRunId: args.runId, status: 'sending' }, include: claimedInclude });
      if (d) await failDelivery(tx, d, 'sending', f.reason, 'failed');
    }
    await writeAudit(tx, { actor: SYSTEM, entityType: 'print_run', entityId: args.runId, action: 'print_run.completed', fromStatus: 'rendering', toStatus: 'completed', data: { cards: args.placements.length, failed: args.failures.length } });
  }, TX);
}

/**
 * Abandons runs whose lease ran out (their process died, or gave up): their deliveries go back to
 * `queued` for the next run. Nothing of an unfinished run was handed to anyone — its files only ever
 * lived in a `.partial` folder — so printing these cards again cannot print them twice.
 */
export async function abandonPrintRuns(prisma: PrismaClient, args: { now: Date; runId?: string; reason: string }): Promise<string[]> {
  const stale = await prisma.printRun.findMany({
    where: args.runId ? { id: args.runId, status: 'rendering' } : { status: 'rendering', leaseUntil: { lt: args.now } },
    select: { id: true },
  });
  const abandoned: string[] = [];
  for (const run of stale) {
    await prisma.$transaction(async (tx) => {
      const { count } = await tx.printRun.updateMany({ where: { id: run.id, status: 'rendering' }, data: { status: 'abandoned' } });
      if (count !== 1) return;
      const released = await tx.delivery.findMany({ where: { printRunId: run.id, status: 'sending' }, select: { id: true } });
      await tx.delivery.updateMany({ where: { printRunId: run.id, status: 'sending' }, data: { status: 'queued', claimedAt: null, printRunId: null } });
      await tx.auditEntry.createMany({
        data: released.map((d) => ({ actorType: 'system', entityType: 'delivery', entityId: d.id, action: 'delivery.released', fromStatus: 'sending', toStatus: 'queued', reason: args.reason, data: { printRunId: run.id } })),
      });
      await writeAudit(tx, { actor: SYSTEM, entityType: 'print_run', entityId: run.id, action: 'print_run.abandoned', fromStatus: 'rendering', toStatus: 'abandoned', reason: args.reason, data: { released: released.length } });
      abandoned.push(run.id);
    }, TX);
  }
  return abandoned;
}

async function failDelivery(tx: Tx, d: ClaimedPrint, from: 'queued' | 'sending', reason: string, suggestionTo: 'suppressed' | 'failed'): Promise<void> {
  await tx.delivery.update({ where: { id: d.id }, data: { status: 'failed', lastError: suggestionTo === 'suppressed' ? `suppressed: ${reason}` : reason } });
  await writeAudit(tx, { actor: SYSTEM, entityType: 'delivery', entityId: d.id, action: suggestionTo === 'suppressed' ? 'delivery.suppressed' : 'delivery.failed', fromStatus: from, toStatus: 'failed', reason });
  await transitionSuggestion(tx, { id: d.suggestionId, to: suggestionTo, actor: SYSTEM, reason });
}

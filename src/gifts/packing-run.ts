import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Actor } from '../audit/audit-log.js';
import { settlePartialRunFolders } from '../delivery/print/print-run.js';
import type { PrintRenderer } from '../delivery/print/render-print.js';
import { abandonPackingRuns, claimPackingRun, completePackingRun, renewPackingLease, type ClaimedGiftOrder } from './packing-claims.js';
import { packingCsv, packingReference, renderPackingSlips, type PackingPaper, type PackingSlip } from './packing-slips.js';
import { shipToOf } from './ship-to.js';

export interface GiftPackingDeps {
  prisma: PrismaClient;
  renderer: PrintRenderer;
  dataDir: string;
  templatesDir: string;
  paper: PackingPaper;
}

export interface GiftPackingReport {
  runId: string;
  /** DATA_DIR/gift-packing/<runId>: packing-slips.pdf and packing-slips.csv. */
  dir: string;
  files: string[];
  orders: number;
  /** Pending orders left out because their recipient has no postal address. */
  unaddressed: string[];
}

export const PACKING_FILES = { pdf: 'packing-slips.pdf', csv: 'packing-slips.csv' } as const;
export const giftPackingDir = (dataDir: string) => path.resolve(dataDir, 'gift-packing');

/**
 * Packs every pending gift order (manual fulfilment): claims them for a run (PostgreSQL), renders
 * one packing-slip PDF (a page per order) and a CSV into `<runId>.partial/`, marks the orders
 * `packed` with their pages in one transaction, and only then renames the folder to `<runId>/`.
 *
 * Exactly once, as print runs: a crash before that transaction leaves the orders claimed by a run
 * whose lease runs out — the next run abandons it, deletes its partial folder and packs them afresh;
 * a crash after it leaves a complete `.partial` folder that the next run renames. A folder without
 * `.partial` is always a committed run, and every order is in exactly one of them.
 */
export async function runGiftPacking(
  deps: GiftPackingDeps,
  opts: { actor: Actor; now?: Date; onProgress?: (p: { done: number; total: number; step: string }) => void | Promise<void> },
): Promise<GiftPackingReport | null> {
  const now = opts.now ?? new Date();
  await recoverPackingRuns(deps, now);
  const start = await claimPackingRun(deps.prisma, { paper: deps.paper, actor: opts.actor, now });
  if (!start) return null;
  const { run, claimed } = start;
  const root = giftPackingDir(deps.dataDir);
  const partial = path.join(root, `${run.id}.partial`);
  try {
    await mkdir(partial, { recursive: true });
    const gifts = await deps.prisma.gift.findMany({ where: { sku: { in: [...new Set(claimed.map((o) => o.sku))] } }, select: { sku: true, name: true } });
    const slips = slipsOf(claimed, new Map(gifts.map((g) => [g.sku, g.name])));
    await opts.onProgress?.({ done: 0, total: slips.length, step: PACKING_FILES.pdf });
    const pdf = await renderPackingSlips(deps.renderer, { templatesDir: deps.templatesDir, paper: deps.paper, runId: run.id, slips });
    await writeFile(path.join(partial, PACKING_FILES.pdf), pdf);
    await writeFile(path.join(partial, PACKING_FILES.csv), packingCsv(slips));
    if (!(await renewPackingLease(deps.prisma, run.id))) throw new Error(`Packing run ${run.id} was abandoned while rendering`);
    await opts.onProgress?.({ done: slips.length, total: slips.length, step: PACKING_FILES.csv });
    await completePackingRun(deps.prisma, { runId: run.id, pages: slips.map((s) => ({ orderId: s.orderId, page: s.page })), now: new Date() });
    const dir = path.join(root, run.id);
    await rename(partial, dir);
    return { runId: run.id, dir, files: [PACKING_FILES.pdf, PACKING_FILES.csv], orders: slips.length, unaddressed: start.unaddressed };
  } catch (err) {
    // Give the orders back at once rather than after the lease: nothing of this run left the machine.
    await abandonPackingRuns(deps.prisma, { now: new Date(), runId: run.id, reason: `packing run failed: ${(err as Error).message}` }).catch(() => undefined);
    await rm(partial, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
}

/** Postal order (country, postcode), so a courier's pre-sorted rate applies; page numbers follow it. */
function slipsOf(claimed: ClaimedGiftOrder[], giftNames: Map<string, string>): PackingSlip[] {
  return claimed
    .map((o) => ({ order: o, address: shipToOf(o, o.suggestion.customer) }))
    .sort((a, b) => sortKey(a.address, a.order.id).localeCompare(sortKey(b.address, b.order.id)))
    .map(({ order, address }, i) => ({
      orderId: order.id,
      reference: packingReference(order.id),
      sku: order.sku,
      giftName: giftNames.get(order.sku) ?? order.sku,
      sender: order.suggestion.assignee?.name ?? '',
      locale: order.suggestion.locale,
      address,
      page: i + 1,
    }));
}

const sortKey = (a: { country: string | null; postalCode: string | null }, id: string) => `${a.country ?? ''}|${a.postalCode ?? ''}|${id}`;

/**
 * Puts the gift-packing folder in order before a run: abandons runs whose lease ran out, renames
 * the `.partial` folder of a run that committed just before a crash, and deletes the rest.
 */
export async function recoverPackingRuns(deps: Pick<GiftPackingDeps, 'prisma' | 'dataDir'>, now = new Date()): Promise<void> {
  await abandonPackingRuns(deps.prisma, { now, reason: 'the packing run stopped renewing its lease (the process died)' });
  await settlePartialRunFolders(giftPackingDir(deps.dataDir), async (runId) => (await deps.prisma.giftPackingRun.findUnique({ where: { id: runId }, select: { status: true } }))?.status ?? null);
}

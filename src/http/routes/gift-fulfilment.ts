import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { $Enums, type GiftOrder } from '../../generated/prisma/client.js';
import { AppError } from '../../errors.js';
import { packingReference } from '../../gifts/packing-slips.js';
import { PACKING_FILES, giftPackingDir, runGiftPacking, type GiftPackingDeps } from '../../gifts/packing-run.js';
import { ShipInput, markGiftOrdersShipped } from '../../gifts/ship-gift-orders.js';
import { SkipConfirmationInput, resendAddressConfirmation, skipAddressConfirmation } from '../../gifts/confirmation-follow-up.js';
import { parseInput } from '../../validation/parse-input.js';
import { actorOf } from '../authenticate.js';
import type { AppDeps } from '../app.js';
import { requireRole } from './gifts.js';

export interface GiftFulfilmentHttpDeps {
  packing: Omit<GiftPackingDeps, 'prisma'>;
  /** GIFT_PARTNER_URL is set: the partner fulfils, packing runs are refused. */
  partner: boolean;
}

const ListQuery = z.strictObject({
  status: z.enum(Object.values($Enums.GiftOrderStatus) as [string, ...string[]]).optional(),
  packingRunId: z.string().uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The id of the last order of the previous page. */
  after: z.string().uuid().optional(),
});
const IdParams = z.strictObject({ id: z.string().uuid('expected a gift order id (UUID)') });
const PackInput = z.strictObject({ paper: z.enum(['a4', 'letter']).optional() });
const FileParams = z.strictObject({ id: z.string().uuid('expected a packing run id (UUID)'), file: z.enum([PACKING_FILES.pdf, PACKING_FILES.csv]) });
const FETCHERS = ['admin', 'marketing'] as const;

const presentOrder = (o: GiftOrder) => ({
  id: o.id,
  reference: packingReference(o.id),
  suggestionId: o.suggestionId,
  sku: o.sku,
  status: o.status,
  packingRunId: o.packingRunId,
  packingPage: o.packingPage,
  addressConfirmedAt: o.addressConfirmedAt?.toISOString() ?? null,
  shippedAt: o.shippedAt?.toISOString() ?? null,
  createdAt: o.createdAt.toISOString(),
});

/**
 * Manual gift fulfilment: packing runs (one packing-slip PDF + CSV for every pending order), their
 * files, and marking packed orders shipped. Admins, marketing and integration tokens.
 */
export const giftFulfilmentRoutes = (deps: AppDeps & { giftFulfilment: GiftFulfilmentHttpDeps }): FastifyPluginAsync => async (app) => {
  const { packing, partner } = deps.giftFulfilment;

  app.get('/gift-orders', async (request) => {
    const q = parseInput(ListQuery, request.query, 'query');
    const rows = await deps.prisma.giftOrder.findMany({
      where: { ...(q.status ? { status: q.status as $Enums.GiftOrderStatus } : {}), ...(q.packingRunId ? { packingRunId: q.packingRunId } : {}) },
      orderBy: { id: 'asc' },
      take: q.limit + 1,
      ...(q.after ? { cursor: { id: q.after }, skip: 1 } : {}),
    });
    const page = rows.slice(0, q.limit);
    return { giftOrders: page.map(presentOrder), next: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null };
  });

  /** `{paper?}`: packs every pending order now: 201 with the run, or 200 with `run: null` when nothing waits. */
  app.post('/gift-packing-runs', async (request, reply) => {
    const { paper } = parseInput(PackInput, request.body ?? {});
    const actor = actorOf(request);
    await requireRole(deps.prisma, actor, [...FETCHERS], 'run gift packing');
    if (partner) throw new AppError('RAPPORT_GIFT_PARTNER_CONFIGURED');
    const report = await runGiftPacking({ prisma: deps.prisma, ...packing, ...(paper ? { paper } : {}) }, { actor });
    if (!report) return reply.status(200).send({ run: null });
    const files = Object.fromEntries(report.files.map((f) => [f, `/api/v1/gift-packing-runs/${report.runId}/${f}`]));
    return reply.status(201).send({ run: { id: report.runId, orders: report.orders, files, unaddressed: report.unaddressed } });
  });

  app.get('/gift-packing-runs/:id/:file', async (request, reply) => {
    const { id, file } = parseInput(FileParams, request.params, 'path');
    await requireRole(deps.prisma, actorOf(request), [...FETCHERS], 'download packing slips');
    // Only a committed run's folder lacks ".partial"; a run still rendering has nothing to show yet.
    const target = path.join(giftPackingDir(packing.dataDir), id, file);
    if (!(await access(target).then(() => true, () => false))) throw new AppError('RAPPORT_NOT_FOUND', `No completed packing run ${id} with ${file}`, { field: 'id' });
    return reply
      .type(file.endsWith('.pdf') ? 'application/pdf' : 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="gift-packing-${id.slice(0, 8)}-${file}"`)
      .send(createReadStream(target));
  });

  /** The order's next step is the fulfil-gift job's; Redis refusing only delays it to the reconciler's next pass. */
  const handOn = async (request: FastifyRequest, id: string) => {
    await deps.queues.enqueue('fulfil-gift', { giftOrderId: id }).catch((err: Error) => request.log.warn({ giftOrderId: id, err: err.message }, 'could not enqueue; the reconciler will'));
    return { giftOrder: presentOrder(await deps.prisma.giftOrder.findUniqueOrThrow({ where: { id } })) };
  };

  /** An order still awaiting the recipient's confirmation: email a fresh link. */
  app.post('/gift-orders/:id/resend-confirmation', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'path');
    const actor = actorOf(request);
    await requireRole(deps.prisma, actor, [...FETCHERS], 'resend address confirmations');
    await resendAddressConfirmation(deps.prisma, { giftOrderId: id, actor });
    return handOn(request, id);
  });

  /** `{reason}`: ship to the address on file without the recipient's confirmation (audited). */
  app.post('/gift-orders/:id/skip-confirmation', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'path');
    const input = parseInput(SkipConfirmationInput, request.body ?? {});
    const actor = actorOf(request);
    await requireRole(deps.prisma, actor, [...FETCHERS], 'skip address confirmations');
    await skipAddressConfirmation(deps.prisma, { giftOrderId: id, input, actor });
    return handOn(request, id);
  });

  /** `{giftOrderIds} | {packingRunId}`: packed → shipped, each on its own; results per order. */
  app.post('/gift-orders/ship', async (request) => {
    const input = parseInput(ShipInput, request.body ?? {});
    const actor = actorOf(request);
    await requireRole(deps.prisma, actor, [...FETCHERS], 'mark gifts shipped');
    return { results: await markGiftOrdersShipped(deps.prisma, { ...input, actor }) };
  });
};

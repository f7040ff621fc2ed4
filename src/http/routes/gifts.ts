import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { PrismaClient, UserRole } from '../../generated/prisma/client.js';
import type { Actor } from '../../audit/audit-log.js';
import { AppError } from '../../errors.js';
import { GiftInput, listGifts, presentGift, upsertGift } from '../../gifts/gift-catalog.js';
import { GiftBudgetInput, presentBudget, upsertGiftBudget } from '../../gifts/gift-budget.js';
import { parseInput } from '../../validation/parse-input.js';
import { actorOf } from '../authenticate.js';
import type { AppDeps } from '../app.js';

const ListQuery = z.strictObject({ active: z.enum(['true', 'false']).optional() });

/**
 * Gift catalog and budgets. Budgets decide what account managers may spend, so only admins (or an
 * API token that acts for no user, i.e. an integration) set them; the catalog also takes marketing.
 */
/** Users need one of `roles`; an API token that acts for no user (an integration) may always. */
export async function requireRole(prisma: PrismaClient, actor: Actor, roles: UserRole[], what: string): Promise<void> {
  if (actor.type !== 'user') return;
  const user = await prisma.user.findUnique({ where: { id: actor.id }, select: { role: true } });
  if (!user || !roles.includes(user.role)) throw new AppError('RAPPORT_FORBIDDEN', `Only ${roles.join(' or ')} users may ${what}`);
}

export const giftRoutes = (deps: AppDeps): FastifyPluginAsync => async (app) => {

  app.get('/gifts', async (request) => {
    const q = parseInput(ListQuery, request.query, 'query');
    return { gifts: (await listGifts(deps.prisma, { activeOnly: q.active === 'true' })).map(presentGift) };
  });

  /** Create or update by SKU (`confirmAddress: true`: the recipient confirms the address first): 201 when new, 200 when it existed. */
  app.post('/gifts', async (request, reply) => {
    const input = parseInput(GiftInput, request.body ?? {});
    const actor = actorOf(request);
    await requireRole(deps.prisma, actor, ['admin', 'marketing'], 'edit the gift catalog');
    const { gift, created } = await upsertGift(deps.prisma, input, actor);
    return reply.status(created ? 201 : 200).send({ gift: presentGift(gift) });
  });

  app.get('/gift-budgets', async () => ({
    budgets: (await deps.prisma.giftBudget.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })).map(presentBudget),
  }));

  /** `{userId | team, period: "month"|"quarter", amount, currency}`: create or replace. */
  app.post('/gift-budgets', async (request, reply) => {
    const input = parseInput(GiftBudgetInput, request.body ?? {});
    const actor = actorOf(request);
    await requireRole(deps.prisma, actor, ['admin'], 'set gift budgets');
    const { budget, created } = await upsertGiftBudget(deps.prisma, input, actor);
    return reply.status(created ? 201 : 200).send({ budget: presentBudget(budget) });
  });
};

import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../../errors.js';
import { ROLES, suggestionScope, webUser } from './authorize.js';
import { loadTimeline } from './customer-timeline.js';
import { sendPage } from './views.js';
import type { WebDeps } from './web-app.js';

export const customerRoutes = (deps: WebDeps): FastifyPluginAsync => async (app) => {
  /** A customer's page: who they are, and everything that happened — events, news, notes, gifts. */
  app.get('/customers/:id', { config: { access: ROLES.approvers, owns: 'customer' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const customer = await deps.prisma.customer.findUnique({ where: { id }, include: { account: true, owner: true } });
    if (!customer) throw new AppError('RAPPORT_NOT_FOUND');
    const [timeline, pending] = await Promise.all([
      loadTimeline(deps.prisma, id, 50),
      deps.prisma.suggestion.findMany({
        where: { AND: [{ customerId: id, status: 'pending_approval' }, suggestionScope(webUser(request))] },
        include: { trigger: true },
        orderBy: { createdAt: 'asc' },
      }),
    ]);
    return sendPage(deps.views, request, reply, 'customer', { title: customer.name, customer, timeline, pending, lifetimeValue: Number(customer.lifetimeValue) });
  });
};

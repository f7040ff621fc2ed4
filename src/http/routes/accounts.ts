import type { FastifyPluginAsync } from 'fastify';
import { AccountInput } from '../../accounts/account-input.js';
import { upsertAccount } from '../../accounts/upsert-account.js';
import { parseInput } from '../../validation/parse-input.js';
import { actorOf } from '../authenticate.js';
import type { AppDeps } from '../app.js';

export const accountRoutes = (deps: AppDeps): FastifyPluginAsync => async (app) => {
  /** Upsert by externalId: 201 when created, 200 when updated. */
  app.post('/accounts', async (request, reply) => {
    const input = parseInput(AccountInput, request.body);
    const { account, created } = await upsertAccount(deps.prisma, input, actorOf(request));
    return reply.status(created ? 201 : 200).send({
      account: { ...account, createdAt: account.createdAt.toISOString(), updatedAt: account.updatedAt.toISOString() },
    });
  });
};

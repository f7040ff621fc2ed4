import type { FastifyPluginAsync } from 'fastify';
import { AccountInput } from '../../accounts/account-input.js';
import { upsertAccount } from '../../accounts/upsert-account.js';
import { BATCH_BODY_LIMIT, BATCH_CONCURRENCY, batchItems, settleEach, stringField } from '../../validation/batch-items.js';
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

  /** Up to 1000 upserts as `{ "accounts": [...] }`; results per item as for /customers/batch. */
  app.post('/accounts/batch', { bodyLimit: BATCH_BODY_LIMIT }, async (request) => {
    const items = batchItems(request.body, 'accounts');
    const actor = actorOf(request);
    const results = await settleEach(items, { concurrency: BATCH_CONCURRENCY, prefixOf: (i) => `accounts[${i}]`, keyOf: stringField('externalId') }, async (item, _index, prefix) => {
      const { account, created } = await upsertAccount(deps.prisma, parseInput(AccountInput, item, prefix), actor);
      return { status: created ? 'created' : 'updated', id: account.id };
    });
    return { results };
  });
};

import type { FastifyPluginAsync } from 'fastify';
import { CustomerInput } from '../../customers/customer-input.js';
import { OPT_OUT_KEPT, upsertCustomer } from '../../customers/upsert-customer.js';
import { ResubscribeInput, resubscribeCustomer } from '../../consent/resubscribe.js';
import { BATCH_BODY_LIMIT, BATCH_CONCURRENCY, batchItems, settleEach, stringField } from '../../validation/batch-items.js';
import { parseInput } from '../../validation/parse-input.js';
import { actorOf } from '../authenticate.js';
import type { AppDeps } from '../app.js';
import { presentCustomer } from '../present.js';

export const customerRoutes = (deps: AppDeps): FastifyPluginAsync => async (app) => {
  /** Upsert by externalId: 201 when created, 200 when updated. */
  app.post('/customers', async (request, reply) => {
    const input = parseInput(CustomerInput, request.body);
    const { customer, created, optOutKept } = await upsertCustomer(deps.prisma, input, actorOf(request));
    return reply.status(created ? 201 : 200).send({
      customer: presentCustomer(customer),
      ...(optOutKept ? { warnings: [{ field: 'optedOut', message: OPT_OUT_KEPT }] } : {}),
    });
  });

  /** The only way to clear an opt-out: the customer asked, and the evidence is audited. */
  app.post('/customers/:externalId/resubscribe', async (request) => {
    const { externalId } = request.params as { externalId: string };
    const input = parseInput(ResubscribeInput, request.body);
    const customer = await resubscribeCustomer(deps.prisma, { externalId, input, actor: actorOf(request) });
    return { customer: presentCustomer(customer) };
  });

  /**
   * Up to 1000 upserts as `{ "customers": [...] }`. Always 200 with one result per item, in order
   * (207-style): `created`, `updated` or `rejected` with the error and its field (e.g.
   * `customers[3].email`). Each customer is written in its own transaction: valid ones are kept,
   * a rejected one leaves nothing behind.
   */
  app.post('/customers/batch', { bodyLimit: BATCH_BODY_LIMIT }, async (request) => {
    const items = batchItems(request.body, 'customers');
    const actor = actorOf(request);
    const results = await settleEach(items, { concurrency: BATCH_CONCURRENCY, prefixOf: (i) => `customers[${i}]`, keyOf: stringField('externalId') }, async (item, _index, prefix) => {
      const { customer, created, optOutKept } = await upsertCustomer(deps.prisma, parseInput(CustomerInput, item, prefix), actor);
      return { status: created ? 'created' : 'updated', id: customer.id, ...(optOutKept ? { warnings: [{ field: `${prefix}.optedOut`, message: OPT_OUT_KEPT }] } : {}) };
    });
    return { results };
  });
};

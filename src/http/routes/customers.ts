import type { FastifyPluginAsync } from 'fastify';
import { CustomerInput } from '../../customers/customer-input.js';
import { upsertCustomer } from '../../customers/upsert-customer.js';
import { parseInput } from '../../validation/parse-input.js';
import { actorOf } from '../authenticate.js';
import type { AppDeps } from '../app.js';
import { presentCustomer } from '../present.js';

export const customerRoutes = (deps: AppDeps): FastifyPluginAsync => async (app) => {
  /** Upsert by externalId: 201 when created, 200 when updated. */
  app.post('/customers', async (request, reply) => {
    const input = parseInput(CustomerInput, request.body);
    const { customer, created } = await upsertCustomer(deps.prisma, input, actorOf(request));
    return reply.status(created ? 201 : 200).send({ customer: presentCustomer(customer) });
  });
};

import type { FastifyPluginAsync } from 'fastify';
import type { PrismaClient } from '../../generated/prisma/client.js';
import { AppError } from '../../errors.js';
import { PartnerCallback, applyPartnerCallback } from '../../gifts/gift-orders.js';
import { PARTNER_SECRET_NAME } from '../../gifts/gift-partner-signature.js';
import { parseInput } from '../../validation/parse-input.js';
import { keepRawJsonBody, verifySignature } from '../signed-requests.js';

/**
 * `POST /webhooks/gift-partner`: the fulfilment partner reports an order's progress
 * (`{giftOrderId, status, partnerOrderId?, error?}`). The signature over the timestamp and the raw
 * body is checked before the body is trusted, and a timestamp more than 300 s away is refused
 * (RAPPORT_STALE_SIGNATURE), so a captured callback cannot be replayed; a repeated or
 * out-of-order status answers 200 and changes nothing.
 */
export const giftPartnerWebhook = (deps: { prisma: PrismaClient; secret: string }): FastifyPluginAsync => async (app) => {
  keepRawJsonBody(app);
  app.post('/webhooks/gift-partner', async (request) => {
    if (!request.rawBody) throw new AppError('RAPPORT_MALFORMED_JSON', 'Send the callback as application/json');
    verifySignature(request, deps.secret, Date.now(), PARTNER_SECRET_NAME);
    const callback = parseInput(PartnerCallback, request.body);
    const { status, changed } = await applyPartnerCallback(deps.prisma, callback);
    return { giftOrderId: callback.giftOrderId, status, changed };
  });
};

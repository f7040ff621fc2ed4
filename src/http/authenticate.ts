import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Actor } from '../audit/audit-log.js';
import { tokenForSecret, type TokenUser } from '../auth/api-tokens.js';
import { AppError } from '../errors.js';
import { isSignedMethod, verifySignature } from './signed-requests.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    /** The user the API token belongs to; null for integration tokens (see api-authorization.ts). */
    apiUser: TokenUser | null;
  }
}

/**
 * A preHandler that requires `Authorization: Bearer <token>` and sets `request.actor`. A token with
 * a signing secret must also sign every request that changes something (see signed-requests.ts).
 */
export function requireApiToken(prisma: PrismaClient) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match?.[1]) throw new AppError('RAPPORT_UNAUTHENTICATED', undefined, { field: 'Authorization' });
    const token = await tokenForSecret(prisma, match[1]);
    if (!token) throw new AppError('RAPPORT_UNAUTHENTICATED', 'The API token is unknown or revoked', { field: 'Authorization' });
    if (token.signingSecret && isSignedMethod(request.method)) verifySignature(request, token.signingSecret);
    request.actor = token.actor;
    request.apiUser = token.user;
  };
}

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('RAPPORT_UNAUTHENTICATED');
  return request.actor;
}

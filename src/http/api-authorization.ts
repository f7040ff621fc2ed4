import type { FastifyRequest } from 'fastify';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { TokenUser } from '../auth/api-tokens.js';
import { AppError } from '../errors.js';
import { suggestionScope } from './web/authorize.js';

/**
 * What an `/api/v1` bearer token may do, decided here, once, by the role of the user it belongs to:
 *   - an account manager's token sees and acts only on the suggestions the web inbox would show them
 *     (assigned to them, or for customers/accounts they own); any other suggestion answers 404, so
 *     the API does not confirm that someone else's note exists;
 *   - an account manager's token may not manage triggers, feeds or event types (403);
 *   - admin and marketing tokens, and integration tokens without a user, have full access.
 * Feeding data in (events, customers, accounts) and reading signals is open to every token.
 */
const isScoped = (user: TokenUser | null): user is TokenUser => user?.role === 'account_manager';

/** A preHandler for the configuration routes (triggers, feeds, event types). */
export async function requireFullApiAccess(request: FastifyRequest): Promise<void> {
  if (isScoped(request.apiUser)) {
    throw new AppError('RAPPORT_FORBIDDEN', "An account manager's API token cannot manage triggers, feeds or event types");
  }
}

/** The suggestions this request's token may see and act on; `{}` means all of them. */
export function apiSuggestionScope(request: FastifyRequest): Prisma.SuggestionWhereInput {
  return isScoped(request.apiUser) ? suggestionScope(request.apiUser) : {};
}

/** Throws RAPPORT_SUGGESTION_NOT_FOUND (404) unless the suggestion exists and is within the token's scope. */
export async function assertSuggestionInScope(prisma: PrismaClient, request: FastifyRequest, id: string): Promise<void> {
  const visible = await prisma.suggestion.count({ where: { AND: [{ id }, apiSuggestionScope(request)] } });
  if (visible !== 1) throw new AppError('RAPPORT_SUGGESTION_NOT_FOUND', undefined, { field: 'id' });
}

/** The subset of `ids` within the token's scope (for bulk decisions, which report the rest as failed). */
export async function suggestionIdsInScope(prisma: PrismaClient, request: FastifyRequest, ids: string[]): Promise<Set<string>> {
  if (!isScoped(request.apiUser)) return new Set(ids);
  const rows = await prisma.suggestion.findMany({ where: { AND: [{ id: { in: ids } }, apiSuggestionScope(request)] }, select: { id: true } });
  return new Set(rows.map((r) => r.id));
}

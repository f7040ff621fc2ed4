import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Prisma, PrismaClient, User, UserRole } from '../../generated/prisma/client.js';
import { findSession, csrfTokenMatches, SESSION_COOKIE, type WebSession } from '../../auth/sessions.js';
import { AppError } from '../../errors.js';

/**
 * Who may reach a web route, declared on the route itself (`config: { access, owns }`) and
 * enforced here, once, for every route of the web app:
 *   - `access`: 'public', 'signed_in' or the roles allowed (others get 403);
 *   - `owns`: the route's `:id` names a suggestion or customer that must be within the user's
 *     scope (others get 404 — we do not confirm that someone else's suggestion exists);
 *   - every POST from a signed-in user carries the session's CSRF token (else 403).
 * A route that declares nothing is refused: forgetting the rule must fail closed.
 */
export type Access = 'public' | 'signed_in' | readonly UserRole[];
export type Owned = 'suggestion' | 'customer';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    owns?: Owned;
  }
  interface FastifyRequest {
    web: WebSession | null;
  }
}

export const ROLES = {
  approvers: ['admin', 'account_manager'],
  marketing: ['admin', 'marketing'],
} as const satisfies Record<string, readonly UserRole[]>;

/** The suggestions a user may see and act on (the API scopes account managers' tokens with it too). */
export function suggestionScope(user: Pick<User, 'id' | 'role'>): Prisma.SuggestionWhereInput {
  if (user.role === 'admin') return {};
  if (user.role === 'account_manager') {
    return { OR: [{ assigneeId: user.id }, { customer: { ownerId: user.id } }, { customer: { account: { ownerId: user.id } } }] };
  }
  return { id: { in: [] } };
}

/** The customers a user may see. */
export function customerScope(user: User): Prisma.CustomerWhereInput {
  if (user.role === 'admin') return {};
  if (user.role === 'account_manager') {
    return { OR: [{ ownerId: user.id }, { account: { ownerId: user.id } }, { suggestions: { some: { assigneeId: user.id } } }] };
  }
  return { id: { in: [] } };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function ownsEntity(prisma: PrismaClient, user: User, owns: Owned, id: string | undefined): Promise<boolean> {
  if (!id || !UUID.test(id)) return false;
  if (owns === 'suggestion') return (await prisma.suggestion.count({ where: { AND: [{ id }, suggestionScope(user)] } })) === 1;
  return (await prisma.customer.count({ where: { AND: [{ id }, customerScope(user)] } })) === 1;
}

export function authorizeWeb(prisma: PrismaClient) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const { access, owns } = request.routeOptions.config;
    request.web = await findSession(prisma, request.cookies[SESSION_COOKIE]);
    if (access === 'public') return;
    if (access === undefined) throw new Error(`web route ${request.routeOptions.url} declares no access rule`);
    const session = request.web;
    if (!session) {
      if (request.method === 'GET') return void reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
      throw new AppError('RAPPORT_UNAUTHENTICATED', 'Sign in first');
    }
    if (access !== 'signed_in' && !access.includes(session.user.role)) throw new AppError('RAPPORT_FORBIDDEN', 'Your role does not give access to this page');
    if (request.method === 'POST' && !csrfTokenMatches(session, (request.body as Record<string, unknown> | undefined)?.['_csrf'])) {
      throw new AppError('RAPPORT_CSRF');
    }
    if (owns && !(await ownsEntity(prisma, session.user, owns, (request.params as Record<string, string | undefined>)['id']))) {
      throw new AppError(owns === 'suggestion' ? 'RAPPORT_SUGGESTION_NOT_FOUND' : 'RAPPORT_NOT_FOUND', undefined, { field: 'id' });
    }
  };
}

/** The signed-in user of a route that required one (the guard has run). */
export function webUser(request: FastifyRequest): User {
  if (!request.web) throw new AppError('RAPPORT_UNAUTHENTICATED', 'Sign in first');
  return request.web.user;
}

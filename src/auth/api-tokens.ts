import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient, User } from '../generated/prisma/client.js';
import type { Actor } from '../audit/audit-log.js';

const hashToken = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

/**
 * Creates an API token and returns its secret — the only time it is visible; the database keeps
 * a SHA-256 of it. 32 random bytes make a brute-force or a slow hash pointless. With `signed`, the
 * token also gets an HMAC signing secret, and requests with it must be signed (webhooks).
 */
export async function createApiToken(
  prisma: PrismaClient,
  args: { name: string; userId?: string | null; signed?: boolean },
): Promise<{ id: string; secret: string; signingSecret: string | null }> {
  const secret = `rpt_${randomBytes(32).toString('base64url')}`;
  const signingSecret = args.signed ? randomBytes(32).toString('base64url') : null;
  const token = await prisma.apiToken.create({
    data: { name: args.name, tokenHash: hashToken(secret), userId: args.userId ?? null, signingSecret },
  });
  return { id: token.id, secret, signingSecret };
}

/** The actor behind a bearer secret, or null when it is unknown or revoked. */
export async function actorForToken(prisma: PrismaClient, secret: string): Promise<Actor | null> {
  return (await tokenForSecret(prisma, secret))?.actor ?? null;
}

/** The user a token belongs to, as far as authorization needs it (see http/api-authorization.ts). */
export type TokenUser = Pick<User, 'id' | 'role'>;

/**
 * The actor, the user behind it (null for integration tokens without one) and, for tokens that
 * sign their requests, the HMAC key; null when unknown or revoked.
 */
export async function tokenForSecret(
  prisma: PrismaClient,
  secret: string,
): Promise<{ actor: Actor; user: TokenUser | null; signingSecret: string | null } | null> {
  const token = await prisma.apiToken.findUnique({ where: { tokenHash: hashToken(secret) }, include: { user: { select: { id: true, role: true } } } });
  if (!token || token.revokedAt) return null;
  const actor: Actor = token.userId ? { type: 'user', id: token.userId } : { type: 'api_token', id: token.id };
  return { actor, user: token.user, signingSecret: token.signingSecret };
}

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PrismaClient, User } from '../generated/prisma/client.js';

export const SESSION_COOKIE = 'rapport_session';
/** Idle sessions end after this long; activity slides the expiry forward. */
export const SESSION_IDLE_MS = 12 * 3_600_000;
/** However active, a session ends after this long and the user signs in again. */
export const SESSION_MAX_MS = 7 * 24 * 3_600_000;
// Refreshing lastSeenAt on every request would write on every page view; once a minute is enough.
const TOUCH_EVERY_MS = 60_000;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export interface WebSession {
  id: string;
  user: User;
  csrfToken: string;
}

/** Starts a session and returns the cookie value — the only place the secret exists in clear. */
export async function createSession(prisma: PrismaClient, userId: string, now = new Date()): Promise<string> {
  const secret = randomBytes(32).toString('base64url');
  await prisma.session.create({
    data: { id: sha256(secret), userId, csrfSecret: randomBytes(32).toString('base64url'), createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + SESSION_IDLE_MS) },
  });
  return secret;
}

/** The session behind a cookie value, or null when unknown or expired; slides the idle expiry. */
export async function findSession(prisma: PrismaClient, secret: string | undefined, now = new Date()): Promise<WebSession | null> {
  if (!secret || secret.length > 200) return null;
  const session = await prisma.session.findUnique({ where: { id: sha256(secret) }, include: { user: true } });
  if (!session) return null;
  if (session.expiresAt <= now || now.getTime() - session.createdAt.getTime() > SESSION_MAX_MS) {
    await prisma.session.deleteMany({ where: { id: session.id } });
    return null;
  }
  if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await prisma.session.update({ where: { id: session.id }, data: { lastSeenAt: now, expiresAt: new Date(now.getTime() + SESSION_IDLE_MS) } });
  }
  return { id: session.id, user: session.user, csrfToken: csrfTokenFor(session.csrfSecret) };
}

export async function endSession(prisma: PrismaClient, sessionId: string): Promise<void> {
  await prisma.session.deleteMany({ where: { id: sessionId } });
}

/** Ends every session of a user (after a password change). */
export async function endSessionsOf(prisma: PrismaClient, userId: string): Promise<void> {
  await prisma.session.deleteMany({ where: { userId } });
}

// A synchronizer token: derived from a secret stored with the server-side session, so it needs no
// second cookie and dies with the session. Forms carry it in `_csrf`.
const csrfTokenFor = (csrfSecret: string) => createHmac('sha256', csrfSecret).update('rapport-csrf').digest('base64url');

export function csrfTokenMatches(session: WebSession, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const a = Buffer.from(submitted);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}

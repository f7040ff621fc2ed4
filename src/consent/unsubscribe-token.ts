import { createLinkToken, linkUrl, verifyLinkToken } from './signed-link-token.js';

/** Unsubscribe links name the customer; the format is the shared signed link token (signed-link-token.ts). */
const PURPOSE = 'rapport-unsubscribe-v1';

/**
 * How long a link works. Long on purpose: people unsubscribe from mail they open months later, and
 * RFC 8058 asks that the link keep working; the expiry only limits how long a leaked link is useful.
 */
export const UNSUBSCRIBE_TOKEN_TTL_MS = 180 * 24 * 3600_000;

export type UnsubscribeTokenCheck =
  | { ok: true; customerId: string; expiresAt: Date }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

export function createUnsubscribeToken(secret: string, customerId: string, now = new Date(), ttlMs = UNSUBSCRIBE_TOKEN_TTL_MS): string {
  return createLinkToken(PURPOSE, secret, customerId, new Date(now.getTime() + ttlMs));
}

/** Checks the signature first (in constant time), then the expiry; never throws. */
export function verifyUnsubscribeToken(secret: string, token: string, now = new Date()): UnsubscribeTokenCheck {
  const check = verifyLinkToken(PURPOSE, secret, token, now);
  return check.ok ? { ok: true, customerId: check.id, expiresAt: check.expiresAt } : { ok: false, reason: check.reason };
}

/** The public URL of the unsubscribe page for a token (PUBLIC_URL + /u/<token>). */
export const unsubscribeUrl = (publicUrl: string, token: string) => linkUrl(publicUrl, '/u/', token);

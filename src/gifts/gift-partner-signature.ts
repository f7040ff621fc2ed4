import { createHmac } from 'node:crypto';

/**
 * How the gift partner signs its status callbacks — the same scheme as signed API requests
 * (http/signed-requests.ts verifies both): `X-Rapport-Timestamp: <unix seconds>` and
 * `X-Rapport-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with GIFT_PARTNER_SECRET>`.
 * The timestamp is signed too, so a captured callback cannot be replayed outside the ±300 s window.
 * Rapport itself only verifies; this is the partner's side, for tests and the README's example.
 */
export function partnerSignatureHeaders(secret: string, rawBody: Buffer | string, now = new Date()): { 'x-rapport-timestamp': string; 'x-rapport-signature': string } {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return { 'x-rapport-timestamp': timestamp, 'x-rapport-signature': signPartnerBody(secret, timestamp, rawBody) };
}

export function signPartnerBody(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

/** How error messages name the secret that signs partner callbacks. */
export const PARTNER_SECRET_NAME = 'the shared gift partner secret (GIFT_PARTNER_SECRET)';

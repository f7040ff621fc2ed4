import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Unsubscribe links carry who and until when, signed — nothing is stored per link, so every email
 * carries one and any of them works until it expires. A token is base64url of 52 bytes:
 * the customer id (16-byte UUID), the expiry (uint32 Unix seconds, big-endian) and the
 * HMAC-SHA256 of those 20 bytes. Binary keeps it at 70 characters, under Fastify's 100-character
 * limit for a path parameter and short enough that mail clients do not wrap it.
 * The HMAC also covers a purpose label, so a signature made for another kind of link (a gift
 * address confirmation, later) never passes as an unsubscribe.
 */
const PURPOSE = 'rapport-unsubscribe-v1';
const PAYLOAD_BYTES = 20;
const MAC_BYTES = 32;

/**
 * How long a link works. Long on purpose: people unsubscribe from mail they open months later, and
 * RFC 8058 asks that the link keep working; the expiry only limits how long a leaked link is useful.
 */
export const UNSUBSCRIBE_TOKEN_TTL_MS = 180 * 24 * 3600_000;

export type UnsubscribeTokenCheck =
  | { ok: true; customerId: string; expiresAt: Date }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

const mac = (secret: string, payload: Buffer) => createHmac('sha256', secret).update(PURPOSE).update('\n').update(payload).digest();

export function createUnsubscribeToken(secret: string, customerId: string, now = new Date(), ttlMs = UNSUBSCRIBE_TOKEN_TTL_MS): string {
  const hex = customerId.replaceAll('-', '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`Not a UUID: ${customerId}`);
  const payload = Buffer.alloc(PAYLOAD_BYTES);
  Buffer.from(hex, 'hex').copy(payload, 0);
  payload.writeUInt32BE(Math.floor((now.getTime() + ttlMs) / 1000), 16);
  return Buffer.concat([payload, mac(secret, payload)]).toString('base64url');
}

/** Checks the signature first (in constant time), then the expiry; never throws. */
export function verifyUnsubscribeToken(secret: string, token: string, now = new Date()): UnsubscribeTokenCheck {
  if (!/^[A-Za-z0-9_-]{70}$/.test(token)) return { ok: false, reason: 'malformed' };
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length !== PAYLOAD_BYTES + MAC_BYTES) return { ok: false, reason: 'malformed' };
  const payload = bytes.subarray(0, PAYLOAD_BYTES);
  if (!timingSafeEqual(bytes.subarray(PAYLOAD_BYTES), mac(secret, payload))) return { ok: false, reason: 'bad_signature' };
  const expiresAt = new Date(payload.readUInt32BE(16) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  const hex = payload.subarray(0, 16).toString('hex');
  const customerId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { ok: true, customerId, expiresAt };
}

/** The public URL of the unsubscribe page for a token (PUBLIC_URL + /u/<token>). */
export const unsubscribeUrl = (publicUrl: string, token: string) => `${publicUrl.replace(/\/+$/, '')}/u/${token}`;

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Links Rapport puts in emails carry one id and an expiry, signed — nothing is stored per link. A
 * token is base64url of 52 bytes: the id (16-byte UUID), the expiry (uint32 Unix seconds,
 * big-endian) and the HMAC-SHA256 of those 20 bytes. Binary keeps it at 70 characters, under
 * Fastify's 100-character limit for a path parameter and short enough that mail clients do not wrap it.
 * The HMAC also covers the link's purpose, so a token made for one kind of link (an unsubscribe)
 * never passes as another (a gift address confirmation), though both are signed with RAPPORT_SECRET.
 */
const PAYLOAD_BYTES = 20;
const MAC_BYTES = 32;

export type LinkTokenCheck =
  | { ok: true; id: string; expiresAt: Date }
  | { ok: false; reason: 'malformed' | 'bad_signature' }
  /** Genuine but too old: the id can be trusted (e.g. to answer in the recipient's language), not acted on. */
  | { ok: false; reason: 'expired'; id: string };

const mac = (purpose: string, secret: string, payload: Buffer) => createHmac('sha256', secret).update(purpose).update('\n').update(payload).digest();

export function createLinkToken(purpose: string, secret: string, id: string, expiresAt: Date): string {
  const hex = id.replaceAll('-', '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`Not a UUID: ${id}`);
  const payload = Buffer.alloc(PAYLOAD_BYTES);
  Buffer.from(hex, 'hex').copy(payload, 0);
  payload.writeUInt32BE(Math.floor(expiresAt.getTime() / 1000), 16);
  return Buffer.concat([payload, mac(purpose, secret, payload)]).toString('base64url');
}

/** Checks the signature first (in constant time), then the expiry; never throws. */
export function verifyLinkToken(purpose: string, secret: string, token: string, now = new Date()): LinkTokenCheck {
  if (!/^[A-Za-z0-9_-]{70}$/.test(token)) return { ok: false, reason: 'malformed' };
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length !== PAYLOAD_BYTES + MAC_BYTES) return { ok: false, reason: 'malformed' };
  const payload = bytes.subarray(0, PAYLOAD_BYTES);
  if (!timingSafeEqual(bytes.subarray(PAYLOAD_BYTES), mac(purpose, secret, payload))) return { ok: false, reason: 'bad_signature' };
  const expiresAt = new Date(payload.readUInt32BE(16) * 1000);
  const hex = payload.subarray(0, 16).toString('hex');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired', id };
  return { ok: true, id, expiresAt };
}

/** PUBLIC_URL + path + token, without a doubled slash. */
export const linkUrl = (publicUrl: string, pathPrefix: string, token: string) => `${publicUrl.replace(/\/+$/, '')}${pathPrefix}${token}`;

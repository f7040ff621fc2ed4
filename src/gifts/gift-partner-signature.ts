import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.js';

/** `X-Rapport-Signature: sha256=<hex HMAC-SHA256 of the raw body with GIFT_PARTNER_SECRET>`. */
export function signPartnerBody(secret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** Throws RAPPORT_BAD_SIGNATURE unless `header` signs exactly these bytes. Compared in constant time. */
export function verifyPartnerSignature(secret: string, rawBody: Buffer, header: string | string[] | undefined): void {
  const hex = typeof header === 'string' ? /^sha256=([0-9a-fA-F]{64})$/.exec(header)?.[1] : undefined;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  if (!hex || !timingSafeEqual(expected, Buffer.from(hex, 'hex'))) {
    throw new AppError('RAPPORT_BAD_SIGNATURE', 'X-Rapport-Signature must be sha256=<hex HMAC-SHA256 of the raw body with the shared gift partner secret>', { field: 'X-Rapport-Signature' });
  }
}

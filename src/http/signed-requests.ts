import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body exactly as received, for signature checks; null when there was no JSON body. */
    rawBody: Buffer | null;
  }
}

/** How far X-Rapport-Timestamp may be from the server clock, either way. */
export const REPLAY_WINDOW_SECONDS = 300;

/**
 * Replaces the JSON parser of `app` (and its children) with one that keeps the raw bytes: an HMAC
 * must be computed over what the sender signed, and re-serialising the parsed object would not
 * reproduce it. Parsing itself is fastify's own (same errors, same prototype-poisoning guard), so
 * malformed or empty bodies still become RAPPORT_MALFORMED_JSON.
 */
export function keepRawJsonBody(app: FastifyInstance): void {
  app.decorateRequest('rawBody', null);
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    request.rawBody = raw;
    parseJson(request, raw.toString('utf8'), done);
  });
}

/**
 * Checks `X-Rapport-Timestamp: <unix seconds>` and `X-Rapport-Signature: sha256=<hex>` where the hex
 * is HMAC-SHA256(signingSecret, "<timestamp>.<raw body>"). A wrong or missing signature is
 * RAPPORT_BAD_SIGNATURE; a right one outside the replay window is RAPPORT_STALE_SIGNATURE, so a
 * captured request cannot be replayed later. `secretName` says in error messages which secret
 * signs (an API token's by default; the gift partner webhook names its shared secret).
 */
export function verifySignature(request: FastifyRequest, signingSecret: string, nowMs = Date.now(), secretName?: string): void {
  const timestamp = singleHeader(request, 'x-rapport-timestamp');
  const signature = singleHeader(request, 'x-rapport-signature');
  const signed = secretName ? `requests here are signed with ${secretName}` : 'this token signs its requests';
  if (timestamp === undefined) throw badSignature('X-Rapport-Timestamp', `X-Rapport-Timestamp is missing; ${signed}`);
  if (!/^\d{1,12}$/.test(timestamp)) throw badSignature('X-Rapport-Timestamp', 'X-Rapport-Timestamp must be unix seconds, e.g. 1795425600');
  if (signature === undefined) throw badSignature('X-Rapport-Signature', `X-Rapport-Signature is missing; ${signed}`);
  const hex = /^sha256=([0-9a-fA-F]{64})$/.exec(signature)?.[1];
  if (!hex) throw badSignature('X-Rapport-Signature', 'X-Rapport-Signature must be sha256=<64 hex digits>');

  const expected = createHmac('sha256', signingSecret).update(`${timestamp}.`).update(request.rawBody ?? Buffer.alloc(0)).digest();
  if (!timingSafeEqual(expected, Buffer.from(hex, 'hex'))) {
    throw badSignature('X-Rapport-Signature', `X-Rapport-Signature does not match: sign "<timestamp>.<raw body>" with ${secretName ?? "the token's signing secret"}`);
  }
  const skew = Math.abs(nowMs / 1000 - Number(timestamp));
  if (skew > REPLAY_WINDOW_SECONDS) {
    throw new AppError(
      'RAPPORT_STALE_SIGNATURE',
      `X-Rapport-Timestamp is ${Math.round(skew)} s away from the server clock (at most ${REPLAY_WINDOW_SECONDS} s); sign the request again with the current time`,
      { field: 'X-Rapport-Timestamp' },
    );
  }
}

/** Methods that carry a body and change something; only these must be signed. */
export const isSignedMethod = (method: string) => method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';

function singleHeader(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  // Two copies of the header are ambiguous about which was signed: treat as missing.
  return typeof value === 'string' ? value.trim() : undefined;
}

const badSignature = (field: string, message: string) => new AppError('RAPPORT_BAD_SIGNATURE', message, { field });

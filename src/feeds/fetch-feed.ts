import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { PassThrough, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { FeedError } from './feed-errors.js';

export interface FetchFeedOptions {
  /** ETag from the previous successful fetch, sent as If-None-Match. */
  etag?: string | null;
  /** Last-Modified from the previous successful fetch, sent as If-Modified-Since. */
  lastModified?: string | null;
  /** Budget for the whole fetch, redirects and body included. */
  timeoutMs?: number;
  /** Limit on the decompressed body. */
  maxBytes?: number;
  maxRedirects?: number;
  userAgent?: string;
}

export type FetchFeedResult =
  | { status: 'not_modified'; finalUrl: string }
  | {
      status: 'ok';
      body: Buffer;
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
      finalUrl: string;
    };

export const FETCH_FEED_DEFAULTS = {
  timeoutMs: 20_000,
  maxBytes: 10 * 1024 * 1024,
  maxRedirects: 5,
  userAgent: 'Rapport/0.1 (self-hosted feed reader)',
} as const;

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Downloads a feed with a conditional GET.
 *
 * Built on node:http rather than global fetch because every limit here must hold against a
 * hostile or broken server: we see each redirect (fetch hides them unless `redirect: 'manual'`,
 * and then still follows none), we choose the decompressor and count the bytes coming out of
 * it so a small gzip bomb cannot expand past `maxBytes`, and one AbortSignal bounds the whole
 * exchange. Sockets are not pooled (`agent: false`): feeds are polled minutes apart, and a
 * kept-alive socket would only hold servers (and test processes) open.
 *
 * @throws FeedError with codes TIMEOUT, TOO_LARGE, HTTP_STATUS (retryable for 408, 429 and
 *   5xx), TOO_MANY_REDIRECTS, NETWORK (an unusable URL is NETWORK and not retryable) or
 *   MALFORMED (a body that fails to decompress).
 */
export async function fetchFeed(url: string, opts: FetchFeedOptions = {}): Promise<FetchFeedResult> {
  const timeoutMs = opts.timeoutMs ?? FETCH_FEED_DEFAULTS.timeoutMs;
  const maxBytes = opts.maxBytes ?? FETCH_FEED_DEFAULTS.maxBytes;
  const maxRedirects = opts.maxRedirects ?? FETCH_FEED_DEFAULTS.maxRedirects;
  const signal = AbortSignal.timeout(timeoutMs);
  const headers: Record<string, string> = {
    'user-agent': opts.userAgent ?? FETCH_FEED_DEFAULTS.userAgent,
    accept: ACCEPT,
    'accept-encoding': 'gzip, deflate, br',
  };
  if (opts.etag) headers['if-none-match'] = opts.etag;
  if (opts.lastModified) headers['if-modified-since'] = opts.lastModified;

  let current = httpUrl(url, url);
  for (let redirects = 0; ; redirects += 1) {
    const response = await request(current, headers, signal, timeoutMs);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;

    if (REDIRECT_STATUSES.has(status) && location) {
      response.destroy();
      if (redirects >= maxRedirects) {
        throw new FeedError(
          'RAPPORT_FEED_TOO_MANY_REDIRECTS',
          `more than ${maxRedirects} redirects, the last from ${current.href} to ${location}`,
        );
      }
      current = httpUrl(location, current.href);
      continue;
    }
    if (status === 304) {
      response.destroy();
      return { status: 'not_modified', finalUrl: current.href };
    }
    if (status < 200 || status > 299) {
      response.destroy();
      throw new FeedError('RAPPORT_FEED_HTTP_STATUS', `${current.href} answered HTTP ${status}`, {
        httpStatus: status,
        // 408 and 429 ask the client to come back later, 5xx are the server's trouble;
        // any other 4xx will answer the same until someone fixes the URL.
        retryable: status === 408 || status === 429 || status >= 500,
      });
    }

    const body = await readBody(response, current, maxBytes, signal, timeoutMs);
    return {
      status: 'ok',
      body,
      contentType: response.headers['content-type'] ?? null,
      etag: response.headers.etag ?? null,
      lastModified: response.headers['last-modified'] ?? null,
      finalUrl: current.href,
    };
  }
}

function httpUrl(reference: string, base: string): URL {
  let url: URL;
  try {
    url = new URL(reference, base);
  } catch (error) {
    throw new FeedError('RAPPORT_FEED_NETWORK', `not a valid feed URL: ${reference}`, { retryable: false, cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FeedError('RAPPORT_FEED_NETWORK', `only http and https feeds can be fetched, not ${url.href}`, {
      retryable: false,
    });
  }
  return url;
}

function request(
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.get(url, { headers, signal, agent: false }, resolve);
    req.on('error', (error) => reject(networkError(error, url, signal, timeoutMs)));
  });
}

async function readBody(
  response: IncomingMessage,
  url: URL,
  maxBytes: number,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Buffer> {
  // A declared length over the limit is refused before a byte is read. Feeds compress well,
  // so a compressed length over the limit means a decoded one far over it.
  const declaredLength = Number(response.headers['content-length']);
  if (Number.isFinite(declaredLength) && declaredLength > maxBytes) {
    response.destroy();
    throw tooLarge(url, maxBytes);
  }

  const chunks: Buffer[] = [];
  let total = 0;
  try {
    await pipeline(response, decoderFor(response.headers['content-encoding']), async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) {
        total += chunk.length;
        // Throwing here makes pipeline destroy the response, closing the connection, so
        // nothing past the limit is downloaded or kept.
        if (total > maxBytes) throw tooLarge(url, maxBytes);
        chunks.push(chunk);
      }
    });
  } catch (error) {
    // pipeline may report the AbortError of the streams it tore down instead of our error.
    if (total > maxBytes) throw tooLarge(url, maxBytes);
    throw networkError(error, url, signal, timeoutMs);
  }
  return Buffer.concat(chunks, total);
}

function decoderFor(contentEncoding: string | undefined): Transform {
  switch (contentEncoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      return new PassThrough();
  }
}

function tooLarge(url: URL, maxBytes: number): FeedError {
  return new FeedError('RAPPORT_FEED_TOO_LARGE', `${url.href} is larger than the ${maxBytes}-byte limit`);
}

function networkError(error: unknown, url: URL, signal: AbortSignal, timeoutMs: number): FeedError {
  if (error instanceof FeedError) return error;
  if (signal.aborted) {
    return new FeedError('RAPPORT_FEED_TIMEOUT', `${url.href} did not finish answering within ${timeoutMs} ms`, {
      cause: error,
    });
  }
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  const detail = error instanceof Error ? error.message : String(error);
  if (code.startsWith('Z_') || code.startsWith('ERR__')) {
    return new FeedError('RAPPORT_FEED_MALFORMED', `the compressed body from ${url.href} is corrupt: ${detail}`, {
      cause: error,
    });
  }
  return new FeedError('RAPPORT_FEED_NETWORK', `could not fetch ${url.href}: ${detail}`, { cause: error });
}

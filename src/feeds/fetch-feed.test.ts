import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { FeedError, type FeedErrorCode } from './feed-errors.js';
import { fetchFeed } from './fetch-feed.js';
import { parseFeed } from './parse-feed.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../test/fixtures/feeds/${name}`, import.meta.url));
const FEED = fixture('en-rss2.xml');
const ETAG = '"nbw-v1"';
const LAST_MODIFIED = 'Tue, 04 Mar 2025 18:00:00 GMT';

// What the server observed, for assertions about what the client sent or how it hung up.
const seen = { ifNoneMatch: [] as (string | undefined)[], userAgent: '', acceptEncoding: '', endlessClosedAfterBytes: -1 };

function route(req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const redirect = /^\/r\/(\d+)$/.exec(path);
  const status = /^\/status\/(\d+)$/.exec(path);
  if (path === '/feed.xml') {
    seen.ifNoneMatch.push(req.headers['if-none-match']);
    seen.userAgent = req.headers['user-agent'] ?? '';
    seen.acceptEncoding = req.headers['accept-encoding'] ?? '';
    if (req.headers['if-none-match'] === ETAG) return void res.writeHead(304).end();
    res.writeHead(200, { 'content-type': 'application/rss+xml', etag: ETAG, 'last-modified': LAST_MODIFIED }).end(FEED);
  } else if (path === '/dated.xml') {
    if (req.headers['if-modified-since'] === LAST_MODIFIED) return void res.writeHead(304).end();
    res.writeHead(200, { 'last-modified': LAST_MODIFIED }).end(FEED);
  } else if (redirect) {
    // Relative Locations: /r/3 → "2" → /r/2 … /r/0 → "/feed.xml".
    const left = Number(redirect[1]);
    res.writeHead(left === 0 ? 301 : 302, { location: left === 0 ? '/feed.xml' : String(left - 1) }).end();
  } else if (path === '/to-ftp') {
    res.writeHead(302, { location: 'ftp://files.example/feed.xml' }).end();
  } else if (status) {
    res.writeHead(Number(status[1])).end('nope');
  } else if (path === '/hang') {
    // Never answer.
  } else if (path === '/stall-body') {
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    res.write(FEED.subarray(0, 100));
  } else if (path === '/declared-huge') {
    res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) });
    res.write(Buffer.alloc(1024, 0x20));
  } else if (path === '/endless') {
    let written = 0;
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk)) written += chunk.length;
      if (!res.destroyed) res.once('drain', pump);
    };
    res.on('close', () => (seen.endlessClosedAfterBytes = written));
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    pump();
  } else if (path === '/gzip') {
    res.writeHead(200, { 'content-encoding': 'gzip' }).end(zlib.gzipSync(FEED));
  } else if (path === '/br') {
    res.writeHead(200, { 'content-encoding': 'br' }).end(zlib.brotliCompressSync(FEED));
  } else if (path === '/gzip-bomb') {
    res.writeHead(200, { 'content-encoding': 'gzip' }).end(zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20)));
  } else if (path === '/corrupt-gzip') {
    res.writeHead(200, { 'content-encoding': 'gzip' }).end(Buffer.from('definitely not gzip'));
  } else if (path === '/windows-1252') {
    res.writeHead(200, { 'content-type': 'text/xml; charset=windows-1252' });
    res.end(fixture('en-rss2-punctuation-windows1252-undeclared.xml'));
  } else {
    res.writeHead(404).end();
  }
}

const server = http.createServer(route);
let origin = '';

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  // /hang and /stall-body leave sockets the client abandoned; close them too.
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

async function assertFeedError(
  promise: Promise<unknown>,
  expected: { code: FeedErrorCode; retryable: boolean; httpStatus?: number; message?: RegExp },
): Promise<FeedError> {
  let caught: unknown;
  await promise.catch((error: unknown) => (caught = error));
  assert.ok(caught instanceof FeedError, `expected a FeedError, got ${String(caught)}`);
  assert.equal(caught.code, expected.code, caught.message);
  assert.equal(caught.retryable, expected.retryable);
  if (expected.httpStatus !== undefined) assert.equal(caught.httpStatus, expected.httpStatus);
  if (expected.message) assert.match(caught.message, expected.message);
  return caught;
}

describe('fetchFeed: conditional GET', () => {
  test('200 returns the body with its validators, then the ETag earns a 304', async () => {
    const first = await fetchFeed(`${origin}/feed.xml`);
    assert.equal(first.status, 'ok');
    assert.ok(first.status === 'ok');
    assert.deepEqual(first.body, FEED);
    assert.deepEqual([first.contentType, first.etag, first.lastModified], ['application/rss+xml', ETAG, LAST_MODIFIED]);
    assert.equal(first.finalUrl, `${origin}/feed.xml`);
    assert.match(seen.userAgent, /^Rapport\//);
    assert.equal(seen.acceptEncoding, 'gzip, deflate, br');

    const second = await fetchFeed(`${origin}/feed.xml`, { etag: first.etag, lastModified: first.lastModified });
    assert.deepEqual(second, { status: 'not_modified', finalUrl: `${origin}/feed.xml` });
    assert.deepEqual(seen.ifNoneMatch.slice(-2), [undefined, ETAG]);
  });

  test('Last-Modified alone is sent as If-Modified-Since', async () => {
    const first = await fetchFeed(`${origin}/dated.xml`);
    assert.ok(first.status === 'ok');
    assert.equal(first.etag, null);
    const second = await fetchFeed(`${origin}/dated.xml`, { lastModified: first.lastModified });
    assert.equal(second.status, 'not_modified');
  });
});

describe('fetchFeed: redirects', () => {
  test('follows a chain of relative redirects and reports the final URL', async () => {
    const result = await fetchFeed(`${origin}/r/3`, { maxRedirects: 4 });
    assert.ok(result.status === 'ok');
    assert.equal(result.finalUrl, `${origin}/feed.xml`);
    assert.deepEqual(result.body, FEED);
  });

  test('stops after maxRedirects', async () => {
    await assertFeedError(fetchFeed(`${origin}/r/3`, { maxRedirects: 3 }), {
      code: 'RAPPORT_FEED_TOO_MANY_REDIRECTS',
      retryable: false,
      message: /more than 3 redirects/,
    });
  });

  test('refuses non-http URLs, given or redirected to', async () => {
    await assertFeedError(fetchFeed('file:///etc/passwd'), { code: 'RAPPORT_FEED_NETWORK', retryable: false });
    await assertFeedError(fetchFeed('not a url'), { code: 'RAPPORT_FEED_NETWORK', retryable: false, message: /not a valid feed URL/ });
    await assertFeedError(fetchFeed(`${origin}/to-ftp`), { code: 'RAPPORT_FEED_NETWORK', retryable: false, message: /ftp:/ });
  });
});

describe('fetchFeed: limits', () => {
  test('a server that never answers times out within the budget', async () => {
    const started = Date.now();
    await assertFeedError(fetchFeed(`${origin}/hang`, { timeoutMs: 300 }), { code: 'RAPPORT_FEED_TIMEOUT', retryable: true });
    assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
  });

  test('a body that stalls half-way times out too', async () => {
    await assertFeedError(fetchFeed(`${origin}/stall-body`, { timeoutMs: 300 }), { code: 'RAPPORT_FEED_TIMEOUT', retryable: true });
  });

  test('a declared Content-Length over the limit is refused before reading', async () => {
    await assertFeedError(fetchFeed(`${origin}/declared-huge`, { maxBytes: 64 * 1024 }), {
      code: 'RAPPORT_FEED_TOO_LARGE',
      retryable: false,
    });
  });

  test('an endless body is cut off once past the limit and the connection closed', async () => {
    await assertFeedError(fetchFeed(`${origin}/endless`, { maxBytes: 256 * 1024, timeoutMs: 5_000 }), {
      code: 'RAPPORT_FEED_TOO_LARGE',
      retryable: false,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(seen.endlessClosedAfterBytes >= 0, 'the server saw the client hang up');
    assert.ok(seen.endlessClosedAfterBytes < 32 * 1024 * 1024, `server wrote ${seen.endlessClosedAfterBytes} bytes`);
  });

  test('the limit applies to the decompressed size (gzip bomb)', async () => {
    await assertFeedError(fetchFeed(`${origin}/gzip-bomb`, { maxBytes: 1024 * 1024 }), { code: 'RAPPORT_FEED_TOO_LARGE', retryable: false });
  });
});

describe('fetchFeed: content', () => {
  test('decodes gzip and brotli bodies', async () => {
    for (const path of ['/gzip', '/br']) {
      const result = await fetchFeed(`${origin}${path}`);
      assert.ok(result.status === 'ok', path);
      assert.deepEqual(result.body, FEED, path);
    }
  });

  test('a corrupt compressed body is malformed, not a crash', async () => {
    await assertFeedError(fetchFeed(`${origin}/corrupt-gzip`), { code: 'RAPPORT_FEED_MALFORMED', retryable: false });
  });

  test('the Content-Type charset decodes an undeclared windows-1252 feed', async () => {
    const result = await fetchFeed(`${origin}/windows-1252`);
    assert.ok(result.status === 'ok');
    const feed = await parseFeed(result.body, { contentType: result.contentType, url: result.finalUrl });
    assert.equal(feed.articles[0]?.title, 'Acme Corp’s €12 million expansion brings “a new chapter” to Acmeville');
  });
});

describe('fetchFeed: HTTP and network failures', () => {
  test('5xx, 408 and 429 are retryable; other 4xx are not', async () => {
    for (const [code, retryable] of [[500, true], [503, true], [408, true], [429, true], [404, false], [410, false], [401, false]] as const) {
      await assertFeedError(fetchFeed(`${origin}/status/${code}`), {
        code: 'RAPPORT_FEED_HTTP_STATUS',
        retryable,
        httpStatus: code,
        message: new RegExp(`answered HTTP ${code}$`),
      });
    }
  });

  test('a refused connection is a retryable network error', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assertFeedError(fetchFeed(`http://127.0.0.1:${port}/feed.xml`), {
      code: 'RAPPORT_FEED_NETWORK',
      retryable: true,
      message: /ECONNREFUSED/,
    });
  });
});

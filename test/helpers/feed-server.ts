import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../fixtures/feeds/', import.meta.url));

export interface FeedRoute {
  file?: string;
  contentType?: string;
  etag?: string;
  /** Never answer: the client's timeout must fire. */
  hang?: boolean;
  status?: number;
}

/** A local HTTP server publishing fixture feeds, with ETag support and misbehaving routes. */
export async function startFeedServer(routes: Record<string, FeedRoute>) {
  const hits: Record<string, number> = {};
  const server = http.createServer((req, res) => {
    // Routes match on the path; a query string makes the same feed reachable under another URL.
    const path = (req.url ?? '/').split('?')[0]!;
    hits[path] = (hits[path] ?? 0) + 1;
    const route = routes[path];
    if (!route) return void res.writeHead(404).end('not found');
    if (route.hang) return;
    if (route.status) return void res.writeHead(route.status).end('nope');
    if (route.etag && req.headers['if-none-match'] === route.etag) return void res.writeHead(304).end();
    res.writeHead(200, { 'content-type': route.contentType ?? 'application/rss+xml', ...(route.etag ? { etag: route.etag } : {}) });
    res.end(readFileSync(FIXTURES + route.file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    hits,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export interface PrintOrder {
  id: string;
  idempotencyKey: string;
  body: { deliveryId: string; format: string; recipient: { name: string }; pdf: string };
}

/**
 * A print-and-mail provider over real HTTP, as providers behave: an order per Idempotency-Key (a
 * repeated key returns the existing order, 200 instead of 201), and `failNext` to answer errors.
 */
export async function startFakePrintProvider() {
  const orders = new Map<string, PrintOrder>();
  const requests: { idempotencyKey: string | undefined; status: number }[] = [];
  const failures: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = req.headers['idempotency-key'] as string | undefined;
      const reply = (status: number, body: unknown) => {
        requests.push({ idempotencyKey: key, status });
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      const failure = failures.shift();
      if (failure) return reply(failure, { error: `simulated ${failure}` });
      if (!key) return reply(400, { error: 'Idempotency-Key required' });
      const existing = orders.get(key);
      if (existing) return reply(200, { id: existing.id, duplicate: true });
      const order = { id: `ord_${randomUUID().slice(0, 8)}`, idempotencyKey: key, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as PrintOrder['body'] };
      orders.set(key, order);
      reply(201, { id: order.id });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/letters`,
    orders,
    requests,
    failNext: (...statuses: number[]) => void failures.push(...statuses),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UnrecoverableError } from 'bullmq';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { createPrintRenderer, type PrintRenderer } from '../../src/delivery/print/render-print.js';
import { deliverPrintViaProvider } from '../../src/delivery/print/print-provider.js';
import { reconcilePrintDeliveries } from '../../src/delivery/print/reconcile-print.js';
import { SENDING_LEASE_MS } from '../../src/delivery/reconcile-deliveries.js';
import { createQueues } from '../../src/jobs/queues.js';
import { connectRedis } from '../../src/infra/redis.js';
import { freshDatabase, TEST_REDIS_URL, uniqueName } from '../helpers/test-services.js';
import { pdfInfo } from '../helpers/pdf-tools.js';
import { approvedPrintNote, seedPrintCustomers } from '../helpers/print-notes.js';
import { startFakePrintProvider } from '../helpers/fake-print-provider.js';

// Print notes handed one by one to a print-and-mail provider over HTTP (a local fake that dedupes on
// the Idempotency-Key, as real providers do).
describe('print provider', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let renderer: PrintRenderer;
  let provider: Awaited<ReturnType<typeof startFakePrintProvider>>;
  const deps = () => ({ prisma: database.db.prisma, renderer, providerUrl: provider.url, providerToken: 'secret-token', defaultFormat: 'postcard-a6' });
  const delivery = (id: string) => database.db.prisma.delivery.findUniqueOrThrow({ where: { id }, include: { suggestion: true } });

  before(async () => {
    database = await freshDatabase();
    await seedDemo(database.db.prisma);
    await seedPrintCustomers(database.db.prisma);
    renderer = createPrintRenderer({ chromiumPath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', pages: 1, templatesDir: 'templates' });
    provider = await startFakePrintProvider();
  });
  after(async () => {
    await renderer?.close();
    await provider?.close();
    await database?.drop();
  });

  test('one POST per note with the PDF, the address and Idempotency-Key = delivery id; a replayed job sends nothing', async () => {
    const note = await approvedPrintNote(database.db.prisma, { externalId: 'print-th', body: 'ขอบคุณมากครับ' });
    assert.equal(await deliverPrintViaProvider(deps(), note.deliveryId), 'sent');
    assert.equal(await deliverPrintViaProvider(deps(), note.deliveryId), 'skipped');
    const order = provider.orders.get(note.deliveryId);
    assert.ok(order, 'the provider has an order under the delivery id');
    assert.equal(order.body.format, 'postcard-a6');
    assert.equal(order.body.recipient.name, 'สมชาย ใจดี');
    assert.equal((await pdfInfo(Buffer.from(order.body.pdf, 'base64'))).pageSize, '436.54 x 314.65');
    const d = await delivery(note.deliveryId);
    assert.equal(d.status, 'sent');
    assert.equal(d.suggestion.status, 'sent');
    assert.match(d.response ?? '', new RegExp(`201 .*${order.id}`));
  });

  test('a 503 releases the claim; the retry sends with the same key and the provider keeps one order', async () => {
    const note = await approvedPrintNote(database.db.prisma, { externalId: 'print-vi', body: 'Cảm ơn chị' });
    provider.failNext(503);
    await assert.rejects(deliverPrintViaProvider(deps(), note.deliveryId), (e: Error) => !(e instanceof UnrecoverableError) && /503/.test(e.message));
    assert.equal((await delivery(note.deliveryId)).status, 'queued');
    assert.equal(await deliverPrintViaProvider(deps(), note.deliveryId), 'sent');
    assert.deepEqual(provider.requests.filter((r) => r.idempotencyKey === note.deliveryId).map((r) => r.status), [503, 201]);
  });

  test('a 422 fails the delivery and the suggestion for good', async () => {
    const note = await approvedPrintNote(database.db.prisma, { externalId: 'print-fa', body: 'سپاس' });
    provider.failNext(422);
    await assert.rejects(deliverPrintViaProvider(deps(), note.deliveryId), UnrecoverableError);
    const d = await delivery(note.deliveryId);
    assert.equal(d.status, 'failed');
    assert.match(d.lastError ?? '', /422/);
    assert.equal(d.suggestion.status, 'failed');
  });

  test('a process that died after the provider accepted: the reconciler resends, the provider dedupes', async () => {
    const note = await approvedPrintNote(database.db.prisma, { externalId: 'print-us', body: 'Dear Jane, thank you.' });
    assert.equal(await deliverPrintViaProvider(deps(), note.deliveryId), 'sent');
    // Rewind to the moment between the provider's 201 and our commit, long ago.
    await database.db.prisma.delivery.update({ where: { id: note.deliveryId }, data: { status: 'sending', claimedAt: new Date(Date.now() - SENDING_LEASE_MS - 1_000) } });
    await database.db.prisma.suggestion.update({ where: { id: note.suggestionId }, data: { status: 'scheduled' } });
    const redis = connectRedis({ url: TEST_REDIS_URL });
    const queues = createQueues(redis, uniqueName('q'));
    try {
      const report = await reconcilePrintDeliveries(database.db.prisma, queues, { now: new Date(), provider: true });
      assert.equal(report.printReleased, 1);
      assert.ok(await queues.queue('deliver-print').getJob(`print-${note.deliveryId}`), 'a deliver-print job is queued');
    } finally {
      await queues.close();
      redis.disconnect();
    }
    assert.equal(await deliverPrintViaProvider(deps(), note.deliveryId), 'sent');
    assert.deepEqual(provider.requests.filter((r) => r.idempotencyKey === note.deliveryId).map((r) => r.status), [201, 200]);
    assert.equal([...provider.orders.values()].filter((o) => o.idempotencyKey === note.deliveryId).length, 1);
  });

  test('an opted-out customer gets no card; the provider hears nothing', async () => {
    const note = await approvedPrintNote(database.db.prisma, { externalId: 'print-optout', body: 'Hallo' });
    const before = provider.requests.length;
    assert.equal(await deliverPrintViaProvider(deps(), note.deliveryId), 'suppressed');
    assert.equal(provider.requests.length, before);
    assert.equal((await delivery(note.deliveryId)).suggestion.status, 'suppressed');
  });
});

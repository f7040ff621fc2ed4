import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UnrecoverableError } from 'bullmq';
import { SYSTEM } from '../../src/audit/audit-log.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { deliverEmail } from '../../src/delivery/send-email.js';
import { reconcileDeliveries, SENDING_LEASE_MS } from '../../src/delivery/reconcile-deliveries.js';
import { recordEvent } from '../../src/events/record-event.js';
import { createQueues } from '../../src/jobs/queues.js';
import { connectRedis } from '../../src/infra/redis.js';
import { createSmtpMailer } from '../../src/infra/mailer.js';
import { approveSuggestion } from '../../src/notes/decide-suggestion.js';
import { NoteTemplates } from '../../src/notes/note-templates.js';
import { evaluateEvent } from '../../src/triggers/evaluate-event.js';
import { freshDatabase, TEST_REDIS_URL, uniqueName } from '../helpers/test-services.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';

// The delivery function on its own, against a real SMTP server: claims, retries and refusals.
describe('email delivery', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let mailer: ReturnType<typeof createSmtpMailer>;
  const templates = new NoteTemplates('templates');
  let n = 0;

  before(async () => {
    database = await freshDatabase();
    smtp = await startSmtpSink();
    mailer = createSmtpMailer(smtp.url);
    await seedDemo(database.db.prisma);
  });
  after(async () => {
    await mailer?.close();
    await smtp?.close();
    await database?.drop();
  });

  /** A fresh approved suggestion with a queued delivery for the demo customer Jane Doe. */
  async function approvedDelivery(): Promise<{ deliveryId: string; suggestionId: string }> {
    const prisma = database.db.prisma;
    const { event } = await recordEvent(prisma, { type: 'purchase', externalId: 'cust-1001', occurredAt: new Date().toISOString(), idempotencyKey: `d-${++n}`, data: { product: `Item ${n}` } }, SYSTEM);
    const { suggestionId } = await evaluateEvent({ prisma, templates, frequencyCapDays: 0 }, event.id);
    const { delivery } = await approveSuggestion(prisma, { id: suggestionId!, actor: SYSTEM });
    return { deliveryId: delivery.id, suggestionId: suggestionId! };
  }
  const deps = () => ({ prisma: database.db.prisma, mailer, mailFrom: 'notes@rapport.example' });
  const state = async (ids: { deliveryId: string; suggestionId: string }) => ({
    delivery: await database.db.prisma.delivery.findUniqueOrThrow({ where: { id: ids.deliveryId } }),
    suggestion: await database.db.prisma.suggestion.findUniqueOrThrow({ where: { id: ids.suggestionId } }),
  });

  test('a second run of the same job sends nothing', async () => {
    const ids = await approvedDelivery();
    const before = smtp.received.length;
    assert.equal(await deliverEmail(deps(), ids.deliveryId), 'sent');
    assert.equal(await deliverEmail(deps(), ids.deliveryId), 'skipped');
    assert.equal(smtp.received.length, before + 1);
  });

  test('a temporary SMTP error (4xx) releases the claim and a retry sends once', async () => {
    const ids = await approvedDelivery();
    const before = smtp.received.length;
    smtp.rejectWith(451);
    await assert.rejects(deliverEmail(deps(), ids.deliveryId), (err: Error) => !(err instanceof UnrecoverableError));
    smtp.rejectWith(null);
    let s = await state(ids);
    assert.equal(s.delivery.status, 'queued');
    assert.match(s.delivery.lastError ?? '', /451/);
    assert.equal(await deliverEmail(deps(), ids.deliveryId), 'sent');
    s = await state(ids);
    assert.equal(s.delivery.attempts, 2);
    assert.equal(s.suggestion.status, 'sent');
    assert.equal(smtp.received.length, before + 1);
  });

  test('a permanent SMTP error (5xx) fails the delivery and the suggestion with the reason', async () => {
    const ids = await approvedDelivery();
    smtp.rejectWith(550);
    try {
      await assert.rejects(deliverEmail(deps(), ids.deliveryId), UnrecoverableError);
    } finally {
      smtp.rejectWith(null);
    }
    const s = await state(ids);
    assert.equal(s.delivery.status, 'failed');
    assert.match(s.delivery.lastError ?? '', /550/);
    assert.equal(s.suggestion.status, 'failed');
    assert.equal(await deliverEmail(deps(), ids.deliveryId), 'skipped', 'a failed delivery is not retried');
  });

  test('a customer who opts out after approval receives nothing', async () => {
    const ids = await approvedDelivery();
    const before = smtp.received.length;
    await database.db.prisma.customer.update({ where: { externalId: 'cust-1001' }, data: { optedOut: true } });
    try {
      assert.equal(await deliverEmail(deps(), ids.deliveryId), 'suppressed');
    } finally {
      await database.db.prisma.customer.update({ where: { externalId: 'cust-1001' }, data: { optedOut: false } });
    }
    const s = await state(ids);
    assert.equal(s.suggestion.status, 'suppressed');
    assert.equal(s.delivery.status, 'failed');
    assert.equal(smtp.received.length, before);
  });

  test('a delivery left in "sending" by a dead process is failed for a human, never resent', async () => {
    const ids = await approvedDelivery();
    const before = smtp.received.length;
    await database.db.prisma.delivery.update({ where: { id: ids.deliveryId }, data: { status: 'sending', claimedAt: new Date(Date.now() - SENDING_LEASE_MS - 1_000) } });
    const redis = connectRedis({ url: TEST_REDIS_URL });
    const queues = createQueues(redis, uniqueName('q'));
    try {
      const report = await reconcileDeliveries(database.db.prisma, queues);
      assert.equal(report.interrupted, 1);
    } finally {
      await queues.close();
      redis.disconnect();
    }
    const s = await state(ids);
    assert.equal(s.delivery.status, 'failed');
    assert.match(s.delivery.lastError ?? '', /may or may not have been sent/);
    assert.equal(s.suggestion.status, 'failed');
    assert.equal(await deliverEmail(deps(), ids.deliveryId), 'skipped');
    assert.equal(smtp.received.length, before);
  });
});

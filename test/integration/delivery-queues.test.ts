import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SYSTEM } from '../../src/audit/audit-log.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { enqueueDeliveries, enqueueDelivery } from '../../src/delivery/enqueue-delivery.js';
import { deliverEmail } from '../../src/delivery/send-email.js';
import { recordEvent } from '../../src/events/record-event.js';
import { jobNames } from '../../src/jobs/catalog.js';
import { createQueues, startWorkers, type Processors } from '../../src/jobs/queues.js';
import { createSmtpMailer } from '../../src/infra/mailer.js';
import { connectRedis } from '../../src/infra/redis.js';
import { startRapport, type Rapport } from '../../src/main.js';
import { approveSuggestion } from '../../src/notes/decide-suggestion.js';
import { NoteTemplates } from '../../src/notes/note-templates.js';
import { evaluateEvent } from '../../src/triggers/evaluate-event.js';
import { freshDatabase, silentLogger, testConfig, TEST_REDIS_URL, uniqueName, waitFor } from '../helpers/test-services.js';
import { seedPrintCustomers } from '../helpers/print-notes.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';

// Which queue a delivery goes to, and in what order and at what rate the email queue sends.
describe('delivery queues', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let rapport: Rapport;
  let token: string;
  const templates = new NoteTemplates('templates');
  let n = 0;
  const prisma = () => database.db.prisma;

  before(async () => {
    database = await freshDatabase();
    smtp = await startSmtpSink();
    // Workers off: these tests look at the queues themselves.
    rapport = await startRapport(testConfig({ DATABASE_URL: database.url, SMTP_URL: smtp.url }), silentLogger(), { workers: false });
    ({ token } = await seedDemo(prisma()));
    await seedPrintCustomers(prisma());
  });
  after(async () => {
    await rapport?.close();
    await smtp?.close();
    await database?.drop();
  });

  async function pendingPrintNote(): Promise<string> {
    const customer = await prisma().customer.findUniqueOrThrow({ where: { externalId: 'print-us' } });
    const trigger = await prisma().trigger.findFirstOrThrow({ include: { versions: true } });
    const s = await prisma().suggestion.create({
      data: { dedupeKey: `q-print:${++n}`, customerId: customer.id, triggerId: trigger.id, triggerVersionId: trigger.versions[0]!.id, status: 'pending_approval', channel: 'print', templateKey: 'thank-you', locale: 'en', subject: 'Card', body: 'Dear Jane, thank you.' },
    });
    return s.id;
  }
  async function approvedEmail(externalId: string): Promise<string> {
    const { event } = await recordEvent(prisma(), { type: 'purchase', externalId, occurredAt: new Date().toISOString(), idempotencyKey: `q-${++n}`, data: { product: `Item ${n}` } }, SYSTEM);
    const { suggestionId } = await evaluateEvent({ prisma: prisma(), templates, frequencyCapDays: 0 }, event.id);
    return (await approveSuggestion(prisma(), { id: suggestionId!, actor: SYSTEM })).delivery.id;
  }

  test('approving a print note through the API hands it to deliver-print (priority 1), not deliver-email', async () => {
    const id = await pendingPrintNote();
    const res = await rapport.app!.inject({ method: 'POST', url: `/api/v1/suggestions/${id}/approve`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: '{}' });
    assert.equal(res.statusCode, 200, res.body);
    const deliveryId = (res.json() as { suggestion: { delivery: { id: string } } }).suggestion.delivery.id;
    const job = await rapport.runtime.queues.queue('deliver-print').getJob(`print-${deliveryId}`);
    assert.ok(job, 'a deliver-print job');
    assert.equal(job.opts.priority, 1);
    assert.equal(await rapport.runtime.queues.queue('deliver-email').getJob(`deliver-${deliveryId}`), undefined);
  });

  test('auto-approved deliveries (by id) go to their channel queue as bulk work, delayed to their send time', async () => {
    const approved = await approveSuggestion(prisma(), { id: await pendingPrintNote(), actor: SYSTEM });
    const later = new Date(Date.now() + 3_600_000);
    await prisma().delivery.update({ where: { id: approved.delivery.id }, data: { scheduledFor: later } });
    const emailId = await approvedEmail('cust-1001');
    await enqueueDeliveries(prisma(), rapport.runtime.queues, [approved.delivery.id, emailId]);
    const print = await rapport.runtime.queues.queue('deliver-print').getJob(`print-${approved.delivery.id}`);
    assert.equal(print?.opts.priority, 10);
    assert.ok((print?.opts.delay ?? 0) > 3_500_000, 'waits for its send time');
    assert.equal((await rapport.runtime.queues.queue('deliver-email').getJob(`deliver-${emailId}`))?.opts.priority, 10);
  });

  test('a single approval overtakes a queued bulk run, and the queue keeps to its rate limit', async () => {
    const bulk: string[] = [];
    for (let i = 0; i < 12; i++) bulk.push(await approvedEmail('cust-1001'));
    const single = await approvedEmail('cust-1002');
    const redis = connectRedis({ url: TEST_REDIS_URL });
    const prefix = uniqueName('q');
    const queues = createQueues(redis, prefix);
    const mailer = createSmtpMailer(smtp.url);
    const before = smtp.received.length;
    const processors = Object.fromEntries(jobNames.map((name) => [name, async () => undefined])) as unknown as Processors;
    processors['deliver-email'] = async ({ deliveryId }) => void (await deliverEmail({ prisma: prisma(), mailer, mailFrom: 'notes@rapport.example' }, deliveryId));
    let workers: { close(): Promise<void> } | undefined;
    try {
      for (const id of bulk) await enqueueDelivery(queues, await prisma().delivery.findUniqueOrThrow({ where: { id } }), { priority: 'bulk' });
      await enqueueDelivery(queues, await prisma().delivery.findUniqueOrThrow({ where: { id: single } }), { priority: 'single' });
      const started = Date.now();
      workers = startWorkers(redis, prefix, processors, { concurrency: 1, logger: silentLogger(), limiters: { 'deliver-email': { max: 4, durationMs: 1_000 } } });
      await waitFor('13 emails', async () => smtp.received.length >= before + 13, 20_000);
      const elapsed = Date.now() - started;
      const order = smtp.received.slice(before).map((m) => m.parsed.headers.get('x-rapport-delivery'));
      assert.equal(order[0], single, 'the single approval went first');
      assert.deepEqual(new Set(order.slice(1)), new Set(bulk));
      // 13 jobs at 4 per second: the last window opens after 3 s (unlimited, they take ~100 ms).
      assert.ok(elapsed >= 2_500, `13 emails at 4/s took only ${elapsed} ms`);
    } finally {
      await workers?.close();
      await queues.close();
      await mailer.close();
      redis.disconnect();
    }
  });
});

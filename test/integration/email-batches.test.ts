import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { createEmailRate } from '../../src/delivery/email-rate.js';
import { deliverEmail } from '../../src/delivery/send-email.js';
import { enqueueDeliveries, enqueueDeliveryBatch } from '../../src/delivery/enqueue-delivery.js';
import { openRuntime, type Runtime } from '../../src/infra/runtime.js';
import { buildProcessors } from '../../src/jobs/processors.js';
import { startWorkers } from '../../src/jobs/queues.js';
import { workerSettings } from '../../src/jobs/worker-settings.js';
import { approvedEmail } from '../helpers/approved-email.js';
import { startDomainCountingSink, type CountingSink } from '../helpers/domain-counting-sink.js';
import { spawnRapport, type RapportProcess } from '../helpers/rapport-process.js';
import { flushQueuePrefix, freshDatabase, silentLogger, testConfig, TEST_REDIS_URL, uniqueName, waitFor } from '../helpers/test-services.js';

// Bulk email due now goes out in `deliver-email-batch` jobs: one claim and one "sent" statement per
// round of sends instead of per email. Each email keeps every guarantee of a single job.
describe('email batches', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  const prefixes: string[] = [];
  const running: { close(): Promise<void> }[] = [];
  let n = 0;
  const prisma = () => database.db.prisma;
  const DOMAINS = ['alpha.example', 'beta.example', 'gamma.example'];

  before(async () => {
    database = await freshDatabase();
    await seedDemo(prisma());
    const people = [...DOMAINS.map((d) => `ann@${d}`), 'bo@bulkmail.example', 'flaky@flaky.example', 'gone@dead.example', 'cy@slowclaim.example'];
    for (const email of people) await prisma().customer.create({ data: { externalId: email, name: email.split('@')[0]!, email } });
  });
  afterEach(async () => {
    // Last started, first stopped: processes go before the SMTP sinks they hold connections to.
    for (const r of running.splice(0).reverse()) await r.close();
  });
  after(async () => {
    for (const p of prefixes) await flushQueuePrefix(p);
    await database?.drop();
  });

  const approved = async (email: string) => (await approvedEmail(prisma(), email, `batch-${++n}`)).deliveryId;
  const approvedMany = async (count: number, emailOf: (i: number) => string) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(await approved(emailOf(i)));
    return ids;
  };

  /** A runtime whose queues batch as configured; `start()` starts the workers as main.ts does. */
  async function worker(sink: CountingSink, env: Record<string, string>): Promise<{ rt: Runtime; start(): void }> {
    const config = testConfig({ DATABASE_URL: database.url, SMTP_URL: sink.url, MAIL_FROM: 'notes@rapport.example', RAPPORT_SECRET: 'x'.repeat(32), ...env });
    prefixes.push(config.redis.queuePrefix);
    const rt = await openRuntime(config, silentLogger());
    let workers: { close(): Promise<void> } | undefined;
    running.push({ close: async () => (await workers?.close(), await rt.close(), await sink.close()) });
    return { rt, start: () => void (workers = startWorkers(rt.redis, config.redis.queuePrefix, buildProcessors(rt), { ...workerSettings(config), logger: silentLogger() })) };
  }

  /** `rapport start --workers-only` processes on a queue prefix of their own; `start()` spawns one more. */
  function spawnedWorkers(sink: CountingSink, env: Record<string, string>): { prefix: string; start(): Promise<RapportProcess> } {
    const prefix = uniqueName('q');
    prefixes.push(prefix);
    const all = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, SMTP_URL: sink.url, HTTP_PORT: '0', ...env };
    return {
      prefix,
      async start() {
        const p = await spawnRapport(['--workers-only'], all);
        running.push({ close: () => p.kill() });
        return p;
      },
    };
  }

  const sentOnce = (sink: CountingSink, ids: readonly string[]) => assert.deepEqual(sink.accepted.map((m) => m.deliveryId).sort(), [...ids].sort(), 'each email accepted exactly once');

  test('EMAIL_BATCH_SIZE defaults to 200 and must be an integer from 1 to 500', () => {
    assert.equal(loadConfig({}).mail.batchSize, 200);
    assert.equal(loadConfig({ EMAIL_BATCH_SIZE: '1' }).mail.batchSize, 1);
    for (const bad of ['0', '501', 'many']) assert.throws(() => loadConfig({ EMAIL_BATCH_SIZE: bad }), /EMAIL_BATCH_SIZE/);
  });

  test('a single email that finds this second\'s budget spent changes nothing and says so', async () => {
    const sink = await startDomainCountingSink({ holdMs: 0 });
    const id = await approved(`ann@${DOMAINS[0]}`);
    const w = await worker(sink, {});
    const rate = createEmailRate(w.rt.redis, { prefix: w.rt.config.redis.queuePrefix, perSecond: 1 });
    assert.equal((await rate.take(1)).granted, 1, 'a batch took the only send of this second');
    const deps = { prisma: prisma(), mailer: w.rt.mailer, mailFrom: 'notes@rapport.example', rate };
    assert.equal(await deliverEmail(deps, id), 'rate-limited');
    const delivery = await prisma().delivery.findUniqueOrThrow({ where: { id } });
    assert.equal(`${delivery.status} ${delivery.attempts}`, 'queued 0', 'nothing claimed');
    assert.equal(sink.accepted.length, 0);
    await new Promise((r) => setTimeout(r, 1_100));
    assert.equal(await deliverEmail(deps, id), 'sent', 'the next second has room');
  });

  test('bulk emails due now go out in batch jobs, each once, with the same audit trail as a single send', async () => {
    const sink = await startDomainCountingSink({ holdMs: 0 });
    const ids = await approvedMany(25, (i) => `ann@${DOMAINS[i % 3]}`);
    const w = await worker(sink, { EMAIL_BATCH_SIZE: '10', WORKER_CONCURRENCY: '4' });
    await enqueueDeliveries(prisma(), w.rt.queues, ids, { priority: 'bulk' });
    const batches = w.rt.queues.queue('deliver-email-batch');
    assert.equal(await batches.getJobCountByTypes('prioritized', 'waiting'), 3, '25 emails in batches of at most 10');
    assert.equal(await w.rt.queues.queue('deliver-email').getJobCountByTypes('prioritized', 'waiting', 'delayed'), 0, 'no job per email');

    w.start();
    await waitFor('all sent', async () => (await prisma().delivery.count({ where: { id: { in: ids }, status: 'sent' } })) === ids.length);
    sentOnce(sink, ids);
    const deliveries = await prisma().delivery.findMany({ where: { id: { in: ids } }, include: { suggestion: true } });
    assert.ok(deliveries.every((d) => d.attempts === 1 && d.response?.startsWith('250') && d.suggestion.status === 'sent'));
    const audit = await prisma().auditEntry.findMany({ where: { entityId: { in: [...ids, ...deliveries.map((d) => d.suggestionId)] } } });
    for (const d of deliveries) {
      const actions = audit.filter((a) => a.entityId === d.id || a.entityId === d.suggestionId).map((a) => a.action);
      for (const action of ['delivery.sending', 'delivery.sent', 'suggestion.sent']) assert.equal(actions.filter((a) => a === action).length, 1, `${action} once for ${d.id}`);
    }
    const sentEntry = audit.find((a) => a.action === 'delivery.sent' && a.entityId === ids[0]);
    assert.equal((sentEntry?.data as { messageId?: string } | null)?.messageId, deliveries.find((d) => d.id === ids[0])?.messageId);
  });

  test("a lane records its accepted sends in its next claim's statement, not in one of their own", async () => {
    const sink = await startDomainCountingSink({ holdMs: 5 });
    const ids = await approvedMany(40, () => 'bo@bulkmail.example');
    const w = await worker(sink, { EMAIL_BATCH_SIZE: '40', SMTP_MAX_PER_DOMAIN: '4' });
    // Sends recorded, by the statement that recorded them: its first parameter lists their deliveries.
    const recorded = { withClaim: 0, alone: 0 };
    const pool = w.rt.db.pool;
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    (pool as { query: unknown }).query = (...args: unknown[]) => {
      const { name, values } = (args[0] ?? {}) as { name?: string; values?: unknown[] };
      const sends = Array.isArray(values?.[0]) ? values[0].length : 0;
      if (name === 'rapport-claim-emails-record-sent') recorded.withClaim += sends;
      if (name === 'rapport-record-emails-sent') recorded.alone += sends;
      return query(...args);
    };
    await enqueueDeliveries(prisma(), w.rt.queues, ids, { priority: 'bulk' });
    w.start();
    await waitFor('all sent', async () => (await prisma().delivery.count({ where: { id: { in: ids }, status: 'sent' } })) === ids.length);
    sentOnce(sink, ids);
    // 40 sends, 4 at a time, a claim every two to four: each claim records what was accepted since
    // the one before. The sends accepted after the last claim have none to ride (27 of 40 rode here;
    // without riding, none does).
    assert.equal(recorded.withClaim + recorded.alone, ids.length, 'each send recorded once');
    assert.ok(recorded.withClaim >= ids.length / 4, `sends recorded with a claim: ${recorded.withClaim}, alone: ${recorded.alone}`);
    const deliveries = await prisma().delivery.findMany({ where: { id: { in: ids } }, include: { suggestion: true } });
    assert.ok(deliveries.every((d) => d.attempts === 1 && d.response?.startsWith('250') && d.suggestion.status === 'sent'));
  });

  test('a bulk run is cut into batches by recipient domain, so each batch sends few lanes', async () => {
    const sink = await startDomainCountingSink({ holdMs: 0 });
    const ids = await approvedMany(6, (i) => `ann@${DOMAINS[i % 3]}`);
    const w = await worker(sink, { EMAIL_BATCH_SIZE: '2' });
    await enqueueDeliveries(prisma(), w.rt.queues, ids, { priority: 'bulk' });
    const jobs = await w.rt.queues.queue('deliver-email-batch').getJobs(['prioritized', 'waiting']);
    const domainOf = new Map((await prisma().delivery.findMany({ where: { id: { in: ids } }, include: { suggestion: { include: { customer: true } } } })).map((d) => [d.id, d.suggestion.customer.email?.split('@')[1]]));
    const domainsPerBatch = jobs.map((j) => [...new Set((j.data as { deliveryIds: string[] }).deliveryIds.map((id) => domainOf.get(id)))]);
    assert.deepEqual(domainsPerBatch.map((d) => d.length), [1, 1, 1], 'interleaved recipients, yet one domain per batch');
    assert.deepEqual(domainsPerBatch.flat().sort(), [...DOMAINS].sort());
    w.start();
    await waitFor('all sent', async () => (await prisma().delivery.count({ where: { id: { in: ids }, status: 'sent' } })) === ids.length);
    sentOnce(sink, ids);
  });

  test('batches side by side keep a domain to its cap, together with single jobs', async () => {
    const sink = await startDomainCountingSink({ holdMs: 80 });
    const bulk = await approvedMany(16, () => 'bo@bulkmail.example');
    const single = await approved('bo@bulkmail.example');
    // 8 workers → 2 batch jobs at once (workerSettings); batches of 4 → four batches compete.
    const w = await worker(sink, { EMAIL_BATCH_SIZE: '4', WORKER_CONCURRENCY: '8', SMTP_MAX_PER_DOMAIN: '2' });
    w.start();
    await enqueueDeliveries(prisma(), w.rt.queues, bulk, { priority: 'bulk' });
    await enqueueDeliveries(prisma(), w.rt.queues, [single], { priority: 'single' });
    await waitFor('all 17', async () => sink.accepted.length >= 17, 30_000);
    assert.equal(sink.maxInFlight('bulkmail.example'), 2, 'never more than 2 at once to bulkmail.example, and the cap was reached');
    await new Promise((r) => setTimeout(r, 300));
    sentOnce(sink, [...bulk, single]);
  });

  test('a note approved on its own is not stuck behind a bulk run to its domain', async () => {
    // Batch lanes hold the domain's slots while they send. The note waits in the domain's line, and
    // the next lane that asks for slots hands one to it: it goes out within a few sends, not last.
    const sink = await startDomainCountingSink({ holdMs: 30 });
    const bulk = await approvedMany(60, () => 'bo@bulkmail.example');
    const single = await approved('bo@bulkmail.example');
    const w = await worker(sink, { EMAIL_BATCH_SIZE: '10', WORKER_CONCURRENCY: '8', SMTP_MAX_PER_DOMAIN: '2' });
    w.start();
    await enqueueDeliveries(prisma(), w.rt.queues, bulk, { priority: 'bulk' });
    await waitFor('the bulk run under way', async () => sink.accepted.length >= 6, 30_000);
    const before = sink.accepted.length;
    await enqueueDeliveries(prisma(), w.rt.queues, [single], { priority: 'single' });
    await waitFor('all 61', async () => sink.accepted.length >= 61, 30_000);
    // Here it goes out 3 to 6 sends after it is approved; waiting for the lanes to end, it went last.
    const behind = sink.accepted.findIndex((m) => m.deliveryId === single) - before;
    assert.ok(behind < (61 - before) / 4, `the note went out ${behind} sends after it was approved, of the ${61 - before} left`);
    assert.equal(sink.maxInFlight('bulkmail.example'), 2, 'the cap held');
    await new Promise((r) => setTimeout(r, 300));
    sentOnce(sink, [...bulk, single]);
  });

  test('EMAIL_RATE_PER_SECOND counts emails, not batch jobs', async () => {
    const sink = await startDomainCountingSink({ holdMs: 0 });
    const ids = await approvedMany(10, (i) => `ann@${DOMAINS[i % 3]}`);
    const w = await worker(sink, { EMAIL_BATCH_SIZE: '10', EMAIL_RATE_PER_SECOND: '4' });
    w.start();
    await enqueueDeliveries(prisma(), w.rt.queues, ids, { priority: 'bulk' });
    await waitFor('all 10', async () => sink.accepted.length >= 10, 20_000);
    // Windows of one second hold 4 + 4 + 2: any send and the fourth after it fall in different
    // windows, so they are far apart (without the limit, all ten go out within milliseconds).
    const at = sink.accepted.map((m) => m.at - sink.accepted[0]!.at);
    for (let i = 0; i + 4 < at.length; i++) assert.ok(at[i + 4]! - at[i]! >= 400, `5 sends within 400 ms at 4 per second: ${at.join(', ')} ms`);
    assert.ok(at.at(-1)! >= 1_500, `ten emails at 4 per second took ${at.at(-1)} ms`);
    sentOnce(sink, ids);
  });

  test('a temporary refusal is retried alone with backoff, a permanent one fails its note, the rest of the batch goes out', async () => {
    let flakyRefusals = 0;
    const sink = await startDomainCountingSink({
      holdMs: 0,
      refuse: (address) => {
        if (address === 'gone@dead.example') return { code: 550, message: 'No such user' };
        if (address === 'flaky@flaky.example' && flakyRefusals++ === 0) return { code: 451, message: 'Try again later' };
        return null;
      },
    });
    const fine = await approvedMany(4, (i) => `ann@${DOMAINS[i % 3]}`);
    const flaky = await approved('flaky@flaky.example');
    const gone = await approved('gone@dead.example');
    const w = await worker(sink, { EMAIL_BATCH_SIZE: '10' });
    w.start();
    await enqueueDeliveries(prisma(), w.rt.queues, [...fine, flaky, gone], { priority: 'bulk' });

    const failed = await waitFor('the permanent failure', () => prisma().delivery.findFirst({ where: { id: gone, status: 'failed' }, include: { suggestion: true } }));
    assert.match(failed.lastError ?? '', /550/);
    assert.equal(failed.suggestion.status, 'failed');
    const retried = await waitFor('the retried email', () => prisma().delivery.findFirst({ where: { id: flaky, status: 'sent' } }), 20_000);
    assert.equal(retried.attempts, 2, 'refused once, sent on the second claim');
    assert.equal(flakyRefusals, 2);
    await new Promise((r) => setTimeout(r, 300));
    sentOnce(sink, [...fine, flaky]);
  });

  test('a lane whose last claim is slower than its sends still sends what that claim returns', async () => {
    // One slot for the domain, so the lane claims two, sends them, and claims the third only while
    // the second is out. Another transaction holds the third row (as a racing single job would), so
    // that claim returns after both sends are done: the lane must wait for it, not end and leave
    // the third email `sending` for ever.
    const sink = await startDomainCountingSink({ holdMs: 0 });
    const ids = (await approvedMany(3, () => 'cy@slowclaim.example')).sort();
    const w = await worker(sink, { SMTP_MAX_PER_DOMAIN: '1' });
    const holder = await database.db.pool.connect();
    // Destroyed, not returned to the pool: a failure before COMMIT must not leave the row locked.
    running.push({ close: async () => holder.release(true) });
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM "Delivery" WHERE "id" = $1 FOR UPDATE', [ids[2]]);
    await enqueueDeliveries(prisma(), w.rt.queues, ids, { priority: 'bulk' });
    w.start();
    await waitFor('two sent', async () => sink.accepted.length >= 2);
    await new Promise((r) => setTimeout(r, 300));
    await holder.query('COMMIT');
    await waitFor('the third sent too', async () => (await prisma().delivery.count({ where: { id: { in: ids }, status: 'sent' } })) === 3, 5_000);
    sentOnce(sink, ids);
  });

  test('a batch and single jobs racing for the same deliveries send each once', async () => {
    const sink = await startDomainCountingSink({ holdMs: 20 });
    const ids = await approvedMany(12, (i) => `ann@${DOMAINS[i % 3]}`);
    const w = await worker(sink, { EMAIL_BATCH_SIZE: '12', WORKER_CONCURRENCY: '6' });
    await enqueueDeliveries(prisma(), w.rt.queues, ids, { priority: 'bulk' });
    // As the reconciler would after a lost acknowledgement: a single job for each as well.
    const rows = await prisma().delivery.findMany({ where: { id: { in: ids } } });
    await enqueueDeliveryBatch(w.rt.queues, rows, { priority: 'bulk' });
    assert.equal(await w.rt.queues.queue('deliver-email').getJobCountByTypes('prioritized', 'waiting'), 12);
    w.start();
    await waitFor('all sent', async () => (await prisma().delivery.count({ where: { id: { in: ids }, status: 'sent' } })) === ids.length);
    await new Promise((r) => setTimeout(r, 1_000));
    sentOnce(sink, ids);
  });

  test('a stopping process ends its batch after the sends it claimed and hands back the rest', async () => {
    // SIGTERM mid-batch: the lane claims nothing more, sends and records what it claimed, and the
    // unclaimed deliveries go back to the queue as a batch that the next process sends.
    const sink = await startDomainCountingSink({ holdMs: 150 });
    running.push({ close: () => sink.close() });
    const ids = await approvedMany(40, () => 'bo@bulkmail.example');
    const { prefix, start } = spawnedWorkers(sink, { EMAIL_BATCH_SIZE: '40', SMTP_MAX_PER_DOMAIN: '2' });
    const first = await start();
    const { rt } = await worker(await startDomainCountingSink({ holdMs: 0 }), { QUEUE_PREFIX: prefix });
    await enqueueDeliveries(prisma(), rt.queues, ids, { priority: 'bulk' });
    await waitFor('a few emails out', async () => sink.accepted.length >= 4, 30_000);
    await first.kill('SIGTERM');
    const atStop = sink.accepted.length;
    assert.ok(atStop < ids.length / 2, `stopped after the claimed sends, not the whole batch (${atStop} of ${ids.length} out)`);
    const statuses = await prisma().delivery.groupBy({ by: ['status'], where: { id: { in: ids } }, _count: true });
    assert.deepEqual(Object.fromEntries(statuses.map((s) => [s.status, s._count])), { sent: atStop, queued: ids.length - atStop }, 'every claimed email sent and recorded, the rest untouched');
    assert.equal(await rt.queues.queue('deliver-email-batch').getJobCountByTypes('prioritized', 'waiting', 'delayed'), 1, 'the rest handed back as one batch');

    await start();
    await waitFor('all sent', async () => (await prisma().delivery.count({ where: { id: { in: ids }, status: 'sent' } })) === ids.length, 60_000);
    sentOnce(sink, ids);
  });

  test('a worker killed in the middle of a batch, and Redis flushed: nothing lost, nothing sent twice', async () => {
    const sink = await startDomainCountingSink({ holdMs: 150 });
    running.push({ close: () => sink.close() });
    const ids = await approvedMany(24, (i) => `ann@${DOMAINS[i % 3]}`);
    const { prefix, start } = spawnedWorkers(sink, { EMAIL_BATCH_SIZE: '12', SMTP_MAX_PER_DOMAIN: '1' });
    const first = await start();
    const { rt } = await worker(await startDomainCountingSink({ holdMs: 0 }), { QUEUE_PREFIX: prefix, EMAIL_BATCH_SIZE: '12' });
    await enqueueDeliveries(prisma(), rt.queues, ids, { priority: 'bulk' });
    await waitFor('a few emails out', async () => sink.accepted.length >= 5, 30_000);
    await first.kill('SIGKILL');
    const atKill = sink.accepted.length;
    assert.ok(atKill < ids.length, `killed mid-run (${atKill} of ${ids.length} out)`);
    assert.ok((await flushQueuePrefix(prefix)) > 0, 'the rest of the run was in Redis before the flush');

    // The new process's reconciler finds the queued deliveries in PostgreSQL.
    await start();
    await waitFor('every delivery sent or left for a person', async () => (await prisma().delivery.count({ where: { id: { in: ids }, status: 'queued' } })) === 0, 60_000);
    await waitFor('every claimed delivery settled', async () => {
      const sending = await prisma().delivery.findMany({ where: { id: { in: ids }, status: 'sending' } });
      return sending.length <= 2 * DOMAINS.length;
    });
    await new Promise((r) => setTimeout(r, 1_000));
    const counts = new Map<string, number>();
    for (const m of sink.accepted) counts.set(m.deliveryId, (counts.get(m.deliveryId) ?? 0) + 1);
    assert.ok([...counts.values()].every((c) => c === 1), 'no email went out twice');
    const deliveries = await prisma().delivery.findMany({ where: { id: { in: ids } } });
    for (const d of deliveries) {
      // A delivery cut off mid-send stays `sending` (the server may have it): the reconciler fails it
      // for a person to check once its claim is older than the lease. It is never resent.
      if (d.status === 'sending') assert.ok((counts.get(d.id) ?? 0) <= 1);
      else assert.equal(`${d.status} ${counts.get(d.id) ?? 0}`, 'sent 1');
    }
    // At cap 1 a round is one email; a lane has one round in flight and the next claimed.
    assert.ok(deliveries.filter((d) => d.status === 'sending').length <= 2 * DOMAINS.length, 'at most two rounds per lane were cut off');
  });
});

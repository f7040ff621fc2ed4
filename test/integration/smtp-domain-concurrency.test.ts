import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { createDomainSlots } from '../../src/delivery/domain-slots.js';
import { createEmailRate } from '../../src/delivery/email-rate.js';
import { mailProviderOf } from '../../src/delivery/mail-providers.js';
import { enqueueDeliveries } from '../../src/delivery/enqueue-delivery.js';
import { connectRedis } from '../../src/infra/redis.js';
import { openRuntime, type Runtime } from '../../src/infra/runtime.js';
import { buildProcessors } from '../../src/jobs/processors.js';
import { createQueues, postponementDelayMs, startWorkers, wakeDelayedJob } from '../../src/jobs/queues.js';
import { flushQueuePrefix, freshDatabase, silentLogger, testConfig, TEST_REDIS_URL, uniqueName, waitFor } from '../helpers/test-services.js';
import { approvedEmail } from '../helpers/approved-email.js';
import { startDomainCountingSink, type CountingSink } from '../helpers/domain-counting-sink.js';

// SMTP_MAX_PER_DOMAIN: a bulk run to one big domain takes only a few connections, and email to
// other domains keeps flowing past it.
describe('per-domain SMTP concurrency', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  const redis = connectRedis({ url: TEST_REDIS_URL });
  const prefixes: string[] = [];
  let n = 0;
  const prisma = () => database.db.prisma;

  before(async () => {
    database = await freshDatabase();
    await seedDemo(prisma());
    for (const [externalId, email] of [
      ['bulk-1', 'ana@bulkmail.example'],
      ['bulk-2', 'ben@bulkmail.example'],
      ['other-1', 'oda@elsewhere.example'],
      ['gmail-1', 'gia@gmail.com'],
      ['googlemail-1', 'gus@googlemail.com'],
    ]) {
      await prisma().customer.create({ data: { externalId: externalId!, name: externalId!, email: email! } });
    }
  });
  after(async () => {
    for (const p of prefixes) await flushQueuePrefix(p);
    redis.disconnect();
    await database?.drop();
  });

  const prefix = () => {
    const p = uniqueName('q');
    prefixes.push(p);
    return p;
  };

  const approvedDelivery = async (externalId: string) => (await approvedEmail(prisma(), externalId, `domain-${++n}`)).deliveryId;

  /** The worker process as main.ts starts it, against `sink`. */
  async function startWorker(sink: CountingSink, env: Record<string, string>): Promise<{ rt: Runtime; close(): Promise<void> }> {
    const config = testConfig({ DATABASE_URL: database.url, SMTP_URL: sink.url, MAIL_FROM: 'notes@rapport.example', RAPPORT_SECRET: 'x'.repeat(32), ...env });
    prefixes.push(config.redis.queuePrefix);
    const rt = await openRuntime(config, silentLogger());
    const workers = startWorkers(rt.redis, config.redis.queuePrefix, buildProcessors(rt), { concurrency: config.redis.concurrency, logger: silentLogger() });
    return {
      rt,
      async close() {
        await workers.close();
        await rt.close();
      },
    };
  }

  test('SMTP_MAX_PER_DOMAIN defaults to 3 and must be a positive integer', () => {
    assert.equal(loadConfig({}).mail.maxPerDomain, 3);
    assert.equal(loadConfig({ SMTP_MAX_PER_DOMAIN: '8' }).mail.maxPerDomain, 8);
    assert.throws(() => loadConfig({ SMTP_MAX_PER_DOMAIN: '0' }), /SMTP_MAX_PER_DOMAIN/);
  });

  test('SMTP_DOMAIN_GROUPS is read into groups, and a malformed value names the variable and the domain', () => {
    assert.deepEqual(loadConfig({}).mail.domainGroups, []);
    assert.deepEqual(loadConfig({ SMTP_DOMAIN_GROUPS: 'acme.com,acme.de;globex.com,globex.io' }).mail.domainGroups, [['acme.com', 'acme.de'], ['globex.com', 'globex.io']]);
    assert.throws(() => loadConfig({ SMTP_DOMAIN_GROUPS: 'acme.com,acme' }), /SMTP_DOMAIN_GROUPS.*"acme" in group 1 is not a domain name/s);
  });

  test("the domains of one mail provider share its slots: built-in (gmail.com, googlemail.com) and configured", async () => {
    const slots = createDomainSlots(redis, { prefix: prefix(), maxPerDomain: 1, wake: async () => 'gone', slotDomain: mailProviderOf([['acme.example', 'acme-group.example']]) });
    const gmail = await slots.acquire('gmail.com', 'w1');
    assert.ok(gmail);
    assert.equal(await slots.acquire('googlemail.com', 'w2'), null, 'googlemail.com counts as gmail.com');
    assert.equal(await slots.group('GMail.com').fill(3), 0, 'so does a batch, in any case');
    assert.ok(await slots.acquire('outlook.com', 'w3'), 'another provider has its own slots');
    assert.ok(await slots.acquire('acme-group.example', 'w4'));
    assert.equal(await slots.acquire('acme.example', 'w5'), null, 'a configured group shares its slots too');
    // The release of a gmail.com slot wakes the googlemail.com waiter: one line for the provider.
    const woken: string[] = [];
    const watched = createDomainSlots(redis, { prefix: prefix(), maxPerDomain: 1, wake: async (w) => (woken.push(w), 'woken') });
    const held = await watched.acquire('gmail.com', 'holder');
    assert.equal(await watched.acquire('googlemail.com', 'waiter'), null);
    await watched.asleep('waiter');
    await held!.release();
    assert.deepEqual(woken, ['waiter']);
    assert.ok(await watched.acquire('googlemail.com', 'waiter'), 'the slot was kept for it');
  });

  test('a postponed job sleeps longer each time it finds its domain busy (a safety net: releases wake it), never over a minute', () => {
    const delay = (postponedBefore: number, failedAttempts = 0) => postponementDelayMs({ attemptsStarted: postponedBefore + failedAttempts + 1, attemptsMade: failedAttempts });
    for (let i = 0; i < 20; i++) {
      assert.ok(delay(0) >= 500 && delay(0) <= 1_000);
      assert.ok(delay(3) >= 4_000 && delay(3) <= 8_000);
      assert.ok(delay(3, 2) >= 4_000 && delay(3, 2) <= 8_000, 'failed attempts are not postponements');
      assert.ok(delay(40) >= 30_000 && delay(40) <= 60_000);
    }
  });

  test('slots are capped per domain, freed on release, and a leaked slot expires with its lease', async () => {
    const slots = createDomainSlots(redis, { prefix: prefix(), maxPerDomain: 2, leaseMs: 300, wake: async () => 'gone' });
    const a = await slots.acquire('gmail.example', 'w1');
    const b = await slots.acquire('gmail.example', 'w2');
    assert.ok(a && b);
    assert.equal(await slots.acquire('gmail.example', 'w3'), null, 'the third is refused');
    assert.ok(await slots.acquire('other.example', 'w4'), 'another domain has its own slots');
    await a.release();
    const c = await slots.acquire('gmail.example', 'w5');
    assert.ok(c, 'a released slot can be taken again');
    // b and c are never released, as by a killed worker: their leases run out.
    assert.equal(await slots.acquire('gmail.example', 'w6'), null);
    await new Promise((r) => setTimeout(r, 400));
    assert.ok(await slots.acquire('gmail.example', 'w7'), 'expired leases free their slots');
  });

  test('a batch group of slots takes what is free, and a group left without is woken by a release in this process', async () => {
    const slots = createDomainSlots(redis, { prefix: prefix(), maxPerDomain: 3, wake: async () => 'gone' });
    const a = slots.group('gmail.example');
    assert.equal(await a.fill(2), 2);
    const b = slots.group('gmail.example');
    assert.equal(await b.fill(5), 1, 'only what the cap leaves');
    const c = slots.group('gmail.example');
    assert.equal(await c.fill(1), 0);
    const before = Date.now();
    await c.released(80);
    assert.ok(Date.now() - before >= 70, 'without a release, it waits its time');
    const waiting = c.released(10_000);
    await a.release();
    await waiting;
    assert.ok(Date.now() - before < 2_000, 'woken by the release, not by its timer');
    assert.equal(await c.fill(2), 2, 'the freed slots can be taken');
    await b.release();
    await c.release();
  });

  // A batch's claim renews its slots and takes from the email rate in one script (fillWith).
  test('a group fills and takes from the email rate in one call, and takes nothing more once it holds enough', async () => {
    const p = prefix();
    const slots = createDomainSlots(redis, { prefix: p, maxPerDomain: 3, wake: async () => 'gone' });
    const rate = createEmailRate(redis, { prefix: p, perSecond: 5 });
    const other = slots.group('gmail.example');
    assert.equal(await other.fill(1), 1);
    const group = slots.group('gmail.example');
    const first = rate.takeCall(4);
    const [held, reply] = await group.fillWith(10, first.call);
    assert.equal(held, 2, 'what the cap leaves');
    assert.equal(first.grant(reply).granted, 4);
    const second = rate.takeCall(4);
    const [heldAfter, replyAfter] = await group.fillWith(2, second.call);
    assert.equal(heldAfter, 2, 'holding all it wants, it asks only for the rate');
    assert.equal(second.grant(replyAfter).granted, 1, 'the rest of this second');
    assert.equal(await redis.zcard(`${p}:smtp-domain:gmail.example`), 3, 'one holder per slot, the other group included');
    await group.release();
    await other.release();
    assert.equal(await redis.zcard(`${p}:smtp-domain:gmail.example`), 0);
  });

  test('refused senders wait in line and each release wakes the first of them', async () => {
    const woken: string[] = [];
    let awake = new Set<string>();
    const slots = createDomainSlots(redis, {
      prefix: prefix(),
      maxPerDomain: 1,
      wake: async (waiter) => (awake.has(waiter) ? 'awake' : (woken.push(waiter), 'woken')),
    });
    const held = await slots.acquire('gmail.example', 'first');
    assert.ok(held);
    for (const w of ['a', 'b', 'c']) {
      assert.equal(await slots.acquire('gmail.example', w), null);
      await slots.asleep(w);
    }
    assert.deepEqual(woken, [], 'no slot is free: nobody is woken');

    // "a" wakes by its own timer and is refused again; the slot frees before it is asleep: it
    // keeps its place, and is woken when it reports asleep.
    assert.equal(await slots.acquire('gmail.example', 'a'), null);
    awake = new Set(['a']);
    await held.release();
    assert.deepEqual(woken, []);
    awake = new Set();
    await slots.asleep('a');
    assert.deepEqual(woken, ['a'], 'refused twice, "a" is still first, and only once in line');

    const next = await slots.acquire('gmail.example', 'a');
    assert.ok(next);
    await next.release();
    assert.deepEqual(woken, ['a', 'b']);
  });

  test('the line goes by rank, then by arrival, and a freed slot is kept for the waiter it wakes', async () => {
    const woken: string[] = [];
    const slots = createDomainSlots(redis, { prefix: prefix(), maxPerDomain: 1, wake: async (waiter) => (woken.push(waiter), 'woken') });
    const held = await slots.acquire('gmail.example', 'running');
    assert.ok(held);
    for (const [waiter, rank] of [['bulk-a', 10], ['bulk-b', 10], ['single', 1]] as const) {
      assert.equal(await slots.acquire('gmail.example', waiter, rank), null);
      await slots.asleep(waiter);
    }
    await held.release();
    assert.deepEqual(woken, ['single'], 'the note approved on its own goes first, though it came last');
    assert.equal(await slots.acquire('gmail.example', 'newcomer', 10), null, 'the freed slot is reserved for the woken waiter');
    const mine = await slots.acquire('gmail.example', 'single', 1);
    assert.ok(mine, 'the woken waiter takes its reserved slot');
    await mine.release();
    assert.deepEqual(woken, ['single', 'bulk-a'], 'then the bulk waiters in the order they came');
  });

  test('a batch holding slots hands one to the line when someone waits there', async () => {
    const woken: string[] = [];
    const slots = createDomainSlots(redis, { prefix: prefix(), maxPerDomain: 2, wake: async (waiter) => (woken.push(waiter), 'woken') });
    const batch = slots.group('gmail.example');
    assert.equal(await batch.fill(10), 2);
    assert.equal(await slots.acquire('gmail.example', 'single', 1), null);
    await slots.asleep('single');
    assert.deepEqual(woken, [], 'both slots are the batch\'s');
    assert.equal(await batch.fill(10), 1, 'asking for more, the batch gives one up');
    assert.deepEqual(woken, ['single']);
    assert.equal(await batch.fill(10), 1, 'and cannot take it back while it is reserved');
    const mine = await slots.acquire('gmail.example', 'single', 1);
    assert.ok(mine);
    await mine.release();
    assert.equal(await batch.fill(10), 2, 'once the note is out, the batch has both again');
    await batch.release();
  });

  test('a bulk run to one domain keeps to the cap and does not hold up another domain', async () => {
    const sink = await startDomainCountingSink({ holdMs: 150 });
    const bulk: string[] = [];
    for (let i = 0; i < 12; i++) bulk.push(await approvedDelivery(i % 2 ? 'bulk-1' : 'bulk-2'));
    const other = await approvedDelivery('other-1');
    const worker = await startWorker(sink, { WORKER_CONCURRENCY: '6', SMTP_MAX_PER_DOMAIN: '2' });
    try {
      // The other domain's note is enqueued last, behind the whole bulk run, at the same priority.
      const started = Date.now();
      await enqueueDeliveries(prisma(), worker.rt.queues, bulk, { priority: 'bulk' });
      await enqueueDeliveries(prisma(), worker.rt.queues, [other], { priority: 'bulk' });
      await waitFor('all 13 emails', async () => sink.accepted.length >= 13, 30_000);
      // 6 rounds of 2 at 150 ms is ~1 s; waiting on timers alone (1 s, doubling) would take many.
      assert.ok(Date.now() - started < 5_000, `the capped domain's slots stayed busy (${Date.now() - started} ms)`);

      assert.equal(sink.maxInFlight('bulkmail.example'), 2, 'never more than 2 at once to bulkmail.example');
      const position = sink.accepted.findIndex((m) => m.deliveryId === other);
      assert.ok(position >= 0 && position < 6, `elsewhere.example went out ${position + 1}th of 13, not behind the bulk run`);

      // Postponed, never dropped or doubled: each delivery was claimed once and sent once.
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(sink.accepted.map((m) => m.deliveryId).sort(), [...bulk, other].sort());
      const rows = await prisma().delivery.findMany({ where: { id: { in: [...bulk, other] } } });
      assert.ok(rows.every((d) => d.status === 'sent' && d.attempts === 1), 'all sent, each on its first claim');
    } finally {
      await worker.close();
      await sink.close();
    }
  });

  test('bulk runs to gmail.com and googlemail.com at once keep to one cap between them', async () => {
    const sink = await startDomainCountingSink({ holdMs: 100, countAs: (domain) => (domain === 'googlemail.com' ? 'gmail.com' : domain) });
    const gmail: string[] = [];
    const googlemail: string[] = [];
    for (let i = 0; i < 6; i++) {
      gmail.push(await approvedDelivery('gmail-1'));
      googlemail.push(await approvedDelivery('googlemail-1'));
    }
    // 8 workers run two batches at once, one per recipient domain, each lane asking for the cap.
    const worker = await startWorker(sink, { WORKER_CONCURRENCY: '8', SMTP_MAX_PER_DOMAIN: '2' });
    try {
      await enqueueDeliveries(prisma(), worker.rt.queues, [...gmail, ...googlemail], { priority: 'bulk' });
      await waitFor('all 12 emails', async () => sink.accepted.length >= 12, 30_000);
      assert.equal(sink.maxInFlight('gmail.com'), 2, 'never more than 2 at once to Google');
      assert.deepEqual(sink.accepted.map((m) => m.deliveryId).sort(), [...gmail, ...googlemail].sort());
    } finally {
      await worker.close();
      await sink.close();
    }
  });

  test("a bulk run's batches each hold one mail provider: gmail.com and googlemail.com go together", async () => {
    const queues = createQueues(redis, prefix(), { emailBatchSize: 50, emailDomainKey: mailProviderOf() });
    try {
      const google = [await approvedDelivery('gmail-1'), await approvedDelivery('googlemail-1'), await approvedDelivery('gmail-1')];
      const other = await approvedDelivery('other-1');
      await enqueueDeliveries(prisma(), queues, [...google, other], { priority: 'bulk' });
      const batches = (await queues.queue('deliver-email-batch').getJobs(['prioritized', 'waiting'])).map((job) => [...(job.data as { deliveryIds: string[] }).deliveryIds].sort());
      assert.deepEqual(batches.sort((x, y) => y.length - x.length), [[...google].sort(), [other]]);
    } finally {
      await queues.close();
    }
  });

  test('an email to a domain at its cap waits in delayed without spending an attempt, then goes out', async () => {
    const sink = await startDomainCountingSink({ holdMs: 0 });
    const id = await approvedDelivery('other-1');
    const worker = await startWorker(sink, { WORKER_CONCURRENCY: '2', SMTP_MAX_PER_DOMAIN: '1' });
    const queue = worker.rt.queues.queue('deliver-email');
    // The test holds the only slot, as another worker process would, and wakes the line as it does.
    const blocker = createDomainSlots(redis, { prefix: worker.rt.config.redis.queuePrefix, maxPerDomain: 1, wake: (d) => wakeDelayedJob(queue, `deliver-${d}`) });
    const held = await blocker.acquire('elsewhere.example', 'the test');
    assert.ok(held, 'the test holds the only slot of elsewhere.example');
    try {
      await enqueueDeliveries(prisma(), worker.rt.queues, [id], { priority: 'single' });
      // Refused twice (its own timer woke it once): the second sleep is 1 to 2 s.
      const job = await waitFor('the job postponed twice', async () => {
        const j = await queue.getJob(`deliver-${id}`);
        return j && j.attemptsStarted === 2 && (await j.getState()) === 'delayed' ? j : null;
      });
      assert.equal(job.attemptsMade, 0, 'a postponement is not an attempt');
      assert.equal((await prisma().delivery.findUniqueOrThrow({ where: { id } })).status, 'queued', 'nothing was claimed');
      assert.equal(sink.accepted.length, 0);

      const releasedAt = Date.now();
      await held.release();
      await waitFor('the email once the slot is free', async () => sink.accepted.length === 1, 15_000);
      assert.ok(Date.now() - releasedAt < 900, `woken by the release, not by its own timer (${Date.now() - releasedAt} ms)`);
      const delivery = await waitFor('sent', () => prisma().delivery.findFirst({ where: { id, status: 'sent' } }));
      assert.equal(delivery.attempts, 1);
    } finally {
      await held.release();
      await worker.close();
      await sink.close();
    }
  });
});

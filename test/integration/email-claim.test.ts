import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { claimAndRecordEmails, claimEmailDelivery, emailSql, recordEmailSent, type EmailSent, type EmailSql } from '../../src/delivery/email-transitions.js';
import { deliverEmailBatch } from '../../src/delivery/send-email-batch.js';
import { deliverEmail, type EmailDeliveryDeps } from '../../src/delivery/send-email.js';
import { sentRecorder } from '../../src/delivery/sent-recorder.js';
import { createSmtpMailer } from '../../src/infra/mailer.js';
import { freshDatabase } from '../helpers/test-services.js';
import { approvedEmail } from '../helpers/approved-email.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';

// The claim and the "sent" record are one statement each: racing workers still send once, and the
// audit trail is what the per-row transactions used to write.
describe('one-statement email claim', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let mailer: ReturnType<typeof createSmtpMailer>;
  let n = 0;
  const prisma = () => database.db.prisma;

  before(async () => {
    database = await freshDatabase();
    smtp = await startSmtpSink();
    mailer = createSmtpMailer(smtp.url);
    await seedDemo(prisma());
  });
  after(async () => {
    await mailer?.close();
    await smtp?.close();
    await database?.drop();
  });

  const approvedDelivery = () => approvedEmail(prisma(), 'cust-1001', `claim-${++n}`);
  // As the worker runs it (prepared statements on the pool), and as tests without the pool do (through Prisma).
  const viaPool = (): EmailDeliveryDeps => ({ prisma: prisma(), pool: database.db.pool, mailer, mailFrom: 'notes@rapport.example' });
  const viaPrisma = (): EmailDeliveryDeps => ({ prisma: prisma(), mailer, mailFrom: 'notes@rapport.example' });
  const sentCopies = (deliveryId: string) => smtp.received.filter((m) => m.parsed.headers.get('x-rapport-delivery') === deliveryId).length;

  for (const [name, deps] of [['pool', viaPool], ['prisma', viaPrisma]] as const) {
    test(`two workers racing for one delivery send it once (${name})`, async () => {
      for (let round = 0; round < 5; round++) {
        const { deliveryId } = await approvedDelivery();
        const outcomes = await Promise.all([deliverEmail(deps(), deliveryId), deliverEmail(deps(), deliveryId), deliverEmail(viaPrisma(), deliveryId)]);
        assert.deepEqual(outcomes.sort(), ['sent', 'skipped', 'skipped']);
        assert.equal(sentCopies(deliveryId), 1);
        const delivery = await prisma().delivery.findUniqueOrThrow({ where: { id: deliveryId } });
        assert.equal(delivery.status, 'sent');
        assert.equal(delivery.attempts, 1);
      }
    });
  }

  test('the audit trail and the columns are those the transactions wrote', async () => {
    const ids = await approvedDelivery();
    const before = new Date();
    assert.equal(await deliverEmail(viaPool(), ids.deliveryId), 'sent');
    const delivery = await prisma().delivery.findUniqueOrThrow({ where: { id: ids.deliveryId } });
    assert.equal(delivery.status, 'sent');
    assert.match(delivery.response ?? '', /^250/);
    assert.equal(delivery.lastError, null);
    assert.ok(delivery.claimedAt && delivery.claimedAt >= new Date(before.getTime() - 1_000));
    assert.ok(delivery.sentAt && delivery.claimedAt && delivery.sentAt >= delivery.claimedAt);
    assert.ok(delivery.updatedAt >= delivery.claimedAt);
    assert.equal((await prisma().suggestion.findUniqueOrThrow({ where: { id: ids.suggestionId } })).status, 'sent');

    const entries = await prisma().auditEntry.findMany({ where: { entityId: { in: [ids.deliveryId, ids.suggestionId] } }, orderBy: { id: 'asc' } });
    const pick = (e: (typeof entries)[number]) => ({ actorType: e.actorType, actorId: e.actorId, entityType: e.entityType, action: e.action, fromStatus: e.fromStatus, toStatus: e.toStatus, reason: e.reason });
    const system = { actorType: 'system', actorId: null, reason: null };
    assert.deepEqual(entries.slice(-3).map(pick), [
      { ...system, entityType: 'delivery', action: 'delivery.sending', fromStatus: 'queued', toStatus: 'sending' },
      { ...system, entityType: 'delivery', action: 'delivery.sent', fromStatus: 'sending', toStatus: 'sent' },
      { ...system, entityType: 'suggestion', action: 'suggestion.sent', fromStatus: 'scheduled', toStatus: 'sent' },
    ]);
    assert.deepEqual(entries.at(-2)?.data, { messageId: delivery.messageId, response: delivery.response });
    assert.equal(entries.at(-1)?.data, null);
  });

  test('"sent" is recorded only from a status the suggestion lifecycle allows, all or nothing', async () => {
    const ids = await approvedDelivery();
    // The delivery is mid-send while someone (or a bug) moves the suggestion to a final status.
    await prisma().delivery.update({ where: { id: ids.deliveryId }, data: { status: 'sending' } });
    await prisma().suggestion.update({ where: { id: ids.suggestionId }, data: { status: 'expired' } });
    const auditBefore = await prisma().auditEntry.count();
    const sql = emailSql(prisma(), database.db.pool);
    await assert.rejects(
      recordEmailSent(sql, { deliveryId: ids.deliveryId, suggestionId: ids.suggestionId, messageId: '<x@rapport.local>', response: '250 ok', now: new Date() }),
      (err: Error & { code?: string }) => err.code === 'RAPPORT_SUGGESTION_ILLEGAL_TRANSITION' && /expired/.test(err.message),
    );
    assert.equal((await prisma().delivery.findUniqueOrThrow({ where: { id: ids.deliveryId } })).status, 'sending', 'the delivery is unchanged');
    assert.equal(await prisma().auditEntry.count(), auditBefore, 'no audit entry for a change that did not happen');

    // A delivery no longer sending (failed meanwhile by the reconciler) is not turned into sent either.
    await prisma().delivery.update({ where: { id: ids.deliveryId }, data: { status: 'failed' } });
    await prisma().suggestion.update({ where: { id: ids.suggestionId }, data: { status: 'scheduled' } });
    await assert.rejects(recordEmailSent(sql, { deliveryId: ids.deliveryId, suggestionId: ids.suggestionId, messageId: '<x@rapport.local>', response: '250 ok', now: new Date() }), /no longer sending/);
    assert.equal((await prisma().suggestion.findUniqueOrThrow({ where: { id: ids.suggestionId } })).status, 'scheduled');
    assert.equal(await prisma().auditEntry.count(), auditBefore);
  });

  test('an opted-out customer is suppressed, not claimed, with the suppression audit', async () => {
    const ids = await approvedDelivery();
    await prisma().customer.update({ where: { externalId: 'cust-1001' }, data: { doNotContact: true } });
    try {
      assert.equal(await deliverEmail(viaPool(), ids.deliveryId), 'suppressed');
    } finally {
      await prisma().customer.update({ where: { externalId: 'cust-1001' }, data: { doNotContact: false } });
    }
    const delivery = await prisma().delivery.findUniqueOrThrow({ where: { id: ids.deliveryId } });
    assert.equal(delivery.status, 'failed');
    assert.equal(delivery.attempts, 0);
    assert.equal(delivery.lastError, 'suppressed: do not contact');
    const actions = (await prisma().auditEntry.findMany({ where: { entityId: { in: [ids.deliveryId, ids.suggestionId] } }, orderBy: { id: 'asc' } })).map((e) => e.action);
    assert.deepEqual(actions.slice(-2), ['delivery.suppressed', 'suggestion.suppressed']);
    assert.equal(sentCopies(ids.deliveryId), 0);
  });

  for (const via of ['pool', 'prisma'] as const) {
    test(`a batch's next claim records its accepted sends in the same statement, each send all or nothing (${via})`, async () => {
      const sql = emailSql(prisma(), via === 'pool' ? database.db.pool : undefined);
      const now = new Date();
      // Two deliveries the lane sent (claimed, accepted by the server), one it claims next.
      const sentA = await approvedDelivery();
      const sentB = await approvedDelivery();
      const next = await approvedDelivery();
      const claimA = await claimEmailDelivery(sql, sentA.deliveryId, now);
      const claimB = await claimEmailDelivery(sql, sentB.deliveryId, now);
      assert.ok(claimA && claimB);
      // Meanwhile B's suggestion went to a status it may not leave for `sent`.
      await prisma().suggestion.update({ where: { id: sentB.suggestionId }, data: { status: 'expired' } });
      const send = (c: typeof claimA) => ({ deliveryId: c.id, suggestionId: c.suggestionId, messageId: c.messageId, response: '250 2.0.0 accepted' });

      const { claims, refused } = await claimAndRecordEmails(sql, [next.deliveryId], [send(claimA), send(claimB)], now);

      assert.deepEqual(claims.map((c) => [c.id, c.suggestionId, c.blockedBy]), [[next.deliveryId, next.suggestionId, null]]);
      assert.equal(claims[0]?.customerEmail, (await prisma().customer.findUniqueOrThrow({ where: { externalId: 'cust-1001' } })).email, 'the claim carries what the message is built from');
      assert.deepEqual(refused.map((r) => [r.deliveryId, (r.error as Error & { code?: string }).code]), [[sentB.deliveryId, 'RAPPORT_SUGGESTION_ILLEGAL_TRANSITION']]);
      const status = async (id: string) => (await prisma().delivery.findUniqueOrThrow({ where: { id } })).status;
      assert.equal(await status(sentA.deliveryId), 'sent');
      assert.equal(await status(sentB.deliveryId), 'sending', 'a refused send changes nothing');
      assert.equal(await status(next.deliveryId), 'sending');
      const actions = async (id: string) => (await prisma().auditEntry.findMany({ where: { entityId: id }, orderBy: { id: 'asc' } })).map((e) => e.action);
      assert.deepEqual((await actions(sentA.deliveryId)).slice(-2), ['delivery.sending', 'delivery.sent']);
      assert.deepEqual((await actions(sentA.suggestionId)).slice(-1), ['suggestion.sent']);
      assert.deepEqual((await actions(sentB.deliveryId)).slice(-1), ['delivery.sending']);
      assert.deepEqual((await actions(next.deliveryId)).slice(-1), ['delivery.sending']);
      assert.deepEqual(await claimAndRecordEmails(sql, [next.deliveryId], [], now), { claims: [], refused: [] }, 'claimed once');
    });
  }

  test('a claim that fails gives back the sends riding in it: they are recorded on their own, nothing is left sending', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await approvedDelivery()).deliveryId);
    // The second claim that carries sends fails, as a statement PostgreSQL picks as a deadlock victim would.
    let carrying = 0;
    const pool = database.db.pool;
    const failing = {
      query: (config: { name?: string }, ...rest: unknown[]) =>
        config.name === 'rapport-claim-emails-record-sent' && ++carrying === 2 ? Promise.reject(new Error('deadlock detected')) : (pool.query as (...args: unknown[]) => unknown)(config, ...rest),
    } as unknown as pg.Pool;
    await assert.rejects(deliverEmailBatch({ ...viaPool(), pool: failing, parallelWithoutSlots: 2 }, ids), /deadlock detected/);
    assert.equal(carrying, 2);
    const deliveries = await prisma().delivery.findMany({ where: { id: { in: ids } } });
    const sent = deliveries.filter((d) => d.status === 'sent');
    assert.deepEqual(deliveries.filter((d) => d.status !== 'sent' && d.status !== 'queued'), [], 'none left sending');
    assert.ok(sent.length >= 4 && sent.length < ids.length, `sent before the failure: ${sent.length}`);
    for (const d of deliveries) assert.equal(sentCopies(d.id), d.status === 'sent' ? 1 : 0, 'accepted by the server exactly when recorded as sent');
  });

  // A lane's last sends have no claim to ride: they wait for one another, and the lane's end
  // records what is left at once (mock timers: the window is 25 ms to the tick, not "about").
  test('sends with no claim to ride wait 25 ms to share a statement, and the lane\'s end records the rest at once', async (t) => {
    const sql = emailSql(prisma(), database.db.pool);
    const sends: EmailSent[] = [];
    for (let i = 0; i < 3; i++) {
      const claim = await claimEmailDelivery(sql, (await approvedDelivery()).deliveryId, new Date());
      assert.ok(claim);
      sends.push({ deliveryId: claim.id, suggestionId: claim.suggestionId, messageId: claim.messageId, response: '250 2.0.0 Ok' });
    }
    const statements: number[] = []; // sends per "sent" statement
    const counted: EmailSql = {
      run: (statement, values) => {
        statements.push((values[0] as unknown[]).length);
        return sql.run(statement, values);
      },
    };
    const report = { sent: 0 };
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const recorder = sentRecorder(counted, report);
    recorder.add(sends[0]!);
    t.mock.timers.tick(10);
    recorder.add(sends[1]!);
    t.mock.timers.tick(14);
    assert.deepEqual(statements, [], 'still waiting 24 ms after the first');
    t.mock.timers.tick(1);
    assert.deepEqual(statements, [2], 'both in one statement at 25 ms');
    t.mock.timers.reset();
    recorder.add(sends[2]!);
    await recorder.idle();
    assert.deepEqual(statements, [2, 1]);
    assert.equal(report.sent, 3);
    const recorded = await prisma().delivery.findMany({ where: { id: { in: sends.map((s) => s.deliveryId) } } });
    assert.deepEqual(recorded.map((d) => d.status), ['sent', 'sent', 'sent']);
  });
});

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { emailSql, recordEmailSent } from '../../src/delivery/email-transitions.js';
import { deliverEmail, type EmailDeliveryDeps } from '../../src/delivery/send-email.js';
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
});

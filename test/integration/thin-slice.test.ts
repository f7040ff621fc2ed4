import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRapport, type Rapport } from '../../src/main.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { freshDatabase, silentLogger, testConfig, waitFor } from '../helpers/test-services.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';

// The walking skeleton end to end on real parts: a purchase event becomes a drafted thank-you
// note, an account manager approves an edited version, and it arrives on a real SMTP server.
describe('thin slice: event → suggestion → approval → email', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let rapport: Rapport;
  let token: string;
  const api = (method: 'GET' | 'POST', url: string, body?: unknown, auth = `Bearer ${token}`) =>
    rapport.app!.inject({ method, url, headers: { authorization: auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });

  before(async () => {
    database = await freshDatabase();
    smtp = await startSmtpSink();
    rapport = await startRapport(testConfig({ DATABASE_URL: database.url, SMTP_URL: smtp.url, MAIL_FROM: 'notes@rapport.example' }), silentLogger());
    ({ token } = await seedDemo(database.db.prisma));
  });
  after(async () => {
    await rapport?.close();
    await smtp?.close();
    await database?.drop();
  });

  test('GET /healthz reports the database and Redis', async () => {
    const res = await rapport.app!.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok', checks: { database: 'ok', redis: 'ok' } });
  });

  test('the slice works and every state change is audited', async () => {
    const created = await api('POST', '/api/v1/customers', {
      externalId: 'shop-42', name: 'Linh Pham', firstName: 'Linh', email: 'linh@example.com',
      locale: 'en-GB', timeZone: 'Asia/Ho_Chi_Minh', owner: 'mai.nguyen@rapport.example',
    });
    assert.equal(created.statusCode, 201, created.body);
    const customerId = created.json().customer.id as string;
    const updated = await api('POST', '/api/v1/customers', { externalId: 'shop-42', name: 'Linh Pham', firstName: 'Linh', email: 'linh@example.com', locale: 'en-GB', timeZone: 'Asia/Ho_Chi_Minh', owner: 'mai.nguyen@rapport.example' });
    assert.equal(updated.statusCode, 200);
    assert.equal(updated.json().customer.id, customerId, 'an upsert by externalId keeps the customer');

    const event = { type: 'purchase', externalId: 'shop-42', occurredAt: '2026-11-20T09:30:00+07:00', idempotencyKey: 'order-9001', data: { product: 'Aurora desk lamp', total: 129 } };
    const first = await api('POST', '/api/v1/events', event);
    assert.equal(first.statusCode, 202, first.body);
    const again = await api('POST', '/api/v1/events', event);
    assert.equal(again.statusCode, 202);
    assert.equal(again.json().id, first.json().id, 'a repeated idempotency key returns the original event');
    assert.equal(again.json().duplicate, true);
    assert.equal(await database.db.prisma.customerEvent.count(), 1);

    const pending = await waitFor('a pending suggestion', async () => {
      const res = await api('GET', '/api/v1/suggestions?status=pending_approval');
      return res.json().suggestions.find((s: { customerId: string }) => s.customerId === customerId);
    });
    assert.match(pending.subject, /Linh/);
    assert.match(pending.body, /^Dear Linh,/);
    assert.match(pending.body, /Aurora desk lamp/);
    assert.match(pending.body, /Mai Nguyen/, 'signed by the account owner');
    assert.equal(pending.locale, 'en', 'en-GB falls back to the en template');
    const mai = await database.db.prisma.user.findUniqueOrThrow({ where: { email: 'mai.nguyen@rapport.example' } });
    assert.equal(pending.assigneeId, mai.id, 'assigned to the account owner');

    const editedBody = 'Dear Linh,\n\nThank you for the Aurora desk lamp — I hope it lights up many late evenings.\n\nMai';
    const approved = await api('POST', `/api/v1/suggestions/${pending.id}/approve`, { body: editedBody });
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal(approved.json().suggestion.status, 'scheduled');
    assert.equal(approved.json().suggestion.draft.body, pending.body, 'the original draft is kept beside the edit');

    const mail = await waitFor('the email', async () => smtp.received.find((m) => m.envelope.to.includes('linh@example.com')));
    const sent = await waitFor('status sent', async () => {
      const res = await api('GET', `/api/v1/suggestions/${pending.id}`);
      return res.json().suggestion.status === 'sent' ? res.json().suggestion : null;
    });
    assert.equal(mail.parsed.messageId, sent.delivery.messageId);
    assert.match(sent.delivery.response, /^250/);
    assert.equal(mail.parsed.subject, pending.subject);
    assert.equal(mail.parsed.from?.value[0]?.address, 'notes@rapport.example');
    assert.equal(mail.parsed.replyTo?.value[0]?.address, 'mai.nguyen@rapport.example');
    assert.equal(mail.parsed.text?.trim(), editedBody);
    assert.match(String(mail.parsed.html), /lights up many late evenings/);
    assert.equal(mail.parsed.headers.get('x-rapport-delivery'), sent.delivery.id);

    const audit = await database.db.prisma.auditEntry.findMany({ where: { entityId: pending.id }, orderBy: { id: 'asc' } });
    assert.deepEqual(audit.map((a) => [a.fromStatus, a.toStatus]), [
      [null, 'pending_approval'],
      ['pending_approval', 'approved'],
      ['approved', 'scheduled'],
      ['scheduled', 'sent'],
    ]);
    const deliveryAudit = await database.db.prisma.auditEntry.findMany({ where: { entityId: sent.delivery.id }, orderBy: { id: 'asc' } });
    assert.deepEqual(deliveryAudit.map((a) => a.action), ['delivery.queued', 'delivery.sending', 'delivery.sent']);

    // Approving again is refused and changes nothing.
    const twice = await api('POST', `/api/v1/suggestions/${pending.id}/approve`, {});
    assert.equal(twice.statusCode, 409);
    assert.equal(twice.json().error.code, 'RAPPORT_SUGGESTION_ILLEGAL_TRANSITION');
    assert.equal(smtp.received.length, 1);
  });
});

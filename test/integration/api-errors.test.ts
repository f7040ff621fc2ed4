import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRapport, type Rapport } from '../../src/main.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { freshDatabase, silentLogger, testConfig, waitFor } from '../helpers/test-services.js';

// Bad input at every step gets a clear 4xx naming the problem, and changes nothing.
describe('API errors', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let rapport: Rapport;
  let token: string;
  const inject = (method: 'GET' | 'POST', url: string, opts: { body?: string; auth?: string | null; contentType?: string } = {}) =>
    rapport.app!.inject({
      method,
      url,
      headers: {
        ...(opts.auth === null ? {} : { authorization: opts.auth ?? `Bearer ${token}` }),
        ...(opts.body !== undefined ? { 'content-type': opts.contentType ?? 'application/json' } : {}),
      },
      ...(opts.body !== undefined ? { payload: opts.body } : {}),
    });
  const post = (url: string, body: unknown) => inject('POST', url, { body: JSON.stringify(body) });
  const counts = async () => {
    const p = database.db.prisma;
    return { customers: await p.customer.count(), events: await p.customerEvent.count(), suggestions: await p.suggestion.count(), deliveries: await p.delivery.count() };
  };
  const validEvent = { type: 'purchase', externalId: 'cust-1001', occurredAt: '2026-11-20T10:00:00Z', idempotencyKey: 'k-1', data: { product: 'Pencil' } };

  before(async () => {
    database = await freshDatabase();
    rapport = await startRapport(testConfig({ DATABASE_URL: database.url }), silentLogger(), { workers: false });
    ({ token } = await seedDemo(database.db.prisma));
  });
  after(async () => {
    await rapport?.close();
    await database?.drop();
  });

  test('authentication: missing, malformed and unknown tokens are 401 and change nothing', async () => {
    const before = await counts();
    for (const auth of [null, 'Basic abc', 'Bearer rpt_not-a-real-token']) {
      const res = inject('POST', '/api/v1/events', { body: JSON.stringify(validEvent), auth });
      const r = await res;
      assert.equal(r.statusCode, 401, `auth ${auth}`);
      assert.equal(r.json().error.code, 'RAPPORT_UNAUTHENTICATED');
      assert.equal(r.json().error.field, 'Authorization');
    }
    assert.deepEqual(await counts(), before);
  });

  test('revoked tokens are refused', async () => {
    const { createApiToken } = await import('../../src/auth/api-tokens.js');
    const { secret, id } = await createApiToken(database.db.prisma, { name: 'revoke-me' });
    assert.equal((await inject('GET', '/api/v1/suggestions', { auth: `Bearer ${secret}` })).statusCode, 200);
    await database.db.prisma.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    assert.equal((await inject('GET', '/api/v1/suggestions', { auth: `Bearer ${secret}` })).statusCode, 401);
  });

  test('malformed JSON is 400 RAPPORT_MALFORMED_JSON', async () => {
    const res = await inject('POST', '/api/v1/events', { body: '{"type": "purchase",' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'RAPPORT_MALFORMED_JSON');
    assert.match(res.json().error.message, /not valid JSON/);
  });

  test('missing and wrong fields are 422 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ ...validEvent, idempotencyKey: undefined }, 'idempotencyKey'],
      [{ ...validEvent, type: 'birthday-party' }, 'type'],
      [{ ...validEvent, occurredAt: 'yesterday' }, 'occurredAt'],
      [{ ...validEvent, externalId: undefined }, 'customerId'],
      [{ ...validEvent, customerId: 'not-a-uuid', externalId: undefined }, 'customerId'],
      [{ ...validEvent, data: [1, 2] }, 'data'],
      [{ ...validEvent, surprise: true }, '(body)'],
    ];
    const before = await counts();
    for (const [body, field] of cases) {
      const res = await post('/api/v1/events', body);
      assert.equal(res.statusCode, 422, JSON.stringify(body));
      assert.equal(res.json().error.code, 'RAPPORT_VALIDATION');
      assert.equal(res.json().error.field, field, JSON.stringify(res.json()));
      assert.ok(res.json().error.message.length > 10);
    }
    const badCustomer = await post('/api/v1/customers', { externalId: 'x', name: 'X', email: 'not-an-email', timeZone: 'Mars/Olympus' });
    assert.equal(badCustomer.statusCode, 422);
    assert.deepEqual(badCustomer.json().error.issues.map((i: { field: string }) => i.field).sort(), ['email', 'timeZone']);
    assert.deepEqual(await counts(), before);
  });

  test('an unknown customer is 422 and stores no event', async () => {
    const before = await counts();
    const res = await post('/api/v1/events', { ...validEvent, externalId: 'nobody', idempotencyKey: 'k-unknown' });
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().error.code, 'RAPPORT_CUSTOMER_NOT_FOUND');
    assert.equal(res.json().error.field, 'externalId');
    const byId = await post('/api/v1/events', { ...validEvent, externalId: undefined, customerId: '00000000-0000-4000-8000-000000000000', idempotencyKey: 'k-unknown-2' });
    assert.equal(byId.statusCode, 422);
    assert.equal(byId.json().error.field, 'customerId');
    assert.deepEqual(await counts(), before);
  });

  test('an unknown owner is 422 and the customer is not written', async () => {
    const before = await counts();
    const res = await post('/api/v1/customers', { externalId: 'new-1', name: 'New Person', owner: 'ghost@rapport.example' });
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().error.code, 'RAPPORT_OWNER_NOT_FOUND');
    assert.deepEqual(await counts(), before);
  });

  test('an idempotency key reused for another customer is a 409 conflict', async () => {
    assert.equal((await post('/api/v1/events', { ...validEvent, idempotencyKey: 'shared' })).statusCode, 202);
    const res = await post('/api/v1/events', { ...validEvent, externalId: 'cust-1002', idempotencyKey: 'shared' });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().error.code, 'RAPPORT_IDEMPOTENCY_CONFLICT');
    assert.equal(res.json().error.field, 'idempotencyKey');
  });

  test('concurrent requests with one idempotency key store one event', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => post('/api/v1/events', { ...validEvent, idempotencyKey: 'race' })));
    assert.ok(results.every((r) => r.statusCode === 202), results.map((r) => r.body).join('\n'));
    assert.equal(new Set(results.map((r) => r.json().id)).size, 1);
    assert.equal(await database.db.prisma.customerEvent.count({ where: { idempotencyKey: 'race' } }), 1);
  });

  test('suggestions: unknown id is 404, a bad id 422, a bad status filter 422', async () => {
    const unknown = await post('/api/v1/suggestions/00000000-0000-4000-8000-000000000000/approve', {});
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.code, 'RAPPORT_SUGGESTION_NOT_FOUND');
    const badId = await post('/api/v1/suggestions/42/approve', {});
    assert.equal(badId.statusCode, 422);
    assert.equal(badId.json().error.field, 'path.id');
    const badStatus = await inject('GET', '/api/v1/suggestions?status=maybe');
    assert.equal(badStatus.statusCode, 422);
    assert.equal(badStatus.json().error.field, 'query.status');
    const route = await inject('GET', '/api/v1/nothing-here');
    assert.equal(route.statusCode, 404);
    assert.equal(route.json().error.code, 'RAPPORT_NOT_FOUND');
  });

  test('approve twice, reject after approve and empty edits are refused without side effects', async () => {
    // Workers are off in this file, so evaluate the event directly through the domain function.
    const { evaluateEvent } = await import('../../src/triggers/evaluate-event.js');
    const ev = await post('/api/v1/events', { ...validEvent, idempotencyKey: 'for-approval' });
    await evaluateEvent({ prisma: database.db.prisma, templates: rapport.runtime.templates, frequencyCapDays: 0 }, ev.json().id);
    const suggestion = await waitFor('suggestion', () => database.db.prisma.suggestion.findFirst({ where: { eventId: ev.json().id } }));

    const emptyEdit = await post(`/api/v1/suggestions/${suggestion.id}/approve`, { body: '   ' });
    assert.equal(emptyEdit.statusCode, 422);
    assert.equal(emptyEdit.json().error.field, 'body');
    const noReason = await post(`/api/v1/suggestions/${suggestion.id}/reject`, {});
    assert.equal(noReason.statusCode, 422);
    assert.equal(noReason.json().error.field, 'reason');
    assert.equal((await database.db.prisma.suggestion.findUniqueOrThrow({ where: { id: suggestion.id } })).status, 'pending_approval');

    assert.equal((await post(`/api/v1/suggestions/${suggestion.id}/approve`, {})).statusCode, 200);
    const deliveriesAfterFirst = await database.db.prisma.delivery.count();
    const auditAfterFirst = await database.db.prisma.auditEntry.count();
    const second = await post(`/api/v1/suggestions/${suggestion.id}/approve`, {});
    assert.equal(second.statusCode, 409);
    assert.match(second.json().error.message, /is scheduled; it cannot become approved/);
    const reject = await post(`/api/v1/suggestions/${suggestion.id}/reject`, { reason: 'changed my mind' });
    assert.equal(reject.statusCode, 409);
    assert.equal(await database.db.prisma.delivery.count(), deliveriesAfterFirst);
    assert.equal(await database.db.prisma.auditEntry.count(), auditAfterFirst);
  });

  test('concurrent approvals: exactly one wins', async () => {
    const { evaluateEvent } = await import('../../src/triggers/evaluate-event.js');
    const ev = await post('/api/v1/events', { ...validEvent, idempotencyKey: 'for-race' });
    await evaluateEvent({ prisma: database.db.prisma, templates: rapport.runtime.templates, frequencyCapDays: 0 }, ev.json().id);
    const suggestion = await database.db.prisma.suggestion.findFirstOrThrow({ where: { eventId: ev.json().id } });
    const results = await Promise.all(Array.from({ length: 5 }, () => post(`/api/v1/suggestions/${suggestion.id}/approve`, {})));
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 409, 409, 409, 409]);
    assert.equal(await database.db.prisma.delivery.count({ where: { suggestionId: suggestion.id } }), 1);
  });
});

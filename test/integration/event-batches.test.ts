import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OWNER_EMAIL, startApiHarness, type ApiHarness } from '../helpers/api-harness.js';

interface Result {
  index: number;
  status: string;
  id?: string;
  error?: { code: string; message: string; field: string };
}

// Batches keep every valid item, reject each invalid one by index and field, and never leave an
// item half-written; single upserts racing on one externalId never fail.
describe('batch upserts and events', () => {
  let api: ApiHarness;
  const prisma = () => api.database.db.prisma;
  const results = (body: string) => (JSON.parse(body) as { results: Result[] }).results;

  before(async () => {
    api = await startApiHarness();
  });
  after(async () => api?.close());

  test('customers: valid items are kept, invalid ones named by index and field, nothing half-written', async () => {
    const res = await api.post('/api/v1/customers/batch', {
      customers: [
        { externalId: 'b-1', name: 'Nguyễn Văn An', email: 'an@example.vn', owner: OWNER_EMAIL, account: { externalId: 'acct-b', name: 'Bình Minh Co' } },
        { externalId: 'b-2', name: 'Bad Email', email: 'not-an-email' },
        { externalId: 'b-3', name: 'Ghost Owned', owner: 'ghost@rapport.example', account: { externalId: 'acct-ghost', name: 'Ghost Co' } },
        { externalId: 'b-1', name: 'Nguyễn Văn An (updated)', locale: 'vi-VN' },
        42,
        { externalId: 'b-5', name: 'Nick', nickname: 'n' },
        { externalId: 'b-6', name: 'Rich', lifetimeValue: 1e15 },
        { externalId: 'b-7', name: 'สมชาย ใจดี', locale: 'th', timeZone: 'Asia/Bangkok' },
      ],
    });
    assert.equal(res.statusCode, 200, res.body);
    const r = results(res.body);
    assert.deepEqual(r.map((x) => x.index), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(r.map((x) => x.status), ['created', 'rejected', 'rejected', 'updated', 'rejected', 'rejected', 'rejected', 'created']);
    assert.deepEqual(r.map((x) => x.error?.field ?? null), [null, 'customers[1].email', 'customers[2].owner', null, 'customers[4]', 'customers[5]', 'customers[6].lifetimeValue', null]);
    assert.equal(r[1]!.error!.code, 'RAPPORT_VALIDATION');
    assert.match(r[1]!.error!.message, /customers\[1\]\.email: expected an email address/);
    assert.equal(r[2]!.error!.code, 'RAPPORT_OWNER_NOT_FOUND');
    assert.match(r[5]!.error!.message, /nickname/);

    // The same externalId twice keeps batch order: the later item wins.
    const b1 = await prisma().customer.findUniqueOrThrow({ where: { externalId: 'b-1' } });
    assert.equal(r[0]!.id, b1.id);
    assert.equal(r[3]!.id, b1.id);
    assert.equal(b1.name, 'Nguyễn Văn An (updated)');
    assert.equal(b1.locale, 'vi-VN');
    assert.equal((await prisma().customer.findUniqueOrThrow({ where: { externalId: 'b-7' } })).name, 'สมชาย ใจดี');
    // Rejected items left nothing: no customer, no account of theirs, no audit entry.
    assert.deepEqual((await prisma().customer.findMany({ select: { externalId: true }, orderBy: { externalId: 'asc' } })).map((c) => c.externalId), ['b-1', 'b-7']);
    assert.equal(await prisma().account.count({ where: { externalId: 'acct-ghost' } }), 0);
    assert.equal(await prisma().auditEntry.count({ where: { entityType: 'customer' } }), 3);
  });

  test('accounts: the same per-item results', async () => {
    const res = await api.post('/api/v1/accounts/batch', {
      accounts: [
        { externalId: 'acct-1', name: 'شرکت پارس', locale: 'fa', domain: 'pars.example' },
        { externalId: 'acct-2', name: 'Broken', domain: 'not a domain' },
        { externalId: 'acct-1', name: 'شرکت پارس', aliases: ['Pars Co'] },
      ],
    });
    assert.equal(res.statusCode, 200, res.body);
    const r = results(res.body);
    assert.deepEqual(r.map((x) => x.status), ['created', 'rejected', 'updated']);
    assert.equal(r[1]!.error!.field, 'accounts[1].domain');
    const acct = await prisma().account.findUniqueOrThrow({ where: { externalId: 'acct-1' } });
    assert.equal(acct.name, 'شرکت پارس');
    assert.deepEqual(acct.aliases, ['Pars Co']);
    assert.equal(await prisma().account.count({ where: { externalId: 'acct-2' } }), 0);
  });

  test('events: created, duplicate (original id) and rejected per item; created ones are enqueued', async () => {
    const event = (over: Record<string, unknown>) => ({ type: 'purchase', externalId: 'b-1', occurredAt: '2026-11-20T10:00:00+07:00', data: { total: 120 }, ...over });
    const res = await api.post('/api/v1/events/batch', {
      events: [
        event({ idempotencyKey: 'e-1' }),
        event({ idempotencyKey: 'e-1' }),
        event({ idempotencyKey: 'e-2', externalId: 'nobody' }),
        event({ idempotencyKey: 'e-3', type: 'birthday-party' }),
        event({ idempotencyKey: 'e-4', data: { total: '120' } }),
        event({ idempotencyKey: undefined }),
        event({ idempotencyKey: 'e-6', type: 'nps_response', data: { score: 11 } }),
        event({ idempotencyKey: 'e-7', type: 'complaint', data: { text: 'late' } }),
      ],
    });
    assert.equal(res.statusCode, 200, res.body);
    const r = results(res.body);
    assert.deepEqual(r.map((x) => x.status), ['created', 'duplicate', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'created']);
    assert.equal(r[1]!.id, r[0]!.id);
    assert.deepEqual(r.map((x) => x.error?.field ?? null), [null, null, 'events[2].externalId', 'events[3].type', 'events[4].data.total', 'events[5].idempotencyKey', 'events[6].data.score', null]);
    assert.equal(r[2]!.error!.code, 'RAPPORT_CUSTOMER_NOT_FOUND');
    assert.match(r[3]!.error!.message, /unknown event type "birthday-party".*purchase/);
    assert.match(r[4]!.error!.message, /events\[4\]\.data\.total: must be number/);

    const stored = await prisma().customerEvent.findMany({ orderBy: { idempotencyKey: 'asc' } });
    assert.deepEqual(stored.map((e) => e.idempotencyKey), ['e-1', 'e-7']);
    const queue = api.rapport.runtime.queues.queue('evaluate-event');
    for (const e of stored) assert.ok(await queue.getJob(`event-${e.id}`), `evaluate-event enqueued for ${e.idempotencyKey}`);

    // The whole batch again: nothing new, every stored one a duplicate with its original id.
    const again = results((await api.post('/api/v1/events/batch', { events: [event({ idempotencyKey: 'e-7', type: 'complaint', data: { text: 'late' } })] })).body);
    assert.deepEqual(again, [{ index: 0, status: 'duplicate', id: r[7]!.id }]);
    assert.equal(await prisma().customerEvent.count(), 2);
  });

  test('a batch of 1000 items (over 1 MiB) is accepted; 1001 are refused with 413 and nothing is written', async () => {
    const tags = Array.from({ length: 25 }, (_, i) => `tag-${i}-${'x'.repeat(40)}`);
    const customers = Array.from({ length: 1000 }, (_, i) => ({ externalId: `bulk-${i}`, name: `Bulk ${i}`, tags }));
    const body = JSON.stringify({ customers });
    assert.ok(body.length > 1024 * 1024, 'the batch is larger than a single request may be');
    const ok = await api.post('/api/v1/customers/batch', body);
    assert.equal(ok.statusCode, 200, ok.body.slice(0, 500));
    assert.equal(results(ok.body).filter((x) => x.status === 'created').length, 1000);

    const before = await prisma().customer.count();
    const tooMany = await api.post('/api/v1/customers/batch', { customers: Array.from({ length: 1001 }, (_, i) => ({ externalId: `over-${i}`, name: 'Over' })) });
    assert.equal(tooMany.statusCode, 413);
    assert.equal(tooMany.json().error.code, 'RAPPORT_BATCH_TOO_LARGE');
    assert.equal(tooMany.json().error.field, 'customers');
    assert.match(tooMany.json().error.message, /1001 items; a batch holds at most 1000/);
    const events = await api.post('/api/v1/events/batch', { events: Array.from({ length: 1001 }, () => ({})) });
    assert.equal(events.statusCode, 413);
    assert.equal(await prisma().customer.count(), before);
  });

  test('a malformed batch envelope is a clear 4xx', async () => {
    const cases: [unknown, number, string][] = [
      [{}, 422, 'customers'],
      [{ customers: [] }, 422, 'customers'],
      [{ customers: { externalId: 'x' } }, 422, 'customers'],
      [[{ externalId: 'x', name: 'X' }], 422, '(body)'],
      [{ customers: [], extra: 1 }, 422, 'customers'],
    ];
    for (const [body, status, field] of cases) {
      const res = await api.post('/api/v1/customers/batch', body);
      assert.equal(res.statusCode, status, JSON.stringify(body));
      assert.equal(res.json().error.field, field, `${JSON.stringify(body)} → ${res.body}`);
    }
    const malformed = await api.post('/api/v1/events/batch', '{"events": [');
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().error.code, 'RAPPORT_MALFORMED_JSON');
  });

  test('concurrent upserts of one new externalId: one creates, the others update, none fails', async () => {
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => api.post('/api/v1/customers', { externalId: 'race-1', name: `Racer ${i}`, account: { externalId: 'acct-race', name: 'Race Co' } })),
    );
    assert.deepEqual(responses.map((r) => r.statusCode).sort(), [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201], responses.map((r) => r.body).join('\n'));
    assert.equal(await prisma().customer.count({ where: { externalId: 'race-1' } }), 1);
    assert.equal(await prisma().account.count({ where: { externalId: 'acct-race' } }), 1);

    const accounts = await Promise.all(Array.from({ length: 8 }, () => api.post('/api/v1/accounts', { externalId: 'acct-race-2', name: 'Race Two' })));
    assert.deepEqual(accounts.map((r) => r.statusCode).sort(), [200, 200, 200, 200, 200, 200, 200, 201]);
  });
});

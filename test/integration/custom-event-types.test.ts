import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness.js';

// Marketing declares event types with a JSON Schema for their data; events are checked against it.
describe('custom event types', () => {
  let api: ApiHarness;
  const event = (over: Record<string, unknown>) => ({ type: 'webinar.attended', externalId: 'c-1', occurredAt: '2026-11-23T10:00:00Z', data: {}, ...over });
  const webinar = {
    name: 'webinar.attended',
    description: 'Someone attended one of our webinars',
    dataSchema: {
      type: 'object',
      required: ['webinar', 'minutes'],
      properties: { webinar: { type: 'string', minLength: 1 }, minutes: { type: 'integer', minimum: 0 }, slides: { type: 'string', format: 'uri' } },
      additionalProperties: false,
    },
  };

  before(async () => {
    api = await startApiHarness();
    assert.equal((await api.post('/api/v1/customers', { externalId: 'c-1', name: 'Parisa Ahmadi', locale: 'fa' })).statusCode, 201);
  });
  after(async () => api?.close());

  test('before it is declared, the type is unknown: 422 naming type and listing the allowed ones', async () => {
    const res = await api.post('/api/v1/events', event({ idempotencyKey: 'w-0', data: { webinar: 'Intro', minutes: 30 } }));
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().error.code, 'RAPPORT_VALIDATION');
    assert.equal(res.json().error.field, 'type');
    assert.match(res.json().error.message, /unknown event type "webinar.attended"; expected a built-in type \(purchase, delivery, .*nps_response\).*none declared yet/);
  });

  test('declare: 201, listed beside the built-ins; redefining updates (200)', async () => {
    const created = await api.post('/api/v1/event-types', webinar);
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().eventType.name, 'webinar.attended');
    const list = await api.get('/api/v1/event-types');
    assert.equal(list.statusCode, 200);
    const names = list.json().eventTypes.map((t: { name: string; builtIn: boolean }) => `${t.name}:${t.builtIn}`);
    assert.ok(names.includes('purchase:true') && names.includes('webinar.attended:false'), names.join(' '));
    assert.equal((await api.post('/api/v1/event-types', webinar)).statusCode, 200);
    assert.equal(await api.database.db.prisma.eventType.count(), 1);
  });

  test('events of the type: data is checked against the schema, naming the field', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ webinar: 'Intro', minutes: 'thirty' }, 'data.minutes', /must be integer/],
      [{ webinar: 'Intro' }, 'data.minutes', /required/],
      [{ webinar: 'Intro', minutes: 5, extra: true }, 'data.extra', /not allowed/],
      [{ webinar: 'Intro', minutes: 5, slides: 'not a url' }, 'data.slides', /must match format "uri"/],
    ];
    for (const [data, field, message] of cases) {
      const res = await api.post('/api/v1/events', event({ idempotencyKey: `bad-${field}-${JSON.stringify(data).length}`, data }));
      assert.equal(res.statusCode, 422, JSON.stringify(data));
      assert.equal(res.json().error.code, 'RAPPORT_VALIDATION');
      assert.equal(res.json().error.field, field, res.body);
      assert.match(res.json().error.message, message);
    }
    assert.equal(await api.database.db.prisma.customerEvent.count(), 0);

    const ok = await api.post('/api/v1/events', event({ idempotencyKey: 'w-1', data: { webinar: 'Intro', minutes: 30, slides: 'https://example.com/s.pdf' } }));
    assert.equal(ok.statusCode, 202, ok.body);
    assert.equal(ok.json().duplicate, false);
  });

  test('a redefined schema applies at once (the cached validator is replaced)', async () => {
    const relaxed = { ...webinar, dataSchema: { type: 'object', properties: { minutes: { type: 'number' } } } };
    assert.equal((await api.post('/api/v1/event-types', relaxed)).statusCode, 200);
    const res = await api.post('/api/v1/events', event({ idempotencyKey: 'w-2', data: { minutes: 12.5 } }));
    assert.equal(res.statusCode, 202, res.body);
    const stricter = { ...webinar, dataSchema: { type: 'object', properties: { minutes: { type: 'number', maximum: 10 } } } };
    assert.equal((await api.post('/api/v1/event-types', stricter)).statusCode, 200);
    const refused = await api.post('/api/v1/events', event({ idempotencyKey: 'w-3', data: { minutes: 12.5 } }));
    assert.equal(refused.statusCode, 422);
    assert.equal(refused.json().error.field, 'data.minutes');
  });

  test('schemas ajv cannot compile, wrong names and built-in names are refused with the reason', async () => {
    const cases: [unknown, number, string, RegExp][] = [
      [{ name: 'x.typo', dataSchema: { type: 'object', requird: ['a'] } }, 422, 'dataSchema', /unknown keyword: "requird"/],
      [{ name: 'x.badtype', dataSchema: { type: 'object', properties: { a: { type: 'strnig' } } } }, 422, 'dataSchema.properties.a.type', /not a valid JSON Schema/],
      [{ name: 'x.ref', dataSchema: { type: 'object', properties: { a: { $ref: 'https://example.com/a.json' } } } }, 422, 'dataSchema', /can't resolve reference/],
      [{ name: 'x.array', dataSchema: { type: 'array' } }, 422, 'dataSchema.type', /must be "object"/],
      [{ name: 'x.notobject', dataSchema: 'anything' }, 422, 'dataSchema', /expected a JSON Schema object/],
      [{ name: 'has space', dataSchema: {} }, 422, 'name', /letters, digits/],
      [{ name: 'purchase', dataSchema: { type: 'object' } }, 409, 'name', /built-in event type/],
    ];
    for (const [body, status, field, message] of cases) {
      const res = await api.post('/api/v1/event-types', body);
      assert.equal(res.statusCode, status, `${JSON.stringify(body)} → ${res.body}`);
      assert.equal(res.json().error.field, field, res.body);
      assert.match(res.json().error.message, message);
    }
    assert.equal(await api.database.db.prisma.eventType.count(), 1);
  });

  test('built-in types keep a free data object, with light checks of the fields Rapport reads', async () => {
    const purchase = { type: 'purchase', externalId: 'c-1', occurredAt: '2026-11-23T10:00:00Z' };
    assert.equal((await api.post('/api/v1/events', { ...purchase, idempotencyKey: 'p-1', data: { product: 'Lamp', anything: { nested: true } } })).statusCode, 202);
    const bad = await api.post('/api/v1/events', { ...purchase, idempotencyKey: 'p-2', data: { total: '12.50' } });
    assert.equal(bad.statusCode, 422);
    assert.equal(bad.json().error.field, 'data.total');
  });
});

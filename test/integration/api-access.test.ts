import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Suggestion } from '../../src/generated/prisma/client.js';
import { createApiToken } from '../../src/auth/api-tokens.js';
import { startInboxFixture, type InboxFixture, type Who } from '../helpers/inbox-fixture.js';

type Caller = Who | 'integration';
const CALLERS: Caller[] = ['admin', 'marketing', 'mai', 'tom', 'integration'];
const MISSING = '00000000-0000-4000-8000-000000000000';

// Who may reach what over /api/v1, by the role of the token's user: each route × each caller →
// the expected status. Requests that change something send invalid input on purpose, so a
// permitted caller gets 422 and nothing changes; the table then proves the check answers first.
describe('API: every route × every token role', () => {
  let fx: InboxFixture;
  let maiNote: Suggestion;
  let tomNote: Suggestion;
  const tokens = new Map<Caller, string>();
  const call = (caller: Caller, method: 'GET' | 'POST', url: string, body?: unknown) =>
    fx.rapport.app!.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens.get(caller)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });

  before(async () => {
    fx = await startInboxFixture();
    maiNote = await fx.purchase('cust-1002', 'Aurora desk lamp');
    tomNote = await fx.purchase('cust-1001', 'Desk');
    for (const who of ['admin', 'marketing', 'mai', 'tom'] as const) {
      tokens.set(who, (await createApiToken(fx.prisma, { name: `${who} token`, userId: (await fx.user(who)).id })).secret);
    }
    tokens.set('integration', (await createApiToken(fx.prisma, { name: 'shop integration' })).secret);
  });
  after(async () => fx?.close());

  const all = (status: number, extra: Partial<Record<Caller, number>> = {}) =>
    ({ ...Object.fromEntries(CALLERS.map((c) => [c, status])), ...extra }) as Record<Caller, number>;
  /** Full access for everyone but account managers, who get 403. */
  const configuration = (status: number) => all(status, { mai: 403, tom: 403 });

  const routes = (): { method: 'GET' | 'POST'; url: string; body?: unknown; expect: Record<Caller, number> }[] => {
    const s = maiNote.id;
    return [
      { method: 'GET', url: '/api/v1/suggestions', expect: all(200) },
      { method: 'GET', url: `/api/v1/suggestions/${s}`, expect: all(200, { tom: 404 }) },
      { method: 'GET', url: `/api/v1/suggestions/${MISSING}`, expect: all(404) },
      { method: 'POST', url: `/api/v1/suggestions/${s}/approve`, body: { surprise: true }, expect: all(422, { tom: 404 }) },
      { method: 'POST', url: `/api/v1/suggestions/${s}/reject`, body: { reason: ' ' }, expect: all(422, { tom: 404 }) },
      { method: 'POST', url: `/api/v1/suggestions/${s}/snooze`, body: { until: 'soon' }, expect: all(422, { tom: 404 }) },
      { method: 'POST', url: `/api/v1/suggestions/${s}/reassign`, body: { assigneeId: 'nobody' }, expect: all(422, { tom: 404 }) },
      { method: 'POST', url: '/api/v1/suggestions/bulk', body: { action: 'approve' }, expect: all(422) },
      { method: 'GET', url: '/api/v1/triggers', expect: configuration(200) },
      { method: 'POST', url: '/api/v1/triggers', body: { key: 'Bad Key' }, expect: configuration(422) },
      { method: 'GET', url: '/api/v1/feeds', expect: configuration(200) },
      { method: 'POST', url: '/api/v1/feeds', body: {}, expect: configuration(422) },
      { method: 'GET', url: '/api/v1/event-types', expect: configuration(200) },
      { method: 'POST', url: '/api/v1/event-types', body: {}, expect: configuration(422) },
      // Feeding data in and reading signals stays open to every token.
      { method: 'POST', url: '/api/v1/events', body: {}, expect: all(422) },
      { method: 'GET', url: '/api/v1/signals', expect: all(200) },
    ];
  };

  test('each token gets exactly what its role allows', async () => {
    const failures: string[] = [];
    for (const route of routes()) {
      for (const caller of CALLERS) {
        const res = await call(caller, route.method, route.url, route.body);
        if (res.statusCode !== route.expect[caller]) failures.push(`${route.method} ${route.url} as ${caller}: expected ${route.expect[caller]}, got ${res.statusCode} ${res.body.slice(0, 160)}`);
        if (res.statusCode === 403) assert.equal(res.json().error.code, 'RAPPORT_FORBIDDEN');
      }
    }
    assert.deepEqual(failures, []);
    const untouched = await fx.prisma.suggestion.findUniqueOrThrow({ where: { id: maiNote.id } });
    assert.equal(untouched.status, 'pending_approval', 'no refused request changed the suggestion');
    assert.equal(untouched.snoozedUntil, null);
  });

  test("an account manager's list holds only their suggestions; admins see everyone's", async () => {
    const ids = async (caller: Caller) => ((await call(caller, 'GET', '/api/v1/suggestions')).json().suggestions as { id: string }[]).map((s) => s.id);
    assert.deepEqual(await ids('mai'), [maiNote.id]);
    assert.deepEqual(await ids('tom'), [tomNote.id]);
    for (const caller of ['admin', 'marketing', 'integration'] as const) {
      const seen = await ids(caller);
      assert.ok(seen.includes(maiNote.id) && seen.includes(tomNote.id), `${caller} sees both`);
    }
  });

  test("bulk decisions on another manager's suggestion fail as not found and change nothing", async () => {
    const res = await call('tom', 'POST', '/api/v1/suggestions/bulk', { action: 'reject', ids: [maiNote.id], reason: 'not mine' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().done, []);
    assert.deepEqual(res.json().failed.map((f: { id: string; code: string }) => [f.id, f.code]), [[maiNote.id, 'RAPPORT_SUGGESTION_NOT_FOUND']]);
    assert.equal((await fx.prisma.suggestion.findUniqueOrThrow({ where: { id: maiNote.id } })).status, 'pending_approval');

    const own = await call('mai', 'POST', '/api/v1/suggestions/bulk', { action: 'reject', ids: [maiNote.id, tomNote.id], reason: 'not now' });
    assert.deepEqual(own.json().done.map((d: { id: string }) => d.id), [maiNote.id]);
    assert.deepEqual(own.json().failed.map((f: { id: string }) => f.id), [tomNote.id]);
    assert.equal((await fx.prisma.suggestion.findUniqueOrThrow({ where: { id: maiNote.id } })).status, 'rejected');
    assert.equal((await fx.prisma.suggestion.findUniqueOrThrow({ where: { id: tomNote.id } })).status, 'pending_approval');
  });
});

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiToken } from '../../src/auth/api-tokens.js';
import { startRapport, type Rapport } from '../../src/main.js';
import { freshDatabase, silentLogger, testConfig } from '../helpers/test-services.js';

// Marketing manages triggers over the API and the CLI and dry-runs them before switching them on.
describe('trigger API, CLI and dry run', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let rapport: Rapport;
  let token: string;
  let dir: string;
  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown) => {
    const res = await rapport.app!.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) });
    return { status: res.statusCode, json: res.json() };
  };
  const vip = { name: 'VIP thanks', source: { type: 'event', eventType: 'purchase' }, conditions: { field: 'customer.tier', op: 'eq', value: 'vip' }, action: { template: 'thank-you', channel: 'email' } };

  before(async () => {
    database = await freshDatabase();
    dir = await mkdtemp(path.join(tmpdir(), 'rapport-triggers-'));
    rapport = await startRapport(testConfig({ DATABASE_URL: database.url }), silentLogger(), { workers: false });
    ({ secret: token } = await createApiToken(database.db.prisma, { name: 'test' }));
    const p = database.db.prisma;
    const now = Date.now();
    const people = [
      { externalId: 'vip-1', name: 'Vera Vip', email: 'vera@example.com', tier: 'vip' },
      { externalId: 'vip-2', name: 'Otto Optout', email: 'otto@example.com', tier: 'vip', optedOut: true },
      { externalId: 'reg-1', name: 'Rita Regular', email: 'rita@example.com', tier: 'regular' },
    ];
    for (const [i, person] of people.entries()) {
      const c = await p.customer.create({ data: person });
      for (const daysAgo of [2, 5]) {
        await p.customerEvent.create({ data: { customerId: c.id, type: 'purchase', occurredAt: new Date(now - daysAgo * 86_400_000), idempotencyKey: `p-${i}-${daysAgo}`, evaluatedAt: new Date() } });
      }
    }
  });
  after(async () => {
    await rapport?.close();
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test('create, conflict, version, enable/disable', async () => {
    const created = await call('POST', '/api/v1/triggers', { key: 'vip-thanks', definition: vip, enabled: false });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal(created.json.trigger.version, 1);
    assert.equal(created.json.trigger.enabled, false);
    assert.equal((await call('POST', '/api/v1/triggers', { key: 'vip-thanks', definition: vip })).status, 409);
    const id = created.json.trigger.id;
    const v2 = await call('PUT', `/api/v1/triggers/${id}`, { definition: { ...vip, policies: { priority: 3 } } });
    assert.equal(v2.json.trigger.version, 2);
    assert.equal((await call('PUT', `/api/v1/triggers/${id}`, { definition: { ...vip, policies: { priority: 3 } } })).json.changed, false, 'an identical definition adds no version');
    assert.equal((await call('POST', `/api/v1/triggers/${id}/enable`)).json.trigger.enabled, true);
    assert.equal((await call('GET', '/api/v1/triggers')).json.triggers.length, 1);
  });

  test('bad definitions are 422 naming the field', async () => {
    const cases: [object, string][] = [
      [{ ...vip, source: { type: 'event' } }, 'definition.source.eventType'],
      [{ ...vip, conditions: { field: 'customer.tier', op: 'like', value: 'x' } }, 'definition.conditions.op'],
      [{ ...vip, policies: { sendWindow: { days: ['mon'], start: '9am', end: '17:00' } } }, 'definition.policies.sendWindow.start'],
      [{ ...vip, action: { template: 'thank-you', channel: 'fax' } }, 'definition.action.channel'],
    ];
    for (const [definition, field] of cases) {
      const res = await call('POST', '/api/v1/triggers/preview', { definition });
      assert.equal(res.status, 422, JSON.stringify(definition));
      const fields = res.json.error.issues.map((i: { field: string }) => `definition.${i.field}`);
      assert.ok(fields.includes(field), `${field} in ${fields.join(', ')}`);
    }
    assert.equal((await call('POST', '/api/v1/triggers/00000000-0000-4000-8000-000000000000/preview', {})).status, 404);
  });

  test('dry run: who would get a note over the last days, and why the others would not', async () => {
    const res = await call('POST', '/api/v1/triggers/preview', { definition: vip, days: 7 });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const { preview } = res.json;
    assert.equal(preview.matched, 6, 'three customers × two purchases in the last 7 days');
    assert.equal(preview.wouldCreate, 1, 'Vera once: the frequency cap stops her second note');
    assert.deepEqual(preview.excludedBy, { condition: 2, suppressed_opted_out: 2, frequency_cap: 1 });
    const rita = preview.customers.find((c: { name: string }) => c.name === 'Rita Regular');
    assert.match(rita.reasons[0], /customer\.tier eq "vip" \(was "regular"\)/);
    assert.equal(await database.db.prisma.suggestion.count(), 0, 'a dry run writes nothing');
    const shorter = await call('POST', '/api/v1/triggers/preview', { definition: vip, days: 3 });
    assert.equal(shorter.json.preview.matched, 3);
  });

  test('the CLI saves and previews triggers with the same rules', () => {
    const bin = fileURLToPath(new URL('../../bin/rapport.js', import.meta.url));
    const env = { ...process.env, DATABASE_URL: database.url, REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: `cli-${Date.now()}`, LOG_LEVEL: 'silent' };
    const run = (args: string[]) => spawnSync(process.execPath, [bin, 'triggers', ...args], { encoding: 'utf8', env, timeout: 60_000 });
    const file = path.join(dir, 'vip.json');
    return writeFile(file, JSON.stringify(vip)).then(() => {
      const saved = run(['save', 'cli-vip', '--file', file]);
      assert.equal(saved.status, 0, saved.stderr);
      assert.match(saved.stdout, /Saved cli-vip as version 1/);
      const preview = run(['preview', 'cli-vip', '--days', '7']);
      assert.equal(preview.status, 0, preview.stderr);
      assert.match(preview.stdout, /6 firings, 1 suggestions would be created/);
      assert.match(preview.stdout, /- Rita Regular .*condition: customer\.tier eq "vip"/);
      const bad = run(['preview', 'cli-vip', '--days', 'lots']);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /--days: expected a whole number/);
    });
  });
});

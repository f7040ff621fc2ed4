import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createApiToken } from '../../src/auth/api-tokens.js';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness.js';
import { TEST_REDIS_URL } from '../helpers/test-services.js';

const BIN = fileURLToPath(new URL('../../bin/rapport.js', import.meta.url));
const sign = (secret: string, timestamp: number | string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
const now = () => Math.floor(Date.now() / 1000);

// A token with a signing secret only accepts POSTs signed over the exact bytes sent, recently.
describe('signed webhooks', () => {
  let api: ApiHarness;
  let token: string;
  let signingSecret: string;
  let n = 0;
  // Spacing and non-ASCII text make sure the signature covers the raw bytes, not a re-serialisation.
  const body = () => `{ "type": "purchase",  "externalId": "c-1", "occurredAt": "2026-11-23T10:00:00+07:00", "idempotencyKey": "sig-${++n}", "data": { "product": "Đèn bàn" } }`;
  const send = (payload: string, headers: Record<string, string>, auth = token) =>
    api.rapport.app!.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json', ...headers },
      payload,
    });
  const events = () => api.database.db.prisma.customerEvent.count();

  before(async () => {
    api = await startApiHarness();
    assert.equal((await api.post('/api/v1/customers', { externalId: 'c-1', name: 'Lê Minh Châu' })).statusCode, 201);
    const created = await createApiToken(api.database.db.prisma, { name: 'shop webhook', signed: true });
    token = created.secret;
    signingSecret = created.signingSecret!;
    assert.match(signingSecret, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
  });
  after(async () => api?.close());

  test('a correctly signed request is accepted, also at the edge of the replay window', async () => {
    for (const ts of [now(), now() - 290, now() + 290]) {
      const payload = body();
      const res = await send(payload, { 'x-rapport-timestamp': String(ts), 'x-rapport-signature': sign(signingSecret, ts, payload) });
      assert.equal(res.statusCode, 202, res.body);
    }
  });

  test('missing, malformed or wrong signatures are 401 RAPPORT_BAD_SIGNATURE and store nothing', async () => {
    const before = await events();
    const payload = body();
    const ts = now();
    const cases: [Record<string, string>, string, RegExp][] = [
      [{}, 'X-Rapport-Timestamp', /missing/],
      [{ 'x-rapport-timestamp': String(ts) }, 'X-Rapport-Signature', /missing/],
      [{ 'x-rapport-timestamp': 'yesterday', 'x-rapport-signature': sign(signingSecret, ts, payload) }, 'X-Rapport-Timestamp', /unix seconds/],
      [{ 'x-rapport-timestamp': String(ts), 'x-rapport-signature': sign(signingSecret, ts, payload).slice(7) }, 'X-Rapport-Signature', /sha256=/],
      [{ 'x-rapport-timestamp': String(ts), 'x-rapport-signature': sign('another secret', ts, payload) }, 'X-Rapport-Signature', /does not match/],
      [{ 'x-rapport-timestamp': String(ts + 1), 'x-rapport-signature': sign(signingSecret, ts, payload) }, 'X-Rapport-Signature', /does not match/],
      [{ 'x-rapport-timestamp': String(ts), 'x-rapport-signature': sign(signingSecret, ts, payload.replace('Đèn', 'Den')) }, 'X-Rapport-Signature', /does not match/],
      [{ 'x-rapport-timestamp': String(ts), 'x-rapport-signature': sign(signingSecret, ts, JSON.stringify(JSON.parse(payload))) }, 'X-Rapport-Signature', /does not match/],
    ];
    for (const [headers, field, message] of cases) {
      const res = await send(payload, headers);
      assert.equal(res.statusCode, 401, JSON.stringify(headers));
      assert.equal(res.json().error.code, 'RAPPORT_BAD_SIGNATURE');
      assert.equal(res.json().error.field, field, res.body);
      assert.match(res.json().error.message, message);
    }
    assert.equal(await events(), before);
  });

  test('a genuine signature outside ±300 s is 401 RAPPORT_STALE_SIGNATURE (no replays)', async () => {
    const before = await events();
    // +310, not +301: under load a second may pass before the server checks, and 301 s ahead would become 300.
    for (const ts of [now() - 301, now() + 310, now() - 86_400]) {
      const payload = body();
      const res = await send(payload, { 'x-rapport-timestamp': String(ts), 'x-rapport-signature': sign(signingSecret, ts, payload) });
      assert.equal(res.statusCode, 401, res.body);
      assert.equal(res.json().error.code, 'RAPPORT_STALE_SIGNATURE');
      assert.equal(res.json().error.field, 'X-Rapport-Timestamp');
    }
    assert.equal(await events(), before);
  });

  test('batches are signed the same way; reads need no signature; malformed JSON is still 400', async () => {
    const payload = `{"events": [${body()}]}`;
    const ts = now();
    const batch = await api.rapport.app!.inject({
      method: 'POST',
      url: '/api/v1/events/batch',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-rapport-timestamp': String(ts), 'x-rapport-signature': sign(signingSecret, ts, payload) },
      payload,
    });
    assert.equal(batch.statusCode, 200, batch.body);
    assert.equal(batch.json().results[0].status, 'created');
    const unsignedBatch = await api.rapport.app!.inject({ method: 'POST', url: '/api/v1/events/batch', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload });
    assert.equal(unsignedBatch.statusCode, 401);

    const read = await api.rapport.app!.inject({ method: 'GET', url: '/api/v1/event-types', headers: { authorization: `Bearer ${token}` } });
    assert.equal(read.statusCode, 200);
    const malformed = await send('{"type": ', {});
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().error.code, 'RAPPORT_MALFORMED_JSON');
  });

  test('a token without a signing secret still works without the headers', async () => {
    const res = await send(body(), {}, api.token);
    assert.equal(res.statusCode, 202, res.body);
  });

  test('`rapport token create --signing-secret` prints a token and a secret that sign requests', async () => {
    const r = spawnSync(process.execPath, [BIN, 'token', 'create', '--name', 'cli hook', '--signing-secret'], {
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: api.database.url, REDIS_URL: TEST_REDIS_URL, LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const cliToken = /API token:\s+(rpt_\S+)/.exec(r.stdout)?.[1];
    const cliSecret = /Signing secret:\s+(\S+)/.exec(r.stdout)?.[1];
    assert.ok(cliToken && cliSecret, r.stdout);
    const payload = body();
    const ts = now();
    assert.equal((await send(payload, {}, cliToken)).statusCode, 401);
    const res = await send(payload, { 'x-rapport-timestamp': String(ts), 'x-rapport-signature': sign(cliSecret, ts, payload) }, cliToken);
    assert.equal(res.statusCode, 202, res.body);
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config.js';
import { resolveAppSecret } from './app-secret.js';
import { createUnsubscribeToken, verifyUnsubscribeToken } from './unsubscribe-token.js';

const CUSTOMER = '0b7c7a52-5d0e-4a57-9a43-1c2f0e6a9b10';

describe('signing secret and unsubscribe tokens', () => {
  test('production refuses to start without RAPPORT_SECRET, naming it', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'production' }), (err: unknown) => err instanceof ConfigError && err.problems[0]?.variable === 'RAPPORT_SECRET' && /NODE_ENV=production/.test(err.message));
    assert.throws(() => loadConfig({ RAPPORT_SECRET: 'short' }), (err: unknown) => err instanceof ConfigError && /at least 32/.test(err.message));
    assert.equal(loadConfig({ NODE_ENV: 'production', RAPPORT_SECRET: 'x'.repeat(32) }).secret, 'x'.repeat(32));
  });

  test('outside production the secret is generated once, kept 0600 under DATA_DIR and reused', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'rapport-secret-'));
    try {
      const [a, b] = await Promise.all([resolveAppSecret({ secret: undefined, dataDir }), resolveAppSecret({ secret: undefined, dataDir })]);
      assert.equal(a, b, 'two processes starting together agree');
      assert.ok(a.length >= 32);
      assert.equal((await stat(path.join(dataDir, 'secret'))).mode & 0o777, 0o600);
      assert.equal(await resolveAppSecret({ secret: undefined, dataDir }), a, 'a restart keeps old links working');
      assert.equal(await resolveAppSecret({ secret: 'y'.repeat(32), dataDir }), 'y'.repeat(32), 'RAPPORT_SECRET wins');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('a token names its customer until it expires; any change to it is refused', () => {
    const now = new Date('2026-11-23T10:00:00Z');
    const token = createUnsubscribeToken('s'.repeat(32), CUSTOMER, now, 3600_000);
    assert.match(token, /^[A-Za-z0-9_-]{70}$/);
    const ok = verifyUnsubscribeToken('s'.repeat(32), token, now);
    assert.deepEqual(ok, { ok: true, customerId: CUSTOMER, expiresAt: new Date('2026-11-23T11:00:00Z') });
    assert.deepEqual(verifyUnsubscribeToken('s'.repeat(32), token, new Date('2026-11-23T11:00:00Z')), { ok: false, reason: 'expired' });
    assert.deepEqual(verifyUnsubscribeToken('t'.repeat(32), token, now), { ok: false, reason: 'bad_signature' });
    for (let i = 0; i < token.length - 1; i += 7) {
      const changed = `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
      assert.equal(verifyUnsubscribeToken('s'.repeat(32), changed, now).ok, false, `a change at ${i}`);
    }
    assert.deepEqual(verifyUnsubscribeToken('s'.repeat(32), `${token}A`, now), { ok: false, reason: 'malformed' });
  });
});

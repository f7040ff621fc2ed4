import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRapport, type Rapport } from '../../src/main.js';
import { loadConfig } from '../../src/config.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { silentLogger, waitFor } from '../helpers/test-services.js';
import { spawnRapport } from '../helpers/rapport-process.js';

const BIN = fileURLToPath(new URL('../../bin/rapport.js', import.meta.url));

// With no DATABASE_URL, REDIS_URL or SMTP_URL, Rapport runs on PGlite, a private redis-server and
// an .eml outbox under DATA_DIR — the `npm install && npm start` path.
describe('embedded defaults', () => {
  let dataDir: string;
  let rapport: Rapport | undefined;

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'rapport-embedded-'));
  });
  after(async () => {
    await rapport?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('the thin slice runs on PGlite, a private redis-server and the outbox', async () => {
    const config = loadConfig({ DATA_DIR: dataDir, HTTP_PORT: '0', LOG_LEVEL: 'silent', QUEUE_PREFIX: 'embedded' });
    assert.equal(config.db.url, undefined);
    assert.equal(config.redis.url, undefined);
    rapport = await startRapport(config, silentLogger());
    assert.equal(rapport.runtime.mailer.kind, 'outbox');
    const health = await rapport.app!.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200, health.body);

    const { token } = await seedDemo(rapport.runtime.db.prisma);
    // The triggers counting changes to the accounts (match_directory_version) run on PGlite too.
    const directory = await rapport.runtime.db.prisma.matchDirectoryVersion.findUniqueOrThrow({ where: { id: 1 } });
    assert.ok(directory.version > 0n, `the demo's accounts were counted (version ${directory.version})`);
    const call = (method: 'GET' | 'POST', url: string, body?: unknown) =>
      rapport!.app!.inject({ method, url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { payload: JSON.stringify(body) } : {}) });

    const event = await call('POST', '/api/v1/events', { type: 'purchase', externalId: 'cust-1001', occurredAt: '2026-11-21T15:00:00Z', idempotencyKey: 'embedded-1', data: { product: 'Walnut pencil' } });
    assert.equal(event.statusCode, 202, event.body);
    const pending = await waitFor('a suggestion', async () => (await call('GET', '/api/v1/suggestions?status=pending_approval')).json().suggestions[0]);
    assert.equal((await call('POST', `/api/v1/suggestions/${pending.id}/approve`, {})).statusCode, 200);

    const outbox = path.join(dataDir, 'outbox');
    const files = await waitFor('an .eml file', async () => {
      const names = await readdir(outbox).catch(() => []);
      return names.filter((n) => n.endsWith('.eml')).length ? names : null;
    });
    assert.equal(files.length, 1);
    const eml = await readFile(path.join(outbox, files[0]!), 'utf8');
    assert.match(eml, /^To: Jane Doe <jane\.doe@acme\.example>$/m);
    assert.match(eml, /Walnut pencil/);
    const sent = await waitFor('status sent', async () => ((await call('GET', `/api/v1/suggestions/${pending.id}`)).json().suggestion.status === 'sent' ? true : null));
    assert.ok(sent);

    // Data lives under DATA_DIR: PGlite's files, Redis's append-only file, the generated secret.
    const entries = await readdir(dataDir);
    assert.deepEqual(entries.filter((e) => e !== 'outbox' && e !== 'secret').sort(), ['pglite', 'pglite.pid', 'redis']);
    assert.ok((await readdir(path.join(dataDir, 'redis'))).some((n) => n.startsWith('appendonly')));
  });

  test('a SIGTERM during start-up still closes what was started: no private redis-server or database lock is left behind', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rapport-early-stop-'));
    const env = { DATA_DIR: dir, DATABASE_URL: '', REDIS_URL: '', SMTP_URL: '', HTTP_PORT: '0', QUEUE_PREFIX: 'early-stop', LOG_LEVEL: 'info' };
    const child = spawn(process.execPath, [BIN, 'start'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    try {
      // The private redis-server is up and the demo data, HTTP and workers are still to come.
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('using a private redis-server')) resolve();
        });
        child.once('exit', () => reject(new Error(`rapport exited before starting its redis-server:\n${out}`)));
      });
      child.kill('SIGTERM');
      assert.deepEqual(await exited, { code: 0, signal: null }, `a clean exit, not death by signal:\n${out}`);
      // redis-server removes its socket when it stops; PGlite's lock goes with a clean close.
      const left = (await readdir(path.join(dir, 'redis'))).filter((n) => n === 'redis.sock');
      assert.deepEqual(left, [], 'the private redis-server was stopped');
      assert.ok(!(await readdir(dir)).includes('pglite.pid'), 'the embedded database was closed');
    } finally {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('`rapport start` on a fresh data dir seeds the demo once; a second process is refused, not let corrupt it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rapport-first-run-'));
    const env = { DATA_DIR: dir, DATABASE_URL: '', REDIS_URL: '', SMTP_URL: '', HTTP_PORT: '0', QUEUE_PREFIX: 'first-run' };
    const server = await spawnRapport([], env);
    try {
      assert.match(server.output(), /API token: rpt_[\w-]+/);
      assert.match(server.output(), /sign in as mai\.nguyen@rapport\.example \/ rapport-demo/);
      const second = spawnSync(process.execPath, [BIN, 'seed', '--demo'], { encoding: 'utf8', env: { ...process.env, ...env, LOG_LEVEL: 'silent' }, timeout: 60_000 });
      assert.equal(second.status, 1);
      assert.match(second.stderr, /embedded database in .* is in use by another Rapport process \(pid \d+\)/);
    } finally {
      await server.kill('SIGTERM');
    }
    const again = await spawnRapport([], env);
    try {
      assert.doesNotMatch(again.output(), /API token/, 'the demo is seeded on the first start only');
    } finally {
      await again.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    }
  });
});

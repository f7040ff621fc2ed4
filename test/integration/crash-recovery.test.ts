import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { NoteTemplates } from '../../src/notes/note-templates.js';
import { evaluateEvent } from '../../src/triggers/evaluate-event.js';
import { flushQueuePrefix, freshDatabase, TEST_REDIS_URL, uniqueName, waitFor } from '../helpers/test-services.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { spawnRapport, type RapportProcess } from '../helpers/rapport-process.js';

// Killing the process between approval and send loses nothing and sends nothing twice — with or
// without Redis keeping the queued job.
describe('crash between approval and send', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let token: string;
  const running: RapportProcess[] = [];
  const templates = new NoteTemplates('templates');

  before(async () => {
    database = await freshDatabase();
    smtp = await startSmtpSink();
    ({ token } = await seedDemo(database.db.prisma));
  });
  afterEach(async () => {
    for (const p of running.splice(0)) await p.kill();
  });
  after(async () => {
    await smtp?.close();
    await database?.drop();
  });

  const start = async (args: string[], prefix: string) => {
    const p = await spawnRapport(args, { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, SMTP_URL: smtp.url, HTTP_PORT: '0' });
    running.push(p);
    return p;
  };

  /** Approves one fresh purchase through a real API process, then kills it with SIGKILL. */
  async function approveThenKill(prefix: string, key: string): Promise<string> {
    const api = await start(['--api-only'], prefix);
    const call = async (path: string, body: unknown) => {
      const res = await fetch(`${api.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      assert.ok(res.status < 300, `${path}: ${res.status} ${text}`);
      return JSON.parse(text) as { id: string };
    };
    const event = await call('/api/v1/events', { type: 'purchase', externalId: 'cust-1001', occurredAt: new Date().toISOString(), idempotencyKey: key, data: { product: key } });
    // No worker runs in an --api-only process; evaluate here so the suggestion exists to approve.
    await evaluateEvent({ prisma: database.db.prisma, templates, frequencyCapDays: 0 }, event.id);
    const suggestion = await database.db.prisma.suggestion.findFirstOrThrow({ where: { eventId: event.id } });
    await call(`/api/v1/suggestions/${suggestion.id}/approve`, {});
    await api.kill('SIGKILL');
    assert.equal(smtp.received.filter((m) => m.parsed.subject?.includes(key)).length, 0, 'nothing was sent before the crash');
    return key;
  }

  const mailsFor = (key: string) => smtp.received.filter((m) => m.parsed.subject?.includes(key));

  async function expectExactlyOnce(key: string) {
    await waitFor(`the email for ${key}`, async () => mailsFor(key).length > 0);
    const suggestion = await waitFor('status sent', () => database.db.prisma.suggestion.findFirst({ where: { status: 'sent', subject: { contains: key } } }));
    assert.ok(suggestion);
    // Give a duplicate every chance to show up before counting.
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(mailsFor(key).length, 1, 'sent exactly once');
  }

  test('Redis keeps the job: a new worker process sends it once', async () => {
    const prefix = uniqueName('q');
    const key = await approveThenKill(prefix, 'Kept-Job-Lamp');
    await start(['--workers-only'], prefix);
    await expectExactlyOnce(key);
  });

  test('Redis lost the job: the reconciler re-enqueues it from PostgreSQL and it is sent once', async () => {
    const prefix = uniqueName('q');
    const key = await approveThenKill(prefix, 'Lost-Job-Kettle');
    assert.ok((await flushQueuePrefix(prefix)) > 0, 'the queued job was in Redis before the flush');
    await start(['--workers-only'], prefix);
    await expectExactlyOnce(key);
  });

  test('restarting after the send sends nothing again', async () => {
    const prefix = uniqueName('q');
    const key = await approveThenKill(prefix, 'Restart-Chair');
    const worker = await start(['--workers-only'], prefix);
    await expectExactlyOnce(key);
    await worker.kill('SIGKILL');
    await flushQueuePrefix(prefix);
    await start(['--workers-only'], prefix);
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(mailsFor(key).length, 1);
  });
});

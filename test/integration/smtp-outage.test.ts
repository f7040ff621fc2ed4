import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { SYSTEM } from '../../src/audit/audit-log.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { enqueueDelivery } from '../../src/delivery/enqueue-delivery.js';
import { recordEvent } from '../../src/events/record-event.js';
import { startRapport, type Rapport } from '../../src/main.js';
import { approveSuggestion } from '../../src/notes/decide-suggestion.js';
import { evaluateEvent } from '../../src/triggers/evaluate-event.js';
import { freshDatabase, silentLogger, testConfig, waitFor } from '../helpers/test-services.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';

/** A loopback port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

// An SMTP server that is down for a while gets every email exactly once when it comes back.
describe('SMTP outage', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let rapport: Rapport;
  let sink: Awaited<ReturnType<typeof startSmtpSink>> | undefined;
  let port: number;

  before(async () => {
    database = await freshDatabase();
    port = await freePort();
    rapport = await startRapport(testConfig({ DATABASE_URL: database.url, SMTP_URL: `smtp://127.0.0.1:${port}`, NOTE_FREQUENCY_CAP_DAYS: '0' }), silentLogger(), { http: false });
    await seedDemo(database.db.prisma);
  });
  after(async () => {
    await rapport?.close();
    await sink?.close();
    await database?.drop();
  });

  test('deliveries retry while the server is down and go out once each when it returns', async () => {
    const prisma = database.db.prisma;
    const deps = { prisma, templates: rapport.runtime.templates, frequencyCapDays: 0 };
    const deliveryIds: string[] = [];
    for (const key of ['outage-1', 'outage-2', 'outage-3']) {
      const { event } = await recordEvent(prisma, { type: 'purchase', externalId: 'cust-1001', occurredAt: new Date().toISOString(), idempotencyKey: key, data: { product: key } }, SYSTEM);
      const { suggestionId } = await evaluateEvent(deps, event.id);
      const { delivery } = await approveSuggestion(prisma, { id: suggestionId!, actor: SYSTEM });
      await enqueueDelivery(rapport.runtime.queues, delivery, { priority: 'single' });
      deliveryIds.push(delivery.id);
    }
    // Connection refused is temporary: each delivery is back in `queued` with the reason, retrying.
    await waitFor('failed attempts', async () => (await prisma.delivery.count({ where: { id: { in: deliveryIds }, lastError: { contains: 'ECONNREFUSED' } } })) === 3, 20_000);
    assert.equal(await prisma.delivery.count({ where: { id: { in: deliveryIds }, status: 'queued' } }), 3);

    sink = await startSmtpSink(port);
    await waitFor('all three sent', async () => (await prisma.delivery.count({ where: { id: { in: deliveryIds }, status: 'sent' } })) === 3, 60_000);
    await new Promise((r) => setTimeout(r, 1_000));
    const subjects = sink.received.map((m) => m.parsed.subject ?? '');
    for (const key of ['outage-1', 'outage-2', 'outage-3']) assert.equal(subjects.filter((s) => s.includes(key)).length, 1, `${key} sent exactly once`);
    assert.equal(sink.received.length, 3);
  });
});

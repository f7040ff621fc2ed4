import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PRINT_RUN_SCHEDULER_ID, syncPrintRunSchedule } from '../../src/delivery/print/print-run-schedule.js';
import { startInboxFixture, type InboxFixture } from '../helpers/inbox-fixture.js';
import { approvedPrintNote, seedPrintCustomers } from '../helpers/print-notes.js';
import { pdfInfo, pdfText } from '../helpers/pdf-tools.js';
import { waitFor } from '../helpers/test-services.js';

// Print runs from the web app: marketing sees what waits, asks a worker for a run, and downloads the
// PDFs and manifest for the mail house; the daily run is a job scheduler in the configured zone.
describe('print runs in the web app', () => {
  let fx: InboxFixture;
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'rapport-web-print-'));
    fx = await startInboxFixture({ DATA_DIR: dataDir, PRINT_RUN_SCHEDULE: '30 7 * * 1-5', PRINT_RUN_TIME_ZONE: 'Asia/Bangkok' });
    await seedPrintCustomers(fx.prisma);
  });
  after(async () => {
    await fx?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('marketing starts a run from the print page and downloads its PDF and manifest', async () => {
    const th = await approvedPrintNote(fx.prisma, { externalId: 'print-th', body: 'เรียน คุณสมชาย\n\nขอบคุณมากที่เลือกซื้อโคมไฟ' });
    const fa = await approvedPrintNote(fx.prisma, { externalId: 'print-fa', body: 'مریم عزیز،\n\nسپاسگزاریم', format: 'letter-a4' });
    const marketing = await fx.sessionFor('marketing');
    const page = await marketing.get('/print');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /data-queue="card-5x7-flat"><td><code>card-5x7-flat<\/code><\/td><td data-due>1</);
    assert.match(page.body, /data-queue="letter-a4"><td><code>letter-a4<\/code><\/td><td data-due>1</);

    const unknown = await marketing.post('/print/run', { formats: ['card-5x7-flat', 'napkin'] });
    assert.equal(unknown.statusCode, 422);
    assert.match(unknown.body, /id="formats-error" role="alert">unknown format napkin/);
    assert.equal(await fx.prisma.printRun.count(), 0, 'a refused request starts nothing');

    const started = await marketing.post('/print/run', { formats: ['card-5x7-flat'] });
    assert.equal(started.statusCode, 303);
    const run = await waitFor('the print run', () => fx.prisma.printRun.findFirst({ where: { status: 'completed' } }), 60_000);
    assert.equal(run.requestedBy, `user:${(await fx.user('marketing')).id}`, 'the run says who asked for it');
    assert.equal((await fx.prisma.delivery.findUniqueOrThrow({ where: { id: th.deliveryId } })).status, 'sent');
    assert.equal((await fx.prisma.delivery.findUniqueOrThrow({ where: { id: fa.deliveryId } })).status, 'queued', 'only the formats asked for');

    const after = await marketing.get('/print');
    assert.match(after.body, new RegExp(`data-run="${run.id}">\\s*<td>[^<]+</td>\\s*<td>Mara Marketing</td>\\s*<td><span class="status status-completed" data-status>completed<`));
    const pdfLink = new RegExp(`href="(/print/runs/${run.id}/files/card-5x7-flat\\.pdf)"`).exec(after.body)?.[1];
    assert.ok(pdfLink, 'the page links the run\'s PDF');
    const pdf = await marketing.get(pdfLink);
    assert.equal(pdf.statusCode, 200);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.match(String(pdf.headers['content-disposition']), /^attachment; filename="print-run-[0-9a-f]{8}-card-5x7-flat\.pdf"$/);
    const bytes = pdf.rawPayload;
    assert.equal((await pdfInfo(bytes)).pages, 2, 'a flat card is front and back');
    assert.match((await pdfText(bytes)).normalize('NFC'), /ขอบคุณมากที่เลือกซื้อโคมไฟ/);
    const csv = await marketing.get(`/print/runs/${run.id}/files/manifest.csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(csv.body, new RegExp(th.deliveryId));
  });

  test('only marketing and admins reach it, and only files a run wrote can be downloaded', async () => {
    const mai = await fx.sessionFor('mai');
    assert.equal((await mai.get('/print')).statusCode, 403);
    assert.equal((await mai.post('/print/run', {})).statusCode, 403);
    const run = await fx.prisma.printRun.findFirstOrThrow({ where: { status: 'completed' } });
    assert.equal((await mai.get(`/print/runs/${run.id}/files/manifest.csv`)).statusCode, 403);
    const admin = await fx.sessionFor('admin');
    assert.equal((await admin.get(`/print/runs/${run.id}/files/manifest.csv`)).statusCode, 200);
    for (const bad of [`/print/runs/${run.id}/files/..%2F..%2Fsecret`, `/print/runs/${run.id}/files/missing.pdf`, '/print/runs/not-a-run/files/manifest.csv', `/print/runs/${crypto.randomUUID()}/files/manifest.csv`]) {
      assert.equal((await admin.get(bad)).statusCode, 404, bad);
    }
  });

  test('the daily run is a job scheduler in the mail house\'s zone; a print provider removes it', async () => {
    const queue = fx.rapport.runtime.queues.queue('run-print');
    const scheduler = await queue.getJobScheduler(PRINT_RUN_SCHEDULER_ID);
    assert.equal(scheduler?.pattern, '30 7 * * 1-5');
    assert.equal(scheduler?.tz, 'Asia/Bangkok');
    await syncPrintRunSchedule(fx.rapport.runtime.queues, { pattern: '30 7 * * 1-5', timeZone: 'Asia/Bangkok', provider: true });
    assert.equal(await queue.getJobScheduler(PRINT_RUN_SCHEDULER_ID), undefined);
    await fx.rapport.reconcileNow();
    assert.equal((await queue.getJobScheduler(PRINT_RUN_SCHEDULER_ID))?.pattern, '30 7 * * 1-5', 'the reconciler puts it back');
  });
});

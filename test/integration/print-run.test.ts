import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SYSTEM } from '../../src/audit/audit-log.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { createPrintRenderer, type PrintRenderer } from '../../src/delivery/print/render-print.js';
import { printRunsDir, recoverPrintRuns, runPrint } from '../../src/delivery/print/print-run.js';
import { AppError } from '../../src/errors.js';
import { freshDatabase } from '../helpers/test-services.js';
import { pdfInfo, pdfText } from '../helpers/pdf-tools.js';
import { approvedPrintNote, seedPrintCustomers } from '../helpers/print-notes.js';
import { csvRows } from '../helpers/csv-rows.js';

const run = promisify(execFile);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('print runs', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let renderer: PrintRenderer;
  let dataDir: string;
  const deps = () => ({ prisma: database.db.prisma, renderer, dataDir, defaultFormat: 'card-5x7-flat' });
  const allDone = async () => {
    const prisma = database.db.prisma;
    await prisma.delivery.updateMany({ where: { channel: 'print', status: 'queued' }, data: { status: 'failed', lastError: 'test cleanup' } });
  };

  before(async () => {
    database = await freshDatabase();
    await seedDemo(database.db.prisma);
    await seedPrintCustomers(database.db.prisma);
    renderer = createPrintRenderer({ chromiumPath: CHROMIUM, pages: 2, templatesDir: 'templates' });
    dataDir = await mkdtemp(path.join(tmpdir(), 'rapport-print-'));
  });
  after(async () => {
    await renderer?.close();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('one run prints every due note once: a PDF per format, a manifest with pages, deliveries sent', async () => {
    const prisma = database.db.prisma;
    const th = await approvedPrintNote(prisma, { externalId: 'print-th', body: 'เรียน คุณสมชาย\n\nขอบคุณมากที่เลือกซื้อโคมไฟ' });
    const vi = await approvedPrintNote(prisma, { externalId: 'print-vi', body: 'Chào chị Lan,\n\nCảm ơn chị đã mua Bút chì gỗ óc chó.' });
    const fa = await approvedPrintNote(prisma, { externalId: 'print-fa', body: 'مریم عزیز،\n\nسپاسگزاریم', format: 'letter-a4' });
    const us = await approvedPrintNote(prisma, { externalId: 'print-us', body: 'Dear Jane,\n\nThank you for the Aurora lamp order.', format: 'letter-a4' });
    const optedOut = await approvedPrintNote(prisma, { externalId: 'print-optout', body: 'Hallo Otto' });
    const noAddress = await approvedPrintNote(prisma, { externalId: 'print-noaddr', body: 'Hello Nora' });

    const report = await runPrint(deps(), { actor: SYSTEM });
    assert.ok(report);
    assert.equal(report.cards, 4);
    assert.equal(report.suppressed, 2);
    assert.deepEqual(report.files.map((f) => [f.file, f.cards, f.pages]), [['card-5x7-flat.pdf', 2, 4], ['letter-a4.pdf', 2, 2]]);
    assert.deepEqual((await readdir(printRunsDir(dataDir))).sort(), [report.runId]);
    const rows = await csvRows(path.join(report.dir, 'manifest.csv'));
    assert.deepEqual(rows.map((r) => r['delivery_id']).sort(), [th, vi, fa, us].map((x) => x.deliveryId).sort());

    for (const row of rows) {
      const delivery = await prisma.delivery.findUniqueOrThrow({ where: { id: row['delivery_id']! }, include: { suggestion: true } });
      assert.equal(delivery.status, 'sent');
      assert.equal(delivery.suggestion.status, 'sent');
      assert.equal(delivery.printRunId, report.runId);
      assert.equal(delivery.printFile, row['file']);
      assert.deepEqual([delivery.firstPage, delivery.lastPage], [Number(row['first_page']), Number(row['last_page'])]);
      // The pages the manifest names hold this recipient's note.
      const pdf = await readFile(path.join(report.dir, row['file']!));
      const text = (await pdfText(pdf, { first: delivery.firstPage!, last: delivery.lastPage! })).normalize('NFC');
      const firstLine = (delivery.suggestion.body.split('\n')[0] ?? '').normalize('NFC');
      assert.ok(text.includes(firstLine), `pages ${delivery.firstPage}-${delivery.lastPage} of ${row['file']} hold "${firstLine}": ${text}`);
    }
    const letter = await pdfInfo(await readFile(path.join(report.dir, 'letter-a4.pdf')));
    assert.equal(letter.pageSize, '595.28 x 841.89');
    assert.match((await readFile(path.join(report.dir, 'manifest.csv'), 'utf8')).split('\r\n')[0]!, /^delivery_id,file,first_page,last_page,format,recipient,address_line_1/);

    for (const [ids, status] of [[optedOut, 'suppressed'], [noAddress, 'suppressed']] as const) {
      const s = await prisma.suggestion.findUniqueOrThrow({ where: { id: ids.suggestionId }, include: { delivery: true } });
      assert.equal(s.status, status);
      assert.equal(s.delivery?.status, 'failed');
    }
    assert.equal(await runPrint(deps(), { actor: SYSTEM }), null, 'a second run finds nothing to print');
  });

  test('--format limits a run to those formats', async () => {
    const prisma = database.db.prisma;
    const card = await approvedPrintNote(prisma, { externalId: 'print-vi', body: 'Card only' });
    const letter = await approvedPrintNote(prisma, { externalId: 'print-us', body: 'Letter only', format: 'letter-us' });
    const report = await runPrint(deps(), { actor: SYSTEM, formats: ['letter-us'] });
    assert.deepEqual(report?.files.map((f) => f.file), ['letter-us.pdf']);
    assert.equal((await prisma.delivery.findUniqueOrThrow({ where: { id: letter.deliveryId } })).status, 'sent');
    assert.equal((await prisma.delivery.findUniqueOrThrow({ where: { id: card.deliveryId } })).status, 'queued');
    await assert.rejects(runPrint(deps(), { actor: SYSTEM, formats: ['poster-a0'] }), (e: unknown) => e instanceof AppError && /Unknown print format/.test(e.message));
    await allDone();
  });

  test('a run killed mid-way loses nothing and prints nothing twice', async () => {
    const prisma = database.db.prisma;
    const notes = [];
    for (const [i, who] of ['print-th', 'print-vi', 'print-fa', 'print-us'].entries()) notes.push(await approvedPrintNote(prisma, { externalId: who, body: `Crash test card ${i}` }));

    const child = await run(process.execPath, ['--import', 'tsx', 'test/helpers/print-run-child.ts'], {
      env: { ...process.env, DATABASE_URL: database.url, DATA_DIR: dataDir, CRASH_AFTER: '2' },
    }).then(
      () => assert.fail('the child should have been killed'),
      (err: { signal?: string; stdout?: string }) => err,
    );
    assert.equal(child.signal, 'SIGKILL');
    assert.match(child.stdout ?? '', /crashing now/);

    const dead = await prisma.printRun.findFirstOrThrow({ where: { status: 'rendering' } });
    assert.equal(await prisma.delivery.count({ where: { printRunId: dead.id, status: 'sending' } }), notes.length);
    assert.ok((await readdir(printRunsDir(dataDir))).includes(`${dead.id}.partial`), 'the dead run left a partial folder');

    // While the dead run's lease lasts, nobody else may print (it could be a slow, live process).
    await assert.rejects(runPrint(deps(), { actor: SYSTEM }), (e: unknown) => e instanceof AppError && e.code === 'RAPPORT_PRINT_RUN_BUSY');
    // Time passes: the lease runs out.
    await prisma.printRun.update({ where: { id: dead.id }, data: { leaseUntil: new Date(Date.now() - 1_000) } });

    const report = await runPrint(deps(), { actor: SYSTEM });
    assert.ok(report);
    assert.equal(report.cards, notes.length);
    assert.equal((await prisma.printRun.findUniqueOrThrow({ where: { id: dead.id } })).status, 'abandoned');
    const folders = await readdir(printRunsDir(dataDir));
    assert.ok(!folders.some((f) => f.endsWith('.partial')), `no partial folder is left: ${folders.join(', ')}`);
    // Every card is in exactly one committed run's manifest.
    const counts = new Map<string, number>();
    for (const folder of folders) for (const row of await csvRows(path.join(printRunsDir(dataDir), folder, 'manifest.csv'))) counts.set(row['delivery_id']!, (counts.get(row['delivery_id']!) ?? 0) + 1);
    for (const n of notes) assert.equal(counts.get(n.deliveryId), 1, `delivery ${n.deliveryId} printed once`);
    for (const n of notes) assert.equal((await prisma.delivery.findUniqueOrThrow({ where: { id: n.deliveryId } })).printRunId, report.runId);
  });

  test('a crash between commit and rename: the next run finishes the rename', async () => {
    const prisma = database.db.prisma;
    await approvedPrintNote(prisma, { externalId: 'print-vi', body: 'Rename test' });
    const report = await runPrint(deps(), { actor: SYSTEM });
    assert.ok(report);
    await rename(report.dir, `${report.dir}.partial`);
    await recoverPrintRuns(deps());
    assert.ok((await readdir(printRunsDir(dataDir))).includes(report.runId));
  });

  test('rapport print run: CLI with a progress bar', async () => {
    const prisma = database.db.prisma;
    await approvedPrintNote(prisma, { externalId: 'print-th', body: 'CLI card' });
    const { stdout, stderr } = await run(process.execPath, ['bin/rapport.js', 'print', 'run'], {
      env: { ...process.env, DATABASE_URL: database.url, DATA_DIR: dataDir, REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', LOG_LEVEL: 'silent', CHROMIUM_PATH: CHROMIUM },
    });
    assert.match(stdout, /Print run [0-9a-f-]{36}: 1 card\(s\) in /);
    assert.match(stdout, /card-5x7-flat\.pdf {2}1 card\(s\), 2 page\(s\)/);
    assert.match(stderr, /printing 1\/1 cards {2}card-5x7-flat\.pdf/);
    const again = await run(process.execPath, ['bin/rapport.js', 'print', 'run'], { env: { ...process.env, DATABASE_URL: database.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent', REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' } });
    assert.match(again.stdout, /Nothing to print/);
  });
});

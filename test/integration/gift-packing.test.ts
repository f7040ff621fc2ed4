import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LightMyRequestResponse } from 'fastify';
import { SYSTEM } from '../../src/audit/audit-log.js';
import { createApiToken } from '../../src/auth/api-tokens.js';
import { AppError } from '../../src/errors.js';
import { giftPackingDir, runGiftPacking } from '../../src/gifts/packing-run.js';
import { startRapport, type Rapport } from '../../src/main.js';
import { approvedGiftOrder, seedGiftCatalog } from '../helpers/gift-orders.js';
import { pdfInfo, pdfText } from '../helpers/pdf-tools.js';
import { seedPrintCustomers } from '../helpers/print-notes.js';
import { TEST_REDIS_URL, freshDatabase, silentLogger, testConfig } from '../helpers/test-services.js';
import { csvRows } from '../helpers/csv-rows.js';

const run = promisify(execFile);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Manual gift fulfilment: packing runs print one packing slip per pending order (one PDF) and a
// CSV, claim the orders crash-safely, and a later call marks them shipped.
describe('gift packing runs', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let rapport: Rapport;
  let dataDir: string;
  let token: string;
  let managerId: string;
  const prisma = () => database.db.prisma;
  const deps = () => ({ prisma: prisma(), renderer: rapport.runtime.print, dataDir, templatesDir: 'templates', paper: 'a4' as const });
  const call = (method: 'GET' | 'POST', url: string, body?: unknown): Promise<LightMyRequestResponse> =>
    rapport.app!.inject({ method, url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) });
  const order = (externalId: string) => approvedGiftOrder(prisma(), { externalId, sku: 'TEA-01', assigneeId: managerId });
  const cliEnv = () => ({ ...process.env, DATABASE_URL: database.url, DATA_DIR: dataDir, REDIS_URL: TEST_REDIS_URL, LOG_LEVEL: 'silent', CHROMIUM_PATH: CHROMIUM });

  before(async () => {
    database = await freshDatabase();
    dataDir = await mkdtemp(path.join(tmpdir(), 'rapport-gift-packing-'));
    rapport = await startRapport(testConfig({ DATABASE_URL: database.url, DATA_DIR: dataDir, CHROMIUM_PATH: CHROMIUM }), silentLogger(), { workers: false });
    const manager = await prisma().user.create({ data: { email: 'am@rapport.example', name: 'Anh Nguyễn', role: 'admin' } });
    managerId = manager.id;
    token = (await createApiToken(prisma(), { name: 'packing', userId: manager.id })).secret;
    await seedPrintCustomers(prisma());
    await seedGiftCatalog(prisma(), { sku: 'TEA-01', name: 'Jasmine tea tin' });
  });
  after(async () => {
    await rapport?.close();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('a run packs every pending order into one PDF (a page each, Thai and Persian included) and a matching CSV', async () => {
    const ids = { th: await order('print-th'), vi: await order('print-vi'), fa: await order('print-fa'), us: await order('print-us') };
    const homeless = await order('print-noaddr');

    const reply = await call('POST', '/api/v1/gift-packing-runs', {});
    assert.equal(reply.statusCode, 201, reply.body);
    const { run: packed } = reply.json();
    assert.equal(packed.orders, 4);
    assert.deepEqual(packed.unaddressed, [homeless], 'an order without an address waits');
    const dir = path.join(giftPackingDir(dataDir), packed.id);
    assert.deepEqual((await readdir(dir)).sort(), ['packing-slips.csv', 'packing-slips.pdf']);

    const pdf = await readFile(path.join(dir, 'packing-slips.pdf'));
    const info = await pdfInfo(pdf);
    assert.equal(info.pages, 4);
    assert.equal(info.pageSize, '595.28 x 841.89', 'A4');
    const text = (await pdfText(pdf)).normalize('NFC');
    for (const name of ['สมชาย ใจดี', 'مریم احمدی', 'Trần Thị Lan', 'Jane Doe']) assert.ok(text.includes(name), `${name} in ${text}`);

    const rows = await csvRows(path.join(dir, 'packing-slips.csv'));
    assert.deepEqual(rows.map((r) => r['order_id']).sort(), Object.values(ids).sort());
    assert.deepEqual(rows.map((r) => Number(r['page'])), [1, 2, 3, 4]);
    for (const row of rows) {
      // The page the CSV names holds this order's slip: its recipient, gift, sender and reference.
      const page = (await pdfText(pdf, { first: Number(row['page']), last: Number(row['page']) })).normalize('NFC');
      for (const value of [row['recipient']!, row['reference']!, row['order_id']!, 'TEA-01', 'Jasmine tea tin', 'Anh Nguyễn']) assert.ok(page.includes(value.normalize('NFC')), `page ${row['page']} holds "${value}": ${page}`);
      const stored = await prisma().giftOrder.findUniqueOrThrow({ where: { id: row['order_id']! } });
      assert.deepEqual([stored.status, stored.packingRunId, stored.packingPage], ['packed', packed.id, Number(row['page'])]);
    }
    assert.equal(rows.find((r) => r['order_id'] === ids.fa)?.['address_line_1'], 'خیابان ولیعصر، پلاک ۱۲');

    const download = await call('GET', packed.files['packing-slips.pdf']);
    assert.equal(download.statusCode, 200);
    assert.equal(download.headers['content-type'], 'application/pdf');
    assert.deepEqual(download.rawPayload, pdf);
    assert.equal((await call('GET', `/api/v1/gift-packing-runs/${packed.id}/secrets.txt`)).statusCode, 422);

    assert.deepEqual((await call('POST', '/api/v1/gift-packing-runs', {})).json(), { run: null }, 'nothing left to pack');

    // Shipping: a whole run, then again (harmless), then an order that was never packed (refused).
    const shipped = (await call('POST', '/api/v1/gift-orders/ship', { packingRunId: packed.id })).json().results;
    assert.deepEqual(shipped.map((r: { result: string }) => r.result), ['shipped', 'shipped', 'shipped', 'shipped']);
    assert.equal((await prisma().giftOrder.findUniqueOrThrow({ where: { id: ids.th } })).status, 'shipped');
    const again = (await call('POST', '/api/v1/gift-orders/ship', { giftOrderIds: [ids.th, homeless] })).json().results;
    assert.deepEqual(again.map((r: { result: string }) => r.result), ['already_shipped', 'refused']);
    assert.match(again[1].message, /is pending; it cannot become shipped/);
    const bad = await call('POST', '/api/v1/gift-orders/ship', { giftOrderIds: [ids.th], packingRunId: packed.id });
    assert.equal(bad.statusCode, 422);
    assert.equal(bad.json().error.field, 'giftOrderIds');
    assert.equal(await prisma().auditEntry.count({ where: { entityId: ids.th, action: 'gift_order.shipped' } }), 1);
    await prisma().giftOrder.update({ where: { id: homeless }, data: { status: 'cancelled' } });
  });

  test('a run killed mid-way loses no order and packs none twice; the next run picks them up', async () => {
    const ids = [await order('print-th'), await order('print-fa'), await order('print-vi')];
    const child = await run(process.execPath, ['--import', 'tsx', 'test/helpers/gift-packing-child.ts'], { env: { ...process.env, DATABASE_URL: database.url, DATA_DIR: dataDir } }).then(
      () => assert.fail('the child should have been killed'),
      (err: { signal?: string; stdout?: string }) => err,
    );
    assert.equal(child.signal, 'SIGKILL');
    assert.match(child.stdout ?? '', /crashing now/);

    const dead = await prisma().giftPackingRun.findFirstOrThrow({ where: { status: 'rendering' } });
    assert.equal(await prisma().giftOrder.count({ where: { packingRunId: dead.id, status: 'packing' } }), ids.length);
    assert.ok((await readdir(giftPackingDir(dataDir))).includes(`${dead.id}.partial`), 'the dead run left its slips in a partial folder');

    // While the dead run's lease lasts nobody else may pack (it could be a slow, live process).
    await assert.rejects(runGiftPacking(deps(), { actor: SYSTEM }), (e: unknown) => e instanceof AppError && e.code === 'RAPPORT_GIFT_PACKING_BUSY');
    await prisma().giftPackingRun.update({ where: { id: dead.id }, data: { leaseUntil: new Date(Date.now() - 1_000) } });

    const report = await runGiftPacking(deps(), { actor: SYSTEM });
    assert.equal(report?.orders, ids.length);
    assert.equal((await prisma().giftPackingRun.findUniqueOrThrow({ where: { id: dead.id } })).status, 'abandoned');
    const folders = await readdir(giftPackingDir(dataDir));
    assert.ok(!folders.some((f) => f.endsWith('.partial')), `no partial folder is left: ${folders.join(', ')}`);
    // Every order is on exactly one committed run's slips.
    const counts = new Map<string, number>();
    for (const folder of folders) for (const row of await csvRows(path.join(giftPackingDir(dataDir), folder, 'packing-slips.csv'))) counts.set(row['order_id']!, (counts.get(row['order_id']!) ?? 0) + 1);
    for (const id of ids) assert.equal(counts.get(id), 1, `order ${id} packed once`);
    const released = await prisma().auditEntry.count({ where: { entityId: { in: ids }, action: 'gift_order.released' } });
    assert.equal(released, ids.length);

    // A later run packs only what came since.
    const late = await order('print-us');
    const next = await runGiftPacking(deps(), { actor: SYSTEM });
    assert.deepEqual((await csvRows(path.join(next!.dir, 'packing-slips.csv'))).map((r) => r['order_id']), [late]);
  });

  test('rapport gifts pack (progress, letter paper) and rapport gifts ship; refused when a partner fulfils', async () => {
    const id = await order('print-th');
    const { stdout, stderr } = await run(process.execPath, ['bin/rapport.js', 'gifts', 'pack', '--paper', 'letter'], { env: cliEnv() });
    const runId = /Packing run ([0-9a-f-]{36}): 1 order\(s\) in /.exec(stdout)?.[1];
    assert.ok(runId, stdout);
    assert.match(stdout, /packing-slips\.pdf\n {2}packing-slips\.csv/);
    assert.match(stderr, /packing 0\/1 orders {2}packing-slips\.pdf\npacking 1\/1 orders {2}packing-slips\.csv/);
    assert.equal((await pdfInfo(await readFile(path.join(giftPackingDir(dataDir), runId, 'packing-slips.pdf')))).pageSize, '612 x 792', 'US Letter');

    const shipped = await run(process.execPath, ['bin/rapport.js', 'gifts', 'ship', '--run', runId], { env: cliEnv() });
    assert.match(shipped.stdout, new RegExp(`${id} {2}shipped\\n1 gift order\\(s\\) marked shipped`));
    const nothing = await run(process.execPath, ['bin/rapport.js', 'gifts', 'pack'], { env: cliEnv() });
    assert.match(nothing.stdout, /Nothing to pack/);

    const refused = await run(process.execPath, ['bin/rapport.js', 'gifts', 'pack'], { env: { ...cliEnv(), GIFT_PARTNER_URL: 'http://127.0.0.1:9/orders' } }).then(
      () => assert.fail('packing must be refused'),
      (err: { code?: number; stderr?: string }) => err,
    );
    assert.equal(refused.code, 1);
    assert.match(refused.stderr ?? '', /RAPPORT_GIFT_PARTNER_CONFIGURED/);
  });
});

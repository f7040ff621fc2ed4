import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImportFileError, importCustomers, type ImportProgress, type RejectedRow } from '../../src/customers/import-customers.js';
import { OWNER_EMAIL } from '../helpers/api-harness.js';
import { TEST_REDIS_URL, freshDatabase } from '../helpers/test-services.js';

const BIN = fileURLToPath(new URL('../../bin/rapport.js', import.meta.url));
const HEADER = 'externalId,name,firstName,email,locale,timeZone,owner,accountExternalId,accountName,tier,tags,country,birthday,customerSince,renewalDate,lifetimeValue,optedOut,doNotContact';

// Line numbers are the point of the report, so each row's line is written next to it.
const ROWS = [
  /* 2 */ `vi-1,Nguyễn Thị Minh Khai,Khai,khai@example.vn,vi-VN,Asia/Ho_Chi_Minh,${OWNER_EMAIL},acct-vn,Công ty Bình Minh,gold,vip; early ,VN,1990-02-03,2020-01-01,2027-01-01,1250.50,no,0`,
  /* 3 */ 'th-1,สมชาย ใจดี,สมชาย,somchai@example.th,th,Asia/Bangkok,,,,,,TH,,,,,false,FALSE',
  /* 4 */ 'fa-1,پریسا احمدی,پریسا,parisa@example.ir,fa,Asia/Tehran,,acct-ir,شرکت پارس,,,IR,,,,,yes,1',
  /* 5 */ 'en-bad,John Smith,,not-an-email,en,Mars/Phobos,,,,,,,,,,,,',
  /* 6 */ 'vi-bad,Trần Văn Bình,Bình,,vi,,,,,,,,1990-02-30,,,,,',
  /* 7 */ 'th-bad,วิภา ศรีสุข,,,th,,,,,,,,,,,,maybe,',
  /* 8 */ 'en-2,"Zoë O\'Brien, Jr.",Zoë,zoe@example.ie,en-IE,Europe/Dublin,,acct-multi,"Acme',
  /* 9 */ 'Dublin Branch",,,IE,,,,,,',
  /* 10 */ 'fa-bad,علی رضایی,,,fa,,ghost@rapport.example,,,,,,,,,,,',
  /* 11 */ 'short,row,only',
  /* 12 */ '',
  /* 13 */ 'vi-1,Nguyễn Thị Minh Khai,,,,,,,,,,,,,,,,',
];
const EXPECTED_REPORT = [
  'line 5, email: expected an email address',
  'line 5, timeZone: expected an IANA time zone such as Europe/Berlin or Asia/Bangkok',
  'line 6, birthday: not a real calendar date',
  'line 7, optedOut: expected true/false, yes/no or 1/0, got "maybe"',
  'line 10, owner: No Rapport user with email ghost@rapport.example',
  'line 11, (row): has 3 fields but the header has 18; check for an unquoted comma',
];

describe('rapport import customers', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let dir: string;
  let csv: string;
  const prisma = () => database.db.prisma;
  const run = (args: string[]) =>
    spawnSync(process.execPath, [BIN, 'import', 'customers', ...args], {
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, LOG_LEVEL: 'silent' },
      timeout: 120_000,
    });
  const counts = async () => ({ customers: await prisma().customer.count(), accounts: await prisma().account.count(), audit: await prisma().auditEntry.count() });
  const reportLines = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('line '));

  before(async () => {
    database = await freshDatabase();
    await prisma().user.create({ data: { email: OWNER_EMAIL, name: 'Olu Owner', role: 'account_manager' } });
    dir = await mkdtemp(path.join(tmpdir(), 'rapport-import-'));
    csv = path.join(dir, 'customers.csv');
    // Excel's "CSV UTF-8": a BOM and CRLF line ends.
    await writeFile(csv, `\uFEFF${[HEADER, ...ROWS].join('\r\n')}\r\n`, 'utf8');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await database?.drop();
  });

  test('--dry-run checks every row (owners too), reports the bad ones and writes nothing', async () => {
    const r = run([csv, '--dry-run']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /Dry run: nothing was written\. 10 rows: 4 would be created, 1 updated, 5 rejected\./);
    assert.deepEqual(reportLines(r.stdout), EXPECTED_REPORT);
    assert.deepEqual(await counts(), { customers: 0, accounts: 0, audit: 0 });
  });

  test('a real run writes the valid rows exactly (Vietnamese, Thai, Persian) and reports the rest', async () => {
    const reportFile = path.join(dir, 'rejected.csv');
    const r = run([csv, '--report', reportFile]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^10 rows: 4 created, 1 updated, 5 rejected\./);
    assert.deepEqual(reportLines(r.stdout), EXPECTED_REPORT);

    const customers = await prisma().customer.findMany({ orderBy: { externalId: 'asc' }, include: { account: true, owner: true } });
    assert.deepEqual(customers.map((c) => c.externalId), ['en-2', 'fa-1', 'th-1', 'vi-1']);
    const [en, fa, th, vi] = customers;
    assert.equal(vi!.name, 'Nguyễn Thị Minh Khai');
    assert.equal(vi!.name.normalize('NFC'), vi!.name, 'stored byte for byte as written (NFC)');
    // Line 13 updated vi-1 with only a name: the columns it left empty kept their values.
    assert.equal(vi!.firstName, 'Khai');
    assert.equal(vi!.locale, 'vi-VN');
    assert.equal(vi!.timeZone, 'Asia/Ho_Chi_Minh');
    assert.equal(vi!.account?.name, 'Công ty Bình Minh');
    assert.equal(vi!.owner?.email, OWNER_EMAIL);
    assert.deepEqual(vi!.tags, ['vip', 'early']);
    assert.equal(vi!.birthday?.toISOString().slice(0, 10), '1990-02-03');
    assert.equal(Number(vi!.lifetimeValue), 1250.5);
    assert.equal(vi!.optedOut, false);
    assert.equal(th!.name, 'สมชาย ใจดี');
    assert.equal(th!.firstName, 'สมชาย');
    assert.equal(fa!.name, 'پریسا احمدی');
    assert.equal(fa!.account?.name, 'شرکت پارس');
    assert.equal(fa!.optedOut, true);
    assert.equal(fa!.doNotContact, true);
    assert.equal(en!.name, "Zoë O'Brien, Jr.");
    assert.equal(en!.account?.name, 'Acme\nDublin Branch');
    // Rejected rows left nothing behind.
    assert.equal(await prisma().customer.count({ where: { externalId: { in: ['en-bad', 'vi-bad', 'th-bad', 'fa-bad'] } } }), 0);

    const report = await readFile(reportFile, 'utf8');
    assert.deepEqual(report.trim().split('\n'), [
      'line,field,reason',
      '5,email,expected an email address',
      '5,timeZone,expected an IANA time zone such as Europe/Berlin or Asia/Bangkok',
      '6,birthday,not a real calendar date',
      '7,optedOut,"expected true/false, yes/no or 1/0, got ""maybe"""',
      '10,owner,No Rapport user with email ghost@rapport.example',
      '11,(row),has 3 fields but the header has 18; check for an unquoted comma',
    ]);
  });

  test('a file whose rows are all valid exits 0; running it again updates', async () => {
    const good = path.join(dir, 'good.csv');
    await writeFile(good, `${HEADER}\n${ROWS[1]}\n${ROWS[2]}\n`, 'utf8');
    const r = run([good]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /2 rows: 0 created, 2 updated, 0 rejected\./);
    assert.doesNotMatch(r.stdout, /Rejected rows/);
  });

  test('unusable files and arguments are usage errors (exit 2) that write nothing', async () => {
    const before = await counts();
    const unknownColumn = path.join(dir, 'typo.csv');
    await writeFile(unknownColumn, 'externalId,name,emial\nx-1,X,x@example.com\n', 'utf8');
    const cases: [string[], RegExp][] = [
      [[path.join(dir, 'missing.csv')], /cannot read .*missing\.csv: ENOENT/],
      [[unknownColumn], /line 1: unknown column "emial" in the header; the columns are: externalId,name/],
      [[csv, '--fast'], /Unknown option '--fast'/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.deepEqual(await counts(), before);
  });

  test('files that are not UTF-8 CSV with a usable header are refused before any row is written', async () => {
    const attempt = (content: Buffer | string) =>
      importCustomers(prisma(), Readable.from([Buffer.from(content)]), { actor: { type: 'system', id: 'test' } }).then(
        () => assert.fail('expected ImportFileError'),
        (err: Error) => {
          assert.ok(err instanceof ImportFileError, String(err));
          return err.message;
        },
      );
    const before = await counts();
    const latin1 = Buffer.concat([Buffer.from('externalId,name\nx-2,Anna\nx-3,'), Buffer.from('Zoë', 'latin1'), Buffer.from('\n')]);
    assert.match(await attempt(latin1), /not valid UTF-8 \(near line 3\)/);
    assert.match(await attempt(''), /the file is empty/);
    assert.match(await attempt('name,email\nX,x@example.com\n'), /the header needs the column externalId/);
    assert.match(await attempt('externalId,name,name\n'), /column "name" appears twice/);
    assert.deepEqual(await counts(), before);
  });

  test('large files stream in batches with progress, and rows with one externalId keep file order', async () => {
    const big = path.join(dir, 'big.csv');
    const lines = ['externalId,name,tags'];
    for (let i = 0; i < 1200; i++) lines.push(i % 100 === 7 ? `bulk-${i},,x` : `bulk-${i % 1000},Bulk ${i},batch`);
    await writeFile(big, `${lines.join('\n')}\n`, 'utf8');
    const progress: ImportProgress[] = [];
    const rejected: RejectedRow[] = [];
    const summary = await importCustomers(prisma(), createReadStream(big, { highWaterMark: 4096 }), {
      actor: { type: 'system', id: 'test' },
      batchSize: 500,
      onProgress: (p) => progress.push(p),
      onRejected: (r) => void rejected.push(r),
    });
    assert.deepEqual({ ...summary, bytesRead: 0 }, { bytesRead: 0, rows: 1200, created: 990, updated: 198, rejected: 12, optOutsKept: 0 });
    assert.equal(summary.bytesRead, (await stat(big)).size);
    assert.deepEqual(progress.map((p) => p.rows), [500, 1000, 1200], 'one report per 500 rows');
    assert.deepEqual(rejected.slice(0, 2), [
      { line: 9, field: 'name', message: 'required' },
      { line: 109, field: 'name', message: 'required' },
    ]);
    // bulk-0 appears at rows 0 and 1000: the later row wins.
    assert.equal((await prisma().customer.findUniqueOrThrow({ where: { externalId: 'bulk-0' } })).name, 'Bulk 1000');
  });
});

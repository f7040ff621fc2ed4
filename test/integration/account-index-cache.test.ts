import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { AccountIndexCache, loadDirectory, type IndexRebuild } from '../../src/matching/account-index-cache.js';
import { findSignals } from '../../src/matching/find-signals.js';
import type { MatchIndex } from '../../src/matching/match-index.js';
import { freshDatabase, TEST_DATABASE_URL } from '../helpers/test-services.js';

// The match index a worker keeps over the accounts in PostgreSQL: read a page at a time, built in
// slices, rebuilt when what it reads changes (counted by triggers) and only then.
describe('account index cache', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  const prisma = () => database.db.prisma;
  const version = async () => (await prisma().matchDirectoryVersion.findUniqueOrThrow({ where: { id: 1 } })).version;
  /** A session of its own, whose search_path does not name the test's schema. */
  const session = async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    return client;
  };

  before(async () => {
    database = await freshDatabase();
    // 700 accounts named "Harbor <n> Freight", each with one contact; uuids sort in no particular order.
    await prisma().account.createMany({ data: Array.from({ length: 700 }, (_, i) => ({ name: `Harbor ${i} Freight`, aliases: [`HBF${i}`], locale: 'en' })) });
    const accounts = await prisma().account.findMany({ select: { id: true, name: true } });
    await prisma().customer.createMany({ data: accounts.map((a, i) => ({ externalId: `contact-${i}`, accountId: a.id, name: `Mira Contact${i}`, title: 'CFO' })) });
  });
  after(async () => database.drop());

  test('the directory is read a page at a time, every account once, in id order, with its contacts', async () => {
    const whole = await loadDirectory(prisma(), 10_000);
    const paged = await loadDirectory(prisma(), 64);
    assert.equal(whole.length, 700);
    assert.deepEqual(paged, whole);
    const ids = paged.map((a) => a.id);
    assert.deepEqual(ids, [...ids].sort());
    assert.ok(paged.every((a) => a.contacts.length === 1 && a.contacts[0]?.name.startsWith('Mira Contact')));
    // A directory that is an exact number of pages ends with one empty page.
    assert.equal((await loadDirectory(prisma(), 100)).length, 700);
  });

  test('the index is built in slices, kept while nothing changes and rebuilt when an account is added', async () => {
    let yields = 0;
    const rebuilds: IndexRebuild[] = [];
    const cache = new AccountIndexCache(prisma(), { pageSize: 128, sliceMs: 0, yieldToLoop: async () => void yields++, onRebuilt: (r) => rebuilds.push(r) });
    const first = await cache.get();
    assert.deepEqual(rebuilds.map(({ version, accounts, contacts }) => ({ version, accounts, contacts })), [{ version: String(await version()), accounts: 700, contacts: 700 }]);
    // 700 accounts, a clock check every 64: 10 slices, then the automaton and its entries.
    assert.equal(yields, 12);
    assert.equal(await cache.get(), first, 'nothing changed: the same index');
    assert.equal(yields, 12);

    const article = { id: 'a1', title: '', text: 'Quayside Logistics opens a new plant in Rotterdam.' };
    assert.deepEqual(findSignals(first, article), []);
    const added = await prisma().account.create({ data: { name: 'Quayside Logistics', locale: 'en' } });
    const rebuilt = await cache.get();
    assert.notEqual(rebuilt, first);
    assert.deepEqual(rebuilds.map((r) => r.accounts), [700, 701], 'reported once per rebuild');
    assert.deepEqual(findSignals(rebuilt, article).map((s) => [s.accountId, s.kind]), [[added.id, 'expansion']]);
  });

  test('articles asked for during a rebuild wait for the one rebuild and all get the new index', async () => {
    const cache = new AccountIndexCache(prisma(), { sliceMs: 0 });
    await cache.get();
    await prisma().customer.update({ where: { externalId: 'contact-3' }, data: { name: 'Mira Renamed' } });
    const [a, b, c] = await Promise.all([cache.get(), cache.get(), cache.get()]);
    assert.ok(a === b && b === c, 'one rebuild shared by every caller');
    assert.ok(a.accounts.some((account) => account.contacts.some((contact) => contact.name === 'Mira Renamed')));
  });

  test('a change committed during a rebuild is not lost: the next article gets an index with it', async () => {
    let late: Promise<unknown> | undefined;
    const cache = new AccountIndexCache(prisma(), {
      sliceMs: 0,
      // The directory has been read by the first slice: the account arrives too late for this build.
      yieldToLoop: async () => void (late ??= prisma().account.create({ data: { name: 'Late Arrival Shipping', locale: 'en' } })),
    });
    const named = (index: MatchIndex) => index.accounts.some((account) => account.name === 'Late Arrival Shipping');
    const first = await cache.get();
    await late;
    assert.equal(named(first), false);
    const next = await cache.get();
    assert.notEqual(next, first);
    assert.equal(named(next), true);
  });

  test('during a burst of changes every article sees its change, and rebuilds are coalesced with a pause between them', async () => {
    const rebuilds: IndexRebuild[] = [];
    const articles: Promise<{ name: string; index: MatchIndex }>[] = [];
    const addAndAsk = async (name: string) => {
      await prisma().account.create({ data: { name, locale: 'en' } });
      articles.push(cache.get().then((index) => ({ name, index })));
    };
    let burst: Promise<void> | undefined;
    let armed = false;
    const cache: AccountIndexCache = new AccountIndexCache(prisma(), {
      sliceMs: 0,
      // Each build takes 12 slices of 20 ms or more. Once the rebuild for the first change has read
      // the directory, five more changes arrive, each with an article asking for the index.
      yieldToLoop: async () => {
        if (armed) burst ??= (async () => { for (let i = 1; i < 6; i++) await addAndAsk(`Burst ${i} Shipping`); })();
        await sleep(20);
      },
      onRebuilt: (r) => rebuilds.push(r),
    });
    await cache.get();
    armed = true;
    await addAndAsk('Burst 0 Shipping');
    await articles[0];
    await burst;
    for (const { name, index } of await Promise.all(articles)) {
      assert.ok(index.accounts.some((account) => account.name === name), `the article asked after ${name} was added sees it`);
    }
    const [first, ...more] = rebuilds.slice(1);
    assert.ok(first!.waitedMs > 0, 'the first rebuild waited for the pause after the initial build (as long as that took)');
    assert.ok(more.length >= 1 && more.length <= 2, `${more.length} more rebuilds for the five changes during the first`);
    assert.ok(more[0]!.waitedMs > 0, 'the next did not start back to back with the first');
  });

  test('a directory version that went back (a database restored from a backup) rebuilds too', async () => {
    const cache = new AccountIndexCache(prisma(), { sliceMs: 0 });
    const first = await cache.get();
    const was = await version();
    await prisma().matchDirectoryVersion.update({ where: { id: 1 }, data: { version: was - 1n } });
    try {
      const restored = await cache.get();
      assert.notEqual(restored, first);
      assert.equal(await cache.get(), restored, 'and keeps it while nothing changes');
    } finally {
      await prisma().matchDirectoryVersion.update({ where: { id: 1 }, data: { version: was } });
    }
  });

  test('a database without the version row (not migrated) gets an error that says what to run', async () => {
    const cache = new AccountIndexCache(prisma(), { sliceMs: 0 });
    const was = await version();
    await prisma().matchDirectoryVersion.delete({ where: { id: 1 } });
    try {
      await assert.rejects(cache.get(), /MatchDirectoryVersion has no row 1: run `rapport migrate`/);
    } finally {
      await prisma().matchDirectoryVersion.create({ data: { id: 1, version: was } });
    }
  });

  test('changes to what the index reads are counted, once per transaction; other changes are not', async () => {
    const [account] = await prisma().account.findMany({ take: 1, orderBy: { id: 'asc' }, include: { customers: true } });
    const contact = account!.customers[0]!;
    const unchanged = async (what: string, change: () => Promise<unknown>) => {
      const before = await version();
      await change();
      assert.equal(await version(), before, `${what} is not counted`);
    };
    const counted = async (what: string, change: () => Promise<unknown>) => {
      const before = await version();
      await change();
      assert.equal(await version(), before + 1n, `${what} is counted once`);
    };
    // What a purchase, an opt-out or a CRM sync of other fields does to a contact or an account.
    await unchanged('a contact\'s lifetime value', () => prisma().customer.update({ where: { id: contact.id }, data: { lifetimeValue: { increment: 120 } } }));
    await unchanged('an opt-out', () => prisma().customer.update({ where: { id: contact.id }, data: { optedOut: true } }));
    await unchanged('a customer without an account', () => prisma().customer.create({ data: { externalId: 'walk-in', name: 'Walk In' } }));
    await unchanged('an account\'s tier', () => prisma().account.update({ where: { id: account!.id }, data: { tier: 'gold' } }));
    await unchanged('writing a name unchanged', () => prisma().account.update({ where: { id: account!.id }, data: { name: account!.name } }));

    await counted('a contact\'s title', () => prisma().customer.update({ where: { id: contact.id }, data: { title: 'CEO' } }));
    await counted('an account\'s keywords', () => prisma().account.update({ where: { id: account!.id }, data: { keywords: ['freight'] } }));
    await counted('a customer linked to an account', () => prisma().customer.update({ where: { externalId: 'walk-in' }, data: { accountId: account!.id } }));
    await counted('a new account and its contact, in one transaction', () =>
      prisma().$transaction(async (tx) => {
        const created = await tx.account.create({ data: { name: 'Pier Nine Cargo' } });
        await tx.customer.create({ data: { externalId: 'pier-nine', accountId: created.id, name: 'Ola Pier' } });
        await tx.account.update({ where: { id: created.id }, data: { aliases: ['P9C'] } });
      }),
    );
    const pier = await prisma().account.findFirstOrThrow({ where: { name: 'Pier Nine Cargo' } });
    await counted('a deleted account (its contact let go)', () => prisma().account.delete({ where: { id: pier.id } }));
    await unchanged('a rolled-back rename', () =>
      prisma().$transaction(async (tx) => {
        await tx.account.update({ where: { id: account!.id }, data: { name: 'Never Was' } });
        throw new Error('rolled back');
      }).catch(() => undefined),
    );
    // A session whose search_path does not name the schema still counts in that schema's row.
    const other = await session();
    try {
      await counted('a rename in another session', () => other.query(`UPDATE "${database.schema}"."Account" SET "name" = 'Harbor Zero Freight' WHERE "id" = $1`, [account!.id]));
    } finally {
      await other.end();
    }
  });

  test('a transaction renaming an account holds up no other until it commits', async () => {
    const [first, second] = await prisma().account.findMany({ take: 2, orderBy: { id: 'desc' } });
    const slow = await session();
    const quick = await session();
    try {
      await slow.query('BEGIN');
      await slow.query(`UPDATE "${database.schema}"."Account" SET "name" = 'Slow Rename' WHERE "id" = $1`, [first!.id]);
      // Were the count's row locked at the rename, this would wait for the open transaction and
      // fail after the timeout; the count is taken at commit, so it goes through at once.
      await quick.query(`SET statement_timeout = '3s'`);
      const before = await version();
      await quick.query(`UPDATE "${database.schema}"."Account" SET "name" = 'Quick Rename' WHERE "id" = $1`, [second!.id]);
      assert.equal(await version(), before + 1n);
      await slow.query('COMMIT');
      assert.equal(await version(), before + 2n);
    } finally {
      await slow.end();
      await quick.end();
    }
  });
});

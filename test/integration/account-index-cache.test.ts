import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AccountIndexCache, loadDirectory } from '../../src/matching/account-index-cache.js';
import { findSignals } from '../../src/matching/find-signals.js';
import { freshDatabase } from '../helpers/test-services.js';

// The match index a worker keeps over the accounts in PostgreSQL: read a page at a time, built in
// slices, rebuilt when an account or contact changes.
describe('account index cache', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  const prisma = () => database.db.prisma;

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
    const cache = new AccountIndexCache(prisma(), { pageSize: 128, sliceMs: 0, yieldToLoop: async () => void yields++ });
    const first = await cache.get();
    // 700 accounts, a clock check every 64: 10 slices, then the automaton and its entries.
    assert.equal(yields, 12);
    assert.equal(await cache.get(), first, 'nothing changed: the same index');
    assert.equal(yields, 12);

    const article = { id: 'a1', title: '', text: 'Quayside Logistics opens a new plant in Rotterdam.' };
    assert.deepEqual(findSignals(first, article), []);
    const added = await prisma().account.create({ data: { name: 'Quayside Logistics', locale: 'en' } });
    const rebuilt = await cache.get();
    assert.notEqual(rebuilt, first);
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
});

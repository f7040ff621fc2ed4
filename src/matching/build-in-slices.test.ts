import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DirectoryAccount } from './account-directory.js';
import { findSignals, type ArticleInput } from './find-signals.js';
import { buildMatchIndex, buildMatchIndexInSlices } from './match-index.js';

// A directory in four scripts, large enough for many slices: names, aliases, domains and contacts.
const SCRIPTS = [
  { locale: 'en', name: (i: number) => `Northwind ${i} Corp`, alias: (i: number) => `NW${i}` },
  { locale: 'vi', name: (i: number) => `Công ty Cổ phần Hòa Bình ${i}`, alias: (i: number) => `Hoa Binh ${i}` },
  { locale: 'th', name: (i: number) => `บริษัท สยามรุ่งเรือง${i}`, alias: (i: number) => `สยามรุ่งเรือง${i}` },
  { locale: 'fa', name: (i: number) => `گروه صنعتی پارس ${i}`, alias: (i: number) => `پارس ${i}` },
] as const;

function directory(count: number): DirectoryAccount[] {
  return Array.from({ length: count }, (_, i) => {
    const script = SCRIPTS[i % SCRIPTS.length]!;
    return {
      id: `a${i}`,
      name: script.name(i),
      aliases: [script.alias(i)],
      domain: `company${i}.example`,
      locale: script.locale,
      keywords: [],
      contacts: [{ id: `c${i}`, name: `Jane Doe${i}`, aliases: [], title: null }],
    };
  });
}

const ARTICLES: ArticleInput[] = [
  { id: 'en', title: 'Northwind 12 Corp wins an award', text: 'Northwind 12 Corp promoted Jane Doe12 to chief executive. NW16 recalls heaters.' },
  { id: 'vi', title: '', text: 'Công ty Cổ phần Hòa Bình 13 báo lãi kỷ lục trong quý ba. Hoa Binh 17 cắt giảm nhân sự.' },
  { id: 'th', title: '', text: 'สยามรุ่งเรือง14ได้รับรางวัลองค์กรยอดเยี่ยมแห่งปี' },
  { id: 'fa', title: '', text: 'گروه صنعتی پارس 15 رکورد فروش را شکست.' },
];

test('built in slices, the index finds exactly what the one-go build finds', async () => {
  const accounts = directory(400);
  const whole = buildMatchIndex(accounts);
  const sliced = await buildMatchIndexInSlices(accounts, { sliceMs: 0 });
  const found = ARTICLES.map((article) => findSignals(whole, article));
  assert.ok(found.every((signals) => signals.length > 0), 'every article names an account');
  assert.deepEqual(
    ARTICLES.map((article) => findSignals(sliced, article)),
    found,
  );
});

test('between slices the event loop runs: other work is served while the index is built', async () => {
  const accounts = directory(2_000);
  let turns = 0;
  let building = true;
  const turn = () => {
    turns++;
    if (building) setImmediate(turn);
  };
  setImmediate(turn);
  const yields: number[] = [];
  await buildMatchIndexInSlices(accounts, {
    sliceMs: 0,
    yieldToLoop: () => new Promise<void>((resolve) => setImmediate(() => resolve(void yields.push(turns)))),
  });
  building = false;
  // With sliceMs 0, a slice is one clock check: 64 accounts. Then the automaton, then its entries.
  assert.equal(yields.length, Math.floor(2_000 / 64) + 2);
  // The other work ran at every yield, not only once the build was over.
  assert.ok(turns >= yields.length, `${turns} turns of the other work for ${yields.length} yields`);
  assert.ok(yields.every((at, i) => i === 0 || at > (yields[i - 1] ?? 0)), `other work ran between every two slices: ${yields.join(',')}`);
});

test('slices are cut by the clock: a generous slice yields only before the automaton and its entries', async () => {
  let yields = 0;
  await buildMatchIndexInSlices(directory(300), { sliceMs: 60_000, yieldToLoop: async () => void yields++ });
  assert.equal(yields, 2);
});

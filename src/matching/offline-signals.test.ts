import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import { OfflineInputError, runOfflineSignals } from './offline-signals.js';

const root = mkdtempSync(join(tmpdir(), 'rapport-offline-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

function workspace(files: Record<string, string>): string {
  const dir = join(root, `case-${counter++}`);
  mkdirSync(dir);
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}

const ACCOUNTS = JSON.stringify([
  { id: 'a1', name: 'Acme Corp', aliases: ['ACME'], domain: 'acme.com', locale: 'en', contacts: [{ id: 'c1', name: 'Jane Doe', aliases: [], title: 'CEO' }] },
  { id: 'a2', name: 'Globex', aliases: [] },
]);

function rss(items: { guid?: string; link?: string; title: string; description: string }[]): string {
  const body = items
    .map((i) => `<item>${i.guid ? `<guid isPermaLink="false">${i.guid}</guid>` : ''}${i.link ? `<link>${i.link}</link>` : ''}<title>${i.title}</title><description>${i.description}</description></item>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Test</title><link>https://news.example/</link><description>t</description>\n${body}\n</channel></rss>`;
}

async function run(accountsPath: string, inputPath: string): Promise<{ lines: Record<string, unknown>[]; raw: string; articles: number; signals: number }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const counts = await runOfflineSignals({ accountsPath, inputPath, format: 'jsonl' }, out);
  out.end();
  const raw = Buffer.concat(chunks).toString('utf8');
  const lines = raw.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { lines, raw, ...counts };
}

async function inputError(accountsPath: string, inputPath: string): Promise<string> {
  try {
    await run(accountsPath, inputPath);
  } catch (error) {
    assert.ok(error instanceof OfflineInputError, `expected OfflineInputError, got ${String(error)}`);
    return error.message;
  }
  return assert.fail('expected the input to be rejected');
}

test('prints one JSON line per (article, account) match with the documented keys', async () => {
  const dir = workspace({
    'accounts.json': ACCOUNTS,
    'feed.xml': rss([
      { guid: 'g-1', link: 'https://news.example/1', title: 'Acme Corp names Jane Doe chief executive', description: 'The board promoted Jane Doe on Monday.' },
      { link: 'https://news.example/2', title: 'Acmeville fair opens', description: 'Nothing about any company.' },
      { title: 'Globex recalls heaters', description: 'Globex recalled 5,000 heaters after fires.' },
    ]),
  });
  const { lines, raw, articles, signals } = await run(join(dir, 'accounts.json'), join(dir, 'feed.xml'));
  assert.equal(articles, 3);
  assert.equal(signals, 2);
  assert.deepEqual(Object.keys(lines[0] ?? {}), ['article', 'account', 'contact', 'kind', 'polarity', 'confidence', 'evidence']);
  assert.deepEqual({ ...lines[0], confidence: 0 }, {
    article: 'g-1',
    account: 'a1',
    contact: 'c1',
    kind: 'promotion',
    polarity: 'positive',
    confidence: 0,
    evidence: 'The board promoted Jane Doe on Monday.',
  });
  assert.equal(lines[1]?.account, 'a2');
  assert.equal(lines[1]?.kind, 'recall');
  assert.match(String(lines[1]?.article), /^hash:[0-9a-f]{64}$/);
  assert.ok(raw.endsWith('\n'));
});

test('reads every feed file of a directory in name order, skipping dotfiles and other files', async () => {
  const dir = workspace({
    'accounts.json': ACCOUNTS,
    'feeds/b.xml': rss([{ guid: 'b-1', title: 'Globex opens new plant', description: '' }]),
    'feeds/a.xml': rss([{ guid: 'a-1', title: 'Acme Corp launches scooter', description: '' }]),
    'feeds/.DS_Store': 'junk',
    'feeds/README.md': '# not a feed',
  });
  const first = await run(join(dir, 'accounts.json'), join(dir, 'feeds'));
  const second = await run(join(dir, 'accounts.json'), join(dir, 'feeds'));
  assert.deepEqual(first.lines.map((l) => l.article), ['a-1', 'b-1']);
  assert.equal(first.raw, second.raw);
});

test('runs on the shared Vietnamese fixture feed', async () => {
  const dir = workspace({ 'accounts.json': ACCOUNTS });
  const fixture = new URL('../../test/fixtures/feeds/vi-rss2.xml', import.meta.url).pathname;
  const { lines } = await run(join(dir, 'accounts.json'), fixture);
  const byArticle = new Map(lines.map((l) => [l.article, l]));
  assert.equal(byArticle.get('dnmt-4821')?.kind, 'expansion');
  assert.equal(byArticle.get('dnmt-4817')?.polarity, 'negative');
  assert.ok(lines.every((l) => l.account === 'a1'));
});

test('bad input is an OfflineInputError that says what and where', async () => {
  const dir = workspace({
    'accounts.json': ACCOUNTS,
    'not-json.json': '[{"id": "a1",',
    'bad-accounts.json': JSON.stringify([{ id: 'a1', name: 'Acme' }, { id: 'a2', name: 'B', contacts: [{ id: 'c1' }] }]),
    'feed.xml': rss([{ guid: 'x', title: 'Acme Corp', description: '' }]),
    'broken.xml': '<rss><channel><item><title>unclosed',
    'empty/.keep': '',
  });
  assert.match(await inputError(join(dir, 'missing.json'), join(dir, 'feed.xml')), /missing\.json: no such file/);
  assert.match(await inputError(join(dir, 'not-json.json'), join(dir, 'feed.xml')), /not-json\.json: not valid JSON/);
  assert.match(await inputError(join(dir, 'bad-accounts.json'), join(dir, 'feed.xml')), /^bad-accounts\.json\[1\]\.contacts\[0\]\.name: required$/);
  assert.match(await inputError(join(dir, 'accounts.json'), join(dir, 'nowhere.xml')), /nowhere\.xml: no such file/);
  assert.match(await inputError(join(dir, 'accounts.json'), join(dir, 'broken.xml')), /broken\.xml: .*RAPPORT_FEED_MALFORMED/);
  assert.match(await inputError(join(dir, 'accounts.json'), join(dir, 'empty')), /contains no feed files/);
});

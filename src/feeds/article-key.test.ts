import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { articleDedupeKey, canonicalArticleLink } from './article-key.js';
import { parseFeed, type ParsedArticle } from './parse-feed.js';

const base: ParsedArticle = { guid: null, link: null, title: '', text: '', publishedAt: null, language: null };

test('the guid wins when present', () => {
  assert.equal(articleDedupeKey({ ...base, guid: 'nbw-2025-0412', link: 'https://a.example/x' }), 'guid:nbw-2025-0412');
});

test('without a guid, links that differ only in tracking, case of host, fragment, slash or scheme share a key', () => {
  const variants = [
    'https://News.Example.com/2025/acme-series-b/',
    'https://news.example.com/2025/acme-series-b',
    'http://news.example.com/2025/acme-series-b#comments',
    'https://news.example.com:443/2025/acme-series-b?utm_source=rss&utm_medium=feed',
    'https://news.example.com/2025/acme-series-b/?fbclid=abc123',
  ];
  const keys = new Set(variants.map((link) => articleDedupeKey({ ...base, link })));
  assert.deepEqual([...keys], ['link:https://news.example.com/2025/acme-series-b']);
});

test('meaningful query parameters and paths stay distinct, in their original encoding', () => {
  assert.equal(canonicalArticleLink('https://a.example/news?id=7&utm_campaign=x&page=2'), 'https://a.example/news?id=7&page=2');
  assert.equal(canonicalArticleLink('https://a.example/tin-t%E1%BB%A9c?q=a%20b'), 'https://a.example/tin-t%E1%BB%A9c?q=a%20b');
  assert.notEqual(canonicalArticleLink('https://a.example/news?id=7'), canonicalArticleLink('https://a.example/news?id=8'));
  assert.equal(canonicalArticleLink('https://a.example:8443/'), 'https://a.example:8443');
});

test('without guid or link, the hash ignores case and whitespace but not wording', () => {
  const key = articleDedupeKey({ ...base, title: 'Umbrella Logistics breach', text: 'Names  copied.' });
  assert.match(key, /^hash:[0-9a-f]{64}$/);
  assert.equal(articleDedupeKey({ ...base, title: ' umbrella logistics BREACH ', text: 'names\ncopied.' }), key);
  assert.notEqual(articleDedupeKey({ ...base, title: 'Umbrella Logistics breach', text: 'Names copied again.' }), key);
});

test('keys for the English fixture are unique and of the expected kind', async () => {
  const feed = await parseFeed(readFileSync(new URL('../../test/fixtures/feeds/en-rss2.xml', import.meta.url)));
  const keys = feed.articles.map(articleDedupeKey);
  assert.equal(new Set(keys).size, keys.length);
  assert.deepEqual(
    keys.map((key) => key.slice(0, key.indexOf(':'))),
    ['guid', 'guid', 'link', 'guid', 'guid', 'guid', 'hash', 'guid'],
  );
  assert.equal(keys[2], 'link:https://news.northwind-wire.example/local/2025/03/02/acmeville-150-years');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenizedText } from './tokenize-text.js';

const tokens = (doc: TokenizedText): string[] => Array.from({ length: doc.count }, (_, t) => doc.raw(t));

test('splits spaced scripts into words and keeps original offsets', () => {
  const doc = new TokenizedText('Acme, Inc. (ACME) — “Việt Nam”!');
  assert.deepEqual(tokens(doc), ['Acme', 'Inc', 'ACME', 'Việt', 'Nam']);
  assert.equal(doc.text.slice(doc.starts[3], doc.ends[4]), 'Việt Nam');
});

test('keeps a ZWNJ inside a Persian word', () => {
  assert.deepEqual(tokens(new TokenizedText('ایران‌خودرو می‌گوید')), ['ایران‌خودرو', 'می‌گوید']);
});

test('cuts Thai into characters and finds word starts with Intl.Segmenter', () => {
  const doc = new TokenizedText('ธนาคารกรุงเทพได้รับรางวัล');
  assert.equal(doc.count, 'ธนาคารกรุงเทพได้รับรางวัล'.length);
  const wordStarts = Array.from({ length: doc.count }, (_, t) => t).filter((t) => doc.isWordStart(t));
  // The token arrays are reused buffers, longer than `count`: the last word ends with the text.
  const words = wordStarts.map((t, i) => doc.text.slice(doc.starts[t], i + 1 < wordStarts.length ? doc.starts[wordStarts[i + 1] ?? 0] : doc.text.length));
  assert.deepEqual(words, ['ธนาคาร', 'กรุงเทพ', 'ได้', 'รับ', 'รางวัล']);
});

test('a Latin word glued to Thai is its own token and starts a word', () => {
  const doc = new TokenizedText('iPhoneรุ่นใหม่');
  assert.equal(doc.raw(0), 'iPhone');
  assert.equal(doc.isWordStart(1), true);
  assert.equal(doc.isWordEnd(0), true);
});

test('finds the first token at or after an offset', () => {
  const doc = new TokenizedText('one two three');
  assert.equal(doc.firstTokenAtOrAfter(4), 1);
  assert.equal(doc.firstTokenAtOrAfter(5), 2);
  assert.equal(doc.firstTokenAtOrAfter(100), 3);
});

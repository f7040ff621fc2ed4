import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DirectoryAccount } from './account-directory.js';
import { collectMentions } from './collect-mentions.js';
import { buildMatchIndex } from './match-index.js';
import { TokenizedText } from './tokenize-text.js';

function account(fields: Partial<DirectoryAccount> & { id: string; name: string }): DirectoryAccount {
  return { aliases: [], domain: null, locale: null, keywords: [], contacts: [], ...fields };
}

const accounts = [
  account({ id: 'acme', name: 'Acme Corp', aliases: ['ACME'] }),
  account({ id: 'bbl', name: 'ธนาคารกรุงเทพ', aliases: ['กรุงเทพ'], locale: 'th' }),
  account({ id: 'ikco', name: 'ایران‌خودرو', locale: 'fa' }),
  account({ id: 'hoaphat', name: 'Tập đoàn Hòa Phát', locale: 'vi' }),
  account({ id: 'astral', name: '𠀀𠀁 Holdings' }),
];
const index = buildMatchIndex(accounts);

/** Accounts named in `text`, as the scanner and mention checks find them (no corroboration rules). */
function named(text: string): string[] {
  const mentions = collectMentions(index, index.scan(text));
  return [...new Set(mentions.map((m) => accounts[m.account]?.id ?? '?'))].sort();
}

function tokensOf(doc: TokenizedText): string[] {
  return Array.from({ length: doc.count }, (_, t) => `${doc.raw(t)}@${doc.starts[t]}:${doc.runs[t]}:${doc.dense[t]}`);
}

const SAMPLES = [
  '',
  ' ',
  'Acme',
  'Acme Corp. (ACME) — “Việt Nam”!',
  'ธนาคารกรุงเทพได้รับรางวัล iPhoneรุ่นใหม่ ราคา99บาท',
  'ایران‌خودرو می‌گوید بانـــک ملت',
  '𠀀𠀁 Holdings 😀 a\uD800 lone high surrogate, and a lone low \uDC00 one',
  'Hòa Phát\n\nSữa Việt Nam.Acmeville…Acme\tCorp',
  'ＡＣＭＥ ﬁnance 123 ٣٤٥ ۶۷',
];

test('cuts every text exactly as TokenizedText does', () => {
  const scan = index.scan('warm-up text so the buffers hold stale tokens from a longer article');
  for (const text of [...SAMPLES, SAMPLES.join(' '), SAMPLES.join('')]) {
    scan.scan(text);
    assert.deepEqual(tokensOf(scan.doc), tokensOf(new TokenizedText(text)), text);
    for (let t = 0; t < scan.doc.count; t++) {
      assert.equal(scan.doc.isWordStart(t), new TokenizedText(text).isWordStart(t), `${text} @${t}`);
    }
  }
});

test('an article longer than the scanner has room for, then a short one, is cut from its own characters', () => {
  const long = `${SAMPLES.join(' ').repeat(400)} Acme Corp`; // ~50,000 code units: the copy grows
  assert.ok(long.length > 1 << 14);
  const scan = index.scan(long);
  assert.deepEqual(tokensOf(scan.doc), tokensOf(new TokenizedText(long)));
  // The copy is longer than the next text: what is left of the long one past its end must not be read.
  assert.deepEqual(named('Acme'), ['acme']);
  assert.deepEqual(named('ACM'), []);
  assert.deepEqual(tokensOf(index.scan('กรุงเทพ').doc), tokensOf(new TokenizedText('กรุงเทพ')));
});

test('finds an alias at the very start and the very end of the text', () => {
  assert.deepEqual(named('Acme'), ['acme']);
  assert.deepEqual(named('Acme opened a plant'), ['acme']);
  assert.deepEqual(named('A plant was opened by Acme'), ['acme']);
  assert.deepEqual(named('กรุงเทพ'), ['bbl']);
  assert.deepEqual(named('ایران‌خودرو'), ['ikco']);
});

test('an alias inside a longer word is not a mention, in spaced and in Thai text', () => {
  assert.deepEqual(named('Acmeville'), []);
  assert.deepEqual(named('SuperAcme'), []);
  // One word for Intl.Segmenter: กรุงเทพ inside กรุงเทพมหานคร is the city, not the bank.
  assert.deepEqual(named('กรุงเทพมหานครประกาศ'), []);
  assert.deepEqual(named('ประกาศกรุงเทพมหานคร'), []);
  assert.deepEqual(named('กรุงเทพประกาศ'), ['bbl']);
});

test('mixed scripts: a Latin name glued to Thai, Thai glued to digits, Persian inside Latin text', () => {
  assert.deepEqual(named('Acmeได้รับรางวัล'), ['acme']);
  assert.deepEqual(named('ได้รับรางวัลAcme'), ['acme']);
  assert.deepEqual(named('ธนาคารกรุงเทพ2024'), ['bbl']);
  assert.deepEqual(named('Shares of ایران‌خودرو rose; ACME fell'), ['acme', 'ikco']);
});

test('case, width and diacritics are folded before the lookup', () => {
  assert.deepEqual(named('ACME and acme and ＡＣＭＥ'), ['acme']);
  assert.deepEqual(named('Hoa Phat'), ['hoaphat']);
  assert.deepEqual(named('HÒA PHÁT'), ['hoaphat']);
  assert.deepEqual(named('Hóa Phát'), []);
});

test('a name outside the Basic Multilingual Plane is found', () => {
  assert.deepEqual(named('Shares of 𠀀𠀁 Holdings rose'), ['astral']);
});

test('a word the scan skipped as in no pattern is still described when asked for', () => {
  const scan = index.scan('Zebras RUN quickly');
  assert.deepEqual([0, 1, 2].map((t) => scan.info(t)).map((info) => [info.key, info.id]), [['zebras', 0], ['run', 0], ['quickly', 0]]);
});

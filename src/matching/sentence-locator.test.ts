import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SentenceLocator } from './sentence-locator.js';
import { IS_WHITESPACE, splitSentences, type SentenceSpan } from './split-sentences.js';
import { seededRandom } from '../../test/helpers/seeded-random.js';

// Pieces that exercise every rule of the splitter: abbreviations, initials, decimals, runs of
// terminators and closing quotes, line breaks, Thai clauses split at spaces, Persian and Chinese.
const PIECES = [
  'Acme Corp. grew 3.5% this year!', ' Did J. Doe leave?', ' Yes.', '\n', '\r\n', ' He joined Acme Corp. in May.',
  ' Then he left Acme Corp.', ' The end.', ' "Really?!"', ' (see No. 5).', ' Wow…', ' ok.', '  ', '.', '!', '?', '”',
  'ธนาคารกรุงเทพได้รับรางวัลธนาคารยอดเยี่ยม', ' ', 'ในงานประกาศผล', ' ซึ่งจัดขึ้นที่กรุงเทพมหานครเมื่อวานนี้', 'บริษัท ปตท. จำกัด',
  'آیا ایران‌خودرو رشد کرد؟', ' بله.', '公司成立了。', 'Dr. Lee', ' TP. HCM', ' Inc. The', ' etc. and', 'x', ' y',
];

function randomText(rand: () => number): string {
  const n = Math.floor(rand() * 30);
  return Array.from({ length: n }, () => PIECES[Math.floor(rand() * PIECES.length)] ?? '').join('');
}

const spanOf = (spans: readonly SentenceSpan[], offset: number) => spans.find((s) => s.start <= offset && offset < s.end) ?? null;

test('finds the same sentences as splitSentences, whatever order it is asked in', () => {
  const rand = seededRandom(7);
  for (let round = 0; round < 300; round++) {
    const text = randomText(rand);
    const spans = splitSentences(text);
    const locator = new SentenceLocator(text);
    const offsets = Array.from(text, (_, i) => i).filter((i) => IS_WHITESPACE[text.charCodeAt(i)] !== 1);
    offsets.sort(() => rand() - 0.5);
    for (const offset of offsets) {
      const expected = spanOf(spans, offset);
      const found = locator.at(offset);
      assert.deepEqual(found, expected, `${JSON.stringify(text)} at ${offset}`);
      const index = spans.indexOf(expected ?? spans[0]!);
      assert.deepEqual(locator.next(found), spans[index + 1] ?? null, `next in ${JSON.stringify(text)} at ${offset}`);
      assert.deepEqual(locator.previous(found), spans[index - 1] ?? null, `previous in ${JSON.stringify(text)} at ${offset}`);
    }
    assert.deepEqual(locator.first(), spans[0] ?? null);
  }
});

test('counts the sentences between two sentences', () => {
  const text = 'One. Two! Three? Four.\nFive';
  const locator = new SentenceLocator(text);
  const one = locator.at(0);
  const four = locator.at(text.indexOf('Four'));
  assert.equal(locator.distance(one, four), 3);
  assert.equal(locator.distance(four, one), 3);
  assert.equal(locator.distance(four, four), 0);
});

test('a blank text has no first sentence', () => {
  assert.equal(new SentenceLocator('  \n ').first(), null);
});

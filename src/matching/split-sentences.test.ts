import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitSentences } from './split-sentences.js';

const sentences = (text: string): string[] => splitSentences(text).map((s) => text.slice(s.start, s.end));

test('splits on . ! ? and line breaks, not after abbreviations, initials or decimals', () => {
  assert.deepEqual(sentences('Acme Corp. grew 3.5% this year! Did J. Doe leave? Yes.\nNext line'), [
    'Acme Corp. grew 3.5% this year!',
    'Did J. Doe leave?',
    'Yes.',
    'Next line',
  ]);
});

test('a company suffix ends the sentence only before a capital', () => {
  assert.deepEqual(sentences('He joined Acme Corp. in May. Then he left Acme Corp. The end.'), ['He joined Acme Corp. in May.', 'Then he left Acme Corp.', 'The end.']);
});

test('splits Persian on ؟ and Chinese on 。', () => {
  assert.deepEqual(sentences('آیا ایران‌خودرو رشد کرد؟ بله.'), ['آیا ایران‌خودرو رشد کرد؟', 'بله.']);
  assert.deepEqual(sentences('公司成立了。公司发布了新产品。'), ['公司成立了。', '公司发布了新产品。']);
});

test('splits Thai at spaces between Thai words, keeping short clauses together', () => {
  const text = 'ธนาคารกรุงเทพได้รับรางวัลธนาคารยอดเยี่ยม ในงานประกาศผล ซึ่งจัดขึ้นที่กรุงเทพมหานครเมื่อวานนี้';
  assert.deepEqual(sentences(text), ['ธนาคารกรุงเทพได้รับรางวัลธนาคารยอดเยี่ยม', 'ในงานประกาศผล ซึ่งจัดขึ้นที่กรุงเทพมหานครเมื่อวานนี้']);
});

test('a dot after a Thai abbreviation does not end the sentence', () => {
  assert.deepEqual(sentences('บริษัท ปตท. จำกัด (มหาชน) ประกาศผลประกอบการ'), ['บริษัท ปตท. จำกัด (มหาชน) ประกาศผลประกอบการ']);
});

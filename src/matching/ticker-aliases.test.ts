import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DirectoryAccount } from './account-directory.js';
import { collectMentions } from './collect-mentions.js';
import { buildMatchIndex } from './match-index.js';
import { isTickerWord } from './name-shape.js';

function account(fields: Partial<DirectoryAccount> & { id: string; name: string }): DirectoryAccount {
  return { aliases: [], domain: null, locale: null, keywords: [], contacts: [], ...fields };
}

const accounts = [
  account({ id: 'chua', name: 'Chuanova Holdings', aliases: ['CHUA'] }),
  account({ id: 'dang', name: 'Dangerfield Mining', aliases: ['DANG'] }),
  account({ id: 'acme', name: 'Acme Corp', aliases: ['ACME'] }),
  account({ id: 'hoaphat', name: 'Tập đoàn Hòa Phát', aliases: ['HPG'], locale: 'vi' }),
  // Shares the word "chua" with the ticker CHUA, so "chưa" is looked up as that word and only the
  // mention check can tell the ticker apart.
  account({ id: 'pagoda', name: 'Chùa Một Cột Tours', locale: 'vi' }),
];
const index = buildMatchIndex(accounts);

/** Accounts named in `text`, as the scanner and mention checks find them (no corroboration rules). */
function named(text: string): string[] {
  const mentions = collectMentions(index, index.scan(text));
  return [...new Set(mentions.map((m) => accounts[m.account]?.id ?? '?'))].sort();
}

test('a ticker is one word of 2–6 capitals and digits, with a letter, without diacritics', () => {
  for (const ticker of ['CHUA', 'VN30', 'HPG', 'AB', 'ABCDEF']) assert.equal(isTickerWord([ticker]), true, ticker);
  for (const name of ['Acme', 'VIỆT', 'ĐANG', '2024', 'A', 'ABCDEFG', 'ＣＨＵＡ']) assert.equal(isTickerWord([name]), false, name);
  assert.equal(isTickerWord(['HOANG', 'ANH']), false, 'a name in capitals is not a ticker');
});

test('tickers do not match Vietnamese words that fold to them: chưa (not yet), đang (currently)', () => {
  assert.deepEqual(named('Doanh nghiệp chưa đưa ra bình luận về thông tin này.'), []);
  assert.deepEqual(named('Nhà đầu tư đang chờ đợi số liệu kinh tế mới.'), []);
  assert.deepEqual(named('Đang cập nhật. CHƯA CÓ BÌNH LUẬN, ĐANG CHỜ.'), []);
});

test('tickers match where the article writes them: English text, and capitals in Vietnamese text', () => {
  assert.deepEqual(named('Shares of CHUA rose 5% while DANG fell.'), ['chua', 'dang']);
  assert.deepEqual(named('Cổ phiếu CHUA tăng trần trong khi DANG chưa có giao dịch.'), ['chua', 'dang']);
  // Case folding still applies to a ticker: only folded diacritics rule a word out.
  assert.deepEqual(named('Chua and dang, in another case.'), ['chua', 'dang']);
});

test('a word the tickers share with a name is still told apart from the ticker', () => {
  assert.equal(index.scan('chưa').info(0).key, 'chua');
  assert.deepEqual(named('Chùa Một Cột Tours mở tour mới, doanh nghiệp chưa bình luận.'), ['pagoda']);
  assert.deepEqual(named('Chua Mot Cot Tours mở tour mới.'), ['pagoda']);
});

test('a word in tickers only is looked up as no pattern word when it had diacritics', () => {
  const scan = index.scan('đang DANG');
  assert.deepEqual([scan.info(0).key, scan.info(0).id], ['dang', 0]);
  assert.notEqual(scan.info(1).id, 0);
});

test('Vietnamese names still match with and without diacritics, and ACME still matches Acme', () => {
  assert.deepEqual(named('Tập đoàn Hòa Phát báo lãi kỷ lục.'), ['hoaphat']);
  assert.deepEqual(named('Tap doan Hoa Phat bao lai ky luc.'), ['hoaphat']);
  assert.deepEqual(named('HPG tăng trần.'), ['hoaphat']);
  assert.deepEqual(named('ACME and Acme and acme and ＡＣＭＥ'), ['acme']);
});

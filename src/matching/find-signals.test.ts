import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DirectoryAccount } from './account-directory.js';
import { findSignals, type SignalCandidate } from './find-signals.js';
import { buildMatchIndex } from './match-index.js';

function account(fields: Partial<DirectoryAccount> & { id: string; name: string }): DirectoryAccount {
  return { aliases: [], domain: null, locale: null, keywords: [], contacts: [], ...fields };
}

const index = buildMatchIndex([
  account({ id: 'acme', name: 'Acme Corp', aliases: ['ACME'], domain: 'acme.com', contacts: [{ id: 'jane', name: 'Jane Doe', aliases: [] }] }),
  account({ id: 'apple', name: 'Apple Inc.', domain: 'apple.com', keywords: ['iPhone'], contacts: [{ id: 'cook', name: 'Tim Cook', aliases: [] }] }),
  account({ id: 'orange', name: 'Orange', aliases: ['Orange S.A.'], keywords: ['telecom operator'] }),
  account({ id: 'sun', name: 'Sun Microsystems', aliases: ['Sun'], keywords: ['Java'] }),
  account({ id: 'phoenix-vn', name: 'Phoenix Holdings', domain: 'phoenix.vn', keywords: ['Đà Nẵng'] }),
  account({ id: 'phoenix-uk', name: 'Phoenix Holdings', domain: 'phoenixholdings.co.uk', contacts: [{ id: 'oliver', name: 'Oliver Twist', aliases: [] }] }),
  account({ id: 'globex', name: 'Globex', contacts: [{ id: 'smith-globex', name: 'John Smith', aliases: [] }] }),
  account({ id: 'initech', name: 'Initech', contacts: [{ id: 'smith-initech', name: 'John Smith', aliases: [] }] }),
  account({ id: 'vietjet', name: 'Vietjet Air', contacts: [{ id: 'thao', name: 'Nguyễn Thị Phương Thảo', aliases: [] }] }),
  account({ id: 'vinamilk', name: 'Công ty Cổ phần Sữa Việt Nam', aliases: ['Vinamilk'], locale: 'vi' }),
  account({ id: 'hoaphat', name: 'Tập đoàn Hòa Phát', locale: 'vi' }),
  account({ id: 'bbl', name: 'ธนาคารกรุงเทพ', aliases: ['กรุงเทพ'], keywords: ['ธนาคาร'], locale: 'th' }),
  account({ id: 'ikco', name: 'ایران‌خودرو', aliases: ['ایران خودرو'], locale: 'fa' }),
  account({ id: 'mellat', name: 'بانک ملت', locale: 'fa' }),
  account({ id: 'acme-bank', name: 'Acme Bank' }),
  account({ id: 'bmw', name: 'Bayerische Motoren Werke', aliases: ['BMW'] }),
]);

function signals(text: string, title = ''): SignalCandidate[] {
  return findSignals(index, { id: 'article-1', title, text });
}
const accounts = (text: string, title = ''): string[] => signals(text, title).map((s) => s.accountId).sort();

test('a signal carries account, contact, kind, polarity, confidence and the evidence sentence', () => {
  const [signal, ...rest] = signals('Markets were calm. Acme Corp promoted Jane Doe to chief operating officer. Shares rose.');
  assert.equal(rest.length, 0);
  assert.deepEqual(signal, {
    articleId: 'article-1',
    accountId: 'acme',
    contactId: 'jane',
    kind: 'promotion',
    polarity: 'positive',
    confidence: signal?.confidence,
    evidence: 'Acme Corp promoted Jane Doe to chief operating officer.',
  });
  assert.ok(signal && signal.confidence > 0.9 && signal.confidence <= 1);
});

test('matches on word boundaries only: Acme is not in Acmeville', () => {
  assert.deepEqual(accounts('Acmeville residents celebrated the award.'), []);
  assert.deepEqual(accounts("Acme's new plant opened in Acmeville."), ['acme']);
});

test('folds case and NFKC: full-width ＡＣＭＥ is ACME', () => {
  assert.deepEqual(accounts('ＡＣＭＥ launched a scooter.'), ['acme']);
});

test('the domain alone identifies an account', () => {
  assert.deepEqual(accounts('A new store opened, according to acme.com.'), ['acme']);
});

test('an ambiguous alias alone does not count: Apple, Orange, Sun', () => {
  assert.deepEqual(accounts('Apple launched a new product.'), []);
  assert.deepEqual(accounts('Orange prices rose after the frost.'), []);
  assert.deepEqual(accounts('The Sun rose over the new plant.'), []);
  assert.deepEqual(accounts('An apple a day; an orange at night; the sun at noon.'), []);
});

test('an ambiguous alias counts with corroboration: keyword, contact, domain or second alias', () => {
  assert.deepEqual(accounts('Apple launched the iPhone 20.'), ['apple']);
  assert.deepEqual(accounts('Tim Cook said Apple would open a new office.'), ['apple']);
  assert.deepEqual(accounts('Apple, reachable at apple.com, launched a service.'), ['apple']);
  assert.deepEqual(accounts('Orange, the French telecom operator, signed a partnership.'), ['orange']);
  assert.deepEqual(accounts('Sun released Java 1.0. Sun Microsystems called it a milestone.'), ['sun']);
});

test('corroborated ambiguous matches score lower than unambiguous names', () => {
  const [apple] = signals('Apple launched the iPhone 20.');
  const [acme] = signals('Acme Corp launched a scooter.');
  assert.ok(apple && acme && apple.confidence < acme.confidence);
});

test('same-name companies are told apart by domain, keyword or contact, and not guessed', () => {
  assert.deepEqual(accounts('Phoenix Holdings opened a new office.'), []);
  assert.deepEqual(accounts('Phoenix Holdings opened a new office in Đà Nẵng.'), ['phoenix-vn']);
  assert.deepEqual(accounts('Phoenix Holdings opened a new office in Da Nang.'), ['phoenix-vn']);
  assert.deepEqual(accounts('Phoenix Holdings named Oliver Twist chief executive.'), ['phoenix-uk']);
  assert.deepEqual(accounts('Phoenix Holdings (phoenixholdings.co.uk) opened a new office.'), ['phoenix-uk']);
});

test('a contact name alone matches only when it is distinctive', () => {
  assert.deepEqual(accounts('Jane Doe was promoted to vice president.'), []);
  assert.deepEqual(accounts('John Smith was promoted to vice president.'), []);
  const [thao] = signals('Bà Nguyễn Thị Phương Thảo được vinh danh tại diễn đàn.');
  assert.equal(thao?.accountId, 'vietjet');
  assert.equal(thao?.contactId, 'thao');
});

test('a shared contact name resolves through the company next to it', () => {
  const [signal, ...rest] = signals('Globex promoted John Smith to chief financial officer.');
  assert.equal(rest.length, 0);
  assert.equal(signal?.accountId, 'globex');
  assert.equal(signal?.contactId, 'smith-globex');
});

test('Vietnamese matches with and without diacritics, not with different ones', () => {
  assert.deepEqual(accounts('Sữa Việt Nam ra mắt sản phẩm mới.'), ['vinamilk']);
  assert.deepEqual(accounts('Sua Viet Nam ra mat san pham moi.'), ['vinamilk']);
  assert.deepEqual(accounts('Hòa Phát khởi công nhà máy mới.'), ['hoaphat']);
  assert.deepEqual(accounts('Hoa Phat khoi cong nha may moi.'), ['hoaphat']);
  assert.deepEqual(accounts('Hóa Phát khởi công nhà máy mới.'), []);
});

test('Thai matches without spaces, on Intl.Segmenter word boundaries', () => {
  assert.deepEqual(accounts('ธนาคารกรุงเทพได้รับรางวัลธนาคารยอดเยี่ยม'), ['bbl']);
  // "กรุงเทพ" (corroborated by the keyword ธนาคาร) is not found inside the one word กรุงเทพมหานคร.
  assert.deepEqual(accounts('กรุงเทพมหานครประกาศ ธนาคารหลายแห่งปิดทำการ'), []);
  assert.deepEqual(accounts('กรุงเทพประกาศ ธนาคารหลายแห่งปิดทำการ'), ['bbl']);
});

test('Persian matches across ي/ی and ك/ک variants, ZWNJ and tatweel', () => {
  assert.deepEqual(accounts('ايران‌خودرو محصول جديد را عرضه كرد.'), ['ikco']);
  assert.deepEqual(accounts('ایرانخودرو محصول جدید را عرضه کرد.'), ['ikco']);
  assert.deepEqual(accounts('ایران خودرو محصول جدید را عرضه کرد.'), ['ikco']);
  assert.deepEqual(accounts('بانك ملت جایزه گرفت.'), ['mellat']);
  assert.deepEqual(accounts('بانـــک ملت جایزه گرفت.'), ['mellat']);
});

test('one signal per account: the strongest, bad news first', () => {
  const found = signals('Acme Corp won an award in May. In June Acme Corp recalled 5,000 heaters.');
  assert.equal(found.length, 1);
  assert.equal(found[0]?.kind, 'recall');
  assert.equal(found[0]?.evidence, 'In June Acme Corp recalled 5,000 heaters.');
});

test('each account gets its own sentence’s news', () => {
  const found = signals('Acme Corp won an award. Globex recalled heaters.');
  assert.deepEqual(
    found.map((s) => [s.accountId, s.kind]).sort(),
    [['acme', 'award'], ['globex', 'recall']],
  );
});

test('a kind in the headline or the next sentence classifies a plain mention, unless another account is named there', () => {
  const [fromHeadline] = signals('Acme Corp said the product ships in May.', 'Electric scooter launched');
  assert.equal(fromHeadline?.kind, 'launch');
  assert.equal(fromHeadline?.evidence, 'Electric scooter launched Acme Corp said the product ships in May.');
  const [fromNext] = signals('Acme Corp spoke on Monday. It unveiled a scooter.');
  assert.equal(fromNext?.kind, 'launch');
  const found = signals('Acme Corp spoke on Monday. Globex unveiled a scooter.');
  assert.equal(found.find((s) => s.accountId === 'acme')?.kind, 'other');
});

test('an article mentioning no account gives no signal', () => {
  assert.deepEqual(signals('Nothing to see here.', 'Quiet day'), []);
});

test('a name inside a longer account name belongs to the longer one: Acme Bank is not Acme Corp', () => {
  assert.deepEqual(accounts('Acme Bank opened a new branch.'), ['acme-bank']);
  assert.deepEqual(accounts('Acme Bank lent money to Acme Corp.'), ['acme', 'acme-bank']);
});

test('a three-letter alias in capitals counts only where the article writes it in capitals', () => {
  assert.deepEqual(accounts('BMW recalls 10,000 cars.'), ['bmw']);
  assert.deepEqual(accounts('The bmw folder was renamed.'), []);
});

test('a sentence saying it is not about the company does not count as a mention', () => {
  assert.deepEqual(accounts('The town of Acmeville is not related to Acme Corp.'), []);
  assert.deepEqual(accounts('Hội chợ ở Acmeville không liên quan đến Acme Corp.'), []);
  assert.deepEqual(accounts('The fair is not related to Acme Corp. Acme Corp launched a scooter on Monday.'), ['acme']);
});

test('an index of thousands of accounts (its builder grown many times) finds a Vietnamese name with and without diacritics, and a shared name as ambiguous', () => {
  // 3,000 accounts: over 10,000 entries, so the builder's columns grow several times, and the
  // entries that keep primary forms sit far from the first ones.
  const many = Array.from({ length: 3000 }, (_, i) =>
    account({ id: `co-${i}`, name: `Công ty Phát Đạt ${i.toString(36)}`, aliases: [`Zentrix ${i.toString(36)}`, `Shared Name ${i % 2}`], locale: 'vi' }),
  );
  const big = buildMatchIndex(many);
  const found = (text: string) => findSignals(big, { id: 'a', title: '', text });
  const target = (2_917).toString(36);
  assert.deepEqual(found(`Công ty Phát Đạt ${target} khai trương nhà máy mới.`).map((s) => s.accountId), ['co-2917']);
  assert.deepEqual(found(`Cong ty Phat Dat ${target} khai truong nha may moi.`).map((s) => s.accountId), ['co-2917']);
  // A different diacritic is another word, not the name without its marks.
  assert.deepEqual(found(`Công ty Phát Đát ${target} khai trương nhà máy mới.`), []);
  // 1,500 accounts claim "Shared Name 1": alone it identifies none of them.
  assert.deepEqual(found('Shared Name 1 opens a new plant.'), []);
  assert.deepEqual(found(`Zentrix ${target} opens a new plant.`).map((s) => s.accountId), ['co-2917']);
  // One of the first accounts added, whose entries were copied each time the columns grew.
  assert.deepEqual(found('Zentrix 5 opens a new plant.').map((s) => s.accountId), ['co-5']);
});

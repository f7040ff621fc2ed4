import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diacriticsCompatible, foldDiacritics, matchKey, normalizeToken } from './normalize-token.js';

test('case folds and applies NFKC (full-width letters, ligatures)', () => {
  assert.equal(normalizeToken('ACME'), 'acme');
  assert.equal(normalizeToken('ＡＣＭＥ'), 'acme');
  assert.equal(normalizeToken('ﬁnance'), 'finance');
});

test('folds Vietnamese diacritics, including đ, into the match key only', () => {
  assert.equal(normalizeToken('Đường'), 'đường');
  assert.equal(matchKey('Đường'), 'duong');
  assert.equal(matchKey('Việt'), 'viet');
  assert.equal(matchKey('viet'), 'viet');
});

test('unifies Arabic letter variants with Persian ones (ي/ی, ك/ک)', () => {
  assert.equal(normalizeToken('ايران'), normalizeToken('ایران'));
  assert.equal(normalizeToken('بانك'), normalizeToken('بانک'));
});

test('removes ZWNJ, tatweel and harakat', () => {
  assert.equal(normalizeToken('ایران\u200Cخودرو'), 'ایرانخودرو');
  assert.equal(normalizeToken('بانـــک'), 'بانک');
  assert.equal(normalizeToken('بَانک'), 'بانک');
});

test('reads Persian and Arabic-Indic digits as ASCII', () => {
  assert.equal(normalizeToken('۱۴۰۲'), '1402');
  assert.equal(normalizeToken('٢٠٢٤'), '2024');
});

test('leaves Thai untouched by diacritic folding', () => {
  assert.equal(foldDiacritics('รางวัล'), 'รางวัล');
});

test('diacritics are compatible when equal or when one side has none, not when they differ', () => {
  assert.equal(diacriticsCompatible('kiện', 'kiện', 'kien'), true);
  assert.equal(diacriticsCompatible('kien', 'kiện', 'kien'), true);
  assert.equal(diacriticsCompatible('kiện', 'kien', 'kien'), true);
  assert.equal(diacriticsCompatible('kiến', 'kiện', 'kien'), false);
});

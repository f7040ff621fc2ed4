import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import iconv from 'iconv-lite';
import { charsetFromContentType, decodeFeedBytes } from './decode-feed-bytes.js';
import { FeedError } from './feed-errors.js';
import { parseFeed } from './parse-feed.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../test/fixtures/feeds/${name}`, import.meta.url));
const CURLY = 'Acme Corp’s €12 million expansion brings “a new chapter” to Acmeville';
const xmlIn = (encoding: string, declared: string, body = CURLY): Buffer =>
  iconv.encode(`<?xml version="1.0" encoding="${declared}"?><rss version="2.0"><channel><title>${body}</title></channel></rss>`, encoding);

describe('decodeFeedBytes: which encoding wins', () => {
  test('the XML declaration, when nothing else says otherwise', () => {
    const decoded = decodeFeedBytes(xmlIn('windows-1252', 'windows-1252'));
    assert.equal(decoded.encoding, 'windows-1252');
    assert.equal(decoded.source, 'xml-declaration');
    assert.match(decoded.text, new RegExp(CURLY));
  });

  test('the Content-Type charset over the XML declaration (RFC 7303 §3)', () => {
    // A server that transcoded the feed to windows-1252 but left its UTF-8 declaration.
    const decoded = decodeFeedBytes(xmlIn('windows-1252', 'UTF-8'), 'application/rss+xml; charset="Windows-1252"');
    assert.equal(decoded.source, 'content-type');
    assert.match(decoded.text, new RegExp(CURLY));
  });

  test('the byte order mark over both', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), xmlIn('utf-8', 'windows-1252')]);
    const decoded = decodeFeedBytes(bytes, 'text/xml; charset=windows-1252');
    assert.deepEqual([decoded.encoding, decoded.source], ['utf-8', 'bom']);
    assert.ok(decoded.text.startsWith('<?xml'), 'the BOM itself is not part of the text');
    assert.match(decoded.text, new RegExp(CURLY));
  });

  test('UTF-16 with a byte order mark', () => {
    const bytes = iconv.encode(`<?xml version="1.0" encoding="UTF-16"?><rss><channel><title>${CURLY}</title></channel></rss>`, 'utf-16le', { addBOM: true });
    const decoded = decodeFeedBytes(bytes);
    assert.deepEqual([decoded.encoding, decoded.source], ['utf-16le', 'bom']);
    assert.match(decoded.text, new RegExp(CURLY));
  });

  test('UTF-8 by default, and windows-1252 when undeclared bytes are not UTF-8', () => {
    assert.deepEqual(
      [decodeFeedBytes(Buffer.from('<rss>Zoë</rss>')).text, decodeFeedBytes(Buffer.from('<rss>Zoë</rss>')).source],
      ['<rss>Zoë</rss>', 'default'],
    );
    const legacy = decodeFeedBytes(iconv.encode('<rss>“Zoë” – €5</rss>', 'windows-1252'));
    assert.deepEqual([legacy.text, legacy.encoding, legacy.source], ['<rss>“Zoë” – €5</rss>', 'windows-1252', 'sniffed']);
  });

  test('an ASCII-readable declaration claiming UTF-16 is ignored', () => {
    const decoded = decodeFeedBytes(Buffer.from('<?xml version="1.0" encoding="UTF-16"?><rss>Zoë</rss>'));
    assert.equal(decoded.encoding, 'utf-8');
    assert.match(decoded.text, /Zoë/);
  });
});

describe('decodeFeedBytes: labels', () => {
  test('ISO-8859-1 and US-ASCII are read as windows-1252, as browsers do', () => {
    for (const label of ['ISO-8859-1', 'iso_8859-1', 'latin1', 'US-ASCII']) {
      const decoded = decodeFeedBytes(xmlIn('windows-1252', label));
      assert.equal(decoded.encoding, 'windows-1252', label);
      assert.match(decoded.text, new RegExp(CURLY), label);
    }
  });

  test('TIS-620 is read as its superset windows-874', () => {
    const decoded = decodeFeedBytes(xmlIn('tis620', 'TIS-620', 'แอคมีคอร์ป'));
    assert.equal(decoded.encoding, 'windows-874');
    assert.match(decoded.text, /แอคมีคอร์ป/);
  });

  test('an unknown label is RAPPORT_FEED_UNSUPPORTED_ENCODING naming the label and where it was found', () => {
    assert.throws(() => decodeFeedBytes(xmlIn('utf-8', 'x-klingon')), (error: unknown) => {
      assert.ok(error instanceof FeedError);
      assert.equal(error.code, 'RAPPORT_FEED_UNSUPPORTED_ENCODING');
      assert.equal(error.retryable, false);
      assert.equal(error.message, 'unsupported character encoding "x-klingon" in the XML declaration');
      return true;
    });
    assert.throws(() => decodeFeedBytes(Buffer.from('<rss/>'), 'text/xml; charset=bogus-8'), {
      code: 'RAPPORT_FEED_UNSUPPORTED_ENCODING',
      message: 'unsupported character encoding "bogus-8" in the Content-Type header',
    });
  });

  test('charsetFromContentType reads quoted, unquoted and absent parameters', () => {
    assert.equal(charsetFromContentType('text/xml; charset=UTF-8'), 'UTF-8');
    assert.equal(charsetFromContentType('application/rss+xml;charset="windows-1256"; q=1'), 'windows-1256');
    assert.equal(charsetFromContentType('application/atom+xml'), null);
    assert.equal(charsetFromContentType('text/xml; charset='), null);
    assert.equal(charsetFromContentType(null), null);
  });
});

describe('encoded fixtures parse to the same articles as their UTF-8 source', () => {
  const sameArticles = async (source: string, encoded: string, contentType?: string) => {
    const expected = await parseFeed(fixture(source));
    const actual = await parseFeed(fixture(encoded), { contentType: contentType ?? null });
    assert.deepEqual(actual, expected);
    return actual;
  };

  test('UTF-8 with a byte order mark', async () => {
    await sameArticles('en-rss2-punctuation.xml', 'en-rss2-punctuation-bom.xml');
  });

  test('windows-1252 declared in the prolog, curly quotes and euro sign exact', async () => {
    const feed = await sameArticles('en-rss2-punctuation.xml', 'en-rss2-punctuation-windows1252.xml');
    assert.equal(feed.articles[0]?.title, CURLY);
    assert.equal(feed.articles[0]?.text, 'The café chain Zoë & Co. will open next door — owners say it’s “naïve” to expect quick returns.');
  });

  test('windows-1252 bytes labelled ISO-8859-1', async () => {
    await sameArticles('en-rss2-punctuation.xml', 'en-rss2-punctuation-latin1-label.xml');
  });

  test('undeclared windows-1252 with the charset only in the Content-Type header', async () => {
    await sameArticles('en-rss2-punctuation.xml', 'en-rss2-punctuation-windows1252-undeclared.xml', 'text/xml; charset=windows-1252');
  });

  test('Thai in TIS-620 declared in the prolog', async () => {
    const feed = await sameArticles('th-rss2.xml', 'th-rss2-tis620.xml');
    assert.equal(feed.articles[0]?.title, 'Acme Corp คว้ารางวัลนวัตกรรมยอดเยี่ยมประจำปี 2568');
    assert.equal(feed.articles[3]?.title, 'Acme Corp ถูกเพิกถอนรางวัลความปลอดภัยหลังพบการปกปิดอุบัติเหตุ');
  });

  test('Persian in windows-1256 comes out with the Arabic yeh and ASCII digits it was written with', async () => {
    const feed = await parseFeed(fixture('fa-rss2-windows1256.xml'));
    assert.equal(feed.title, 'اقتصاد امروز - شرکت\u200cها');
    assert.equal(feed.articles[0]?.title, 'Acme Corp در دور دوم جذب سرما\u064aه 12 م\u064aل\u064aون دلار جذب کرد');
    assert.equal(feed.articles[1]?.title, 'جا\u064aزه «برند سبز» از Acme Corp پس گرفته شد');
    assert.equal(feed.articles.length, 5);
  });
});

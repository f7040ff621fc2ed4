import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { FeedError } from './feed-errors.js';
import { parseFeed, parseFeedDate, type ParsedArticle, type ParsedFeed } from './parse-feed.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../test/fixtures/feeds/${name}`, import.meta.url));
const parseFixture = (name: string, url?: string): Promise<ParsedFeed> => parseFeed(fixture(name), { url: url ?? null });

function article(feed: ParsedFeed, titleStart: string): ParsedArticle {
  const found = feed.articles.find((a) => a.title.startsWith(titleStart));
  assert.ok(found, `no article titled "${titleStart}…" in ${feed.articles.map((a) => a.title).join(' | ')}`);
  return found;
}

async function assertMalformed(body: Buffer | string, pattern: RegExp): Promise<void> {
  await assert.rejects(parseFeed(Buffer.isBuffer(body) ? body : Buffer.from(body)), (error: unknown) => {
    assert.ok(error instanceof FeedError, `expected FeedError, got ${String(error)}`);
    assert.equal(error.code, 'RAPPORT_FEED_MALFORMED');
    assert.equal(error.retryable, false);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('parseFeed: RSS 2.0 in English', () => {
  test('reads the channel and every item in order', async () => {
    const feed = await parseFixture('en-rss2.xml');
    assert.equal(feed.title, 'Northwind Business Wire — Regional Companies');
    assert.equal(feed.link, 'https://news.northwind-wire.example/');
    assert.equal(feed.language, 'en-US');
    assert.equal(feed.articles.length, 8);
    assert.equal(feed.articles[0]?.title, 'Acme Corp closes $40 million Series B to expand its warehouse robotics line');
  });

  test('prefers content:encoded, strips markup, scripts and styles, keeps one line per block', async () => {
    const funding = article(await parseFixture('en-rss2.xml'), 'Acme Corp closes');
    assert.equal(funding.guid, 'nbw-2025-0412', 'guid is trimmed');
    assert.equal(
      funding.text,
      [
        'Funding round',
        'Acme Corp has raised $40 million in a Series B round led by Harbor Peak Ventures & Lindqvist Capital.',
        'The company’s CEO, Priya Raman, said the money will fund a second assembly plant and 200 new jobs.',
        'Round size: $40M',
        'Lead investor: Harbor Peak Ventures',
      ].join('\n'),
    );
    assert.equal(funding.publishedAt?.toISOString(), '2025-03-04T09:15:00.000Z');
  });

  test('turns HTML and double-escaped entities in titles into plain text', async () => {
    const layoffs = article(await parseFixture('en-rss2.xml'), 'Initech');
    assert.equal(layoffs.title, 'Initech to lay off 120 workers as it closes its "Springfield" office');
    assert.equal(layoffs.text, 'Initech said the layoffs AT&T-style "rightsizing" would be completed by June.');
  });

  test('uses a permalink guid as the link and resolves relative links against the channel link', async () => {
    const feed = await parseFixture('en-rss2.xml', 'https://feeds.northwind-wire.example/regional.xml');
    const promotion = article(feed, 'Acme Corp promotes');
    assert.equal(promotion.link, 'https://news.northwind-wire.example/2025/03/03/acme-corp-coo');
    const town = article(feed, 'Acmeville celebrates');
    assert.equal(town.link, 'https://news.northwind-wire.example/local/2025/03/02/acmeville-150-years');
    assert.equal(town.guid, null);
  });

  test('gives null for missing or unparseable dates and reads zone abbreviations', async () => {
    const feed = await parseFixture('en-rss2.xml');
    assert.equal(article(feed, 'Acme Corp stripped').publishedAt, null, 'no <pubDate>');
    assert.equal(article(feed, 'Globex recalls').publishedAt, null, '"sometime last week"');
    assert.equal(article(feed, 'Acmeville celebrates').publishedAt?.toISOString(), '2025-03-02T13:00:00.000Z');
  });

  test('refuses non-http links and keeps items without guid or link', async () => {
    const feed = await parseFixture('en-rss2.xml');
    assert.equal(article(feed, 'Vandelay').link, null, 'javascript: link');
    const breach = article(feed, 'Umbrella Logistics');
    assert.deepEqual([breach.guid, breach.link, breach.publishedAt], [null, null, null]);
    assert.match(breach.text, /^Umbrella Logistics said an attacker copied names/);
  });
});

describe('parseFeed: other formats', () => {
  test('RSS 0.91 with a Netscape DOCTYPE, no guids and no dates', async () => {
    const feed = await parseFixture('en-rss091.xml');
    assert.equal(feed.title, 'Acmeville Gazette');
    assert.deepEqual(
      feed.articles.map((a) => [a.title, a.link, a.guid, a.publishedAt]),
      [
        ['Acme Corp opens visitor centre on Main Street', 'http://www.acmeville-gazette.example/news/acme-visitor-centre.html', null, null],
        ['Town council approves Acmeville library expansion', 'http://www.acmeville-gazette.example/news/library.html', null, null],
        ['Hardware store Pettibone & Sons turns 100', null, null, null],
      ],
    );
  });

  test('RSS 1.0 (RDF) in Thai: rdf:about as guid, dc:date, dc:language', async () => {
    const feed = await parseFixture('th-rss1-rdf.xml');
    assert.equal(feed.title, 'สยามไวร์ ข่าวประชาสัมพันธ์');
    assert.equal(feed.language, 'th-TH');
    const [appointment, breach, lawsuit] = feed.articles;
    assert.equal(appointment?.title, 'Acme Corp แต่งตั้งคุณสมศรี วงศ์ใหญ่ เป็นประธานเจ้าหน้าที่ฝ่ายการเงิน');
    assert.equal(appointment?.guid, 'https://press.siam-wire.example/release/10231');
    assert.equal(appointment?.publishedAt?.toISOString(), '2025-03-06T02:00:00.000Z');
    assert.equal(breach?.publishedAt?.toISOString(), '2025-03-04T00:00:00.000Z');
    assert.equal(lawsuit?.publishedAt, null);
    assert.equal(lawsuit?.text, 'คดีเกี่ยวกับการผิดสัญญาจัดจำหน่ายในภาคเหนือ');
  });

  test('Atom: xml:base at feed and entry, alternate link among others, html and xhtml text', async () => {
    const feed = await parseFixture('en-atom-xml-base.xml', 'https://feeds.globex.example/newsroom.atom');
    assert.equal(feed.title, 'Globex Newsroom');
    assert.equal(feed.link, 'https://blog.globex.example/newsroom/');
    assert.equal(feed.language, 'en-GB');
    const lagos = article(feed, 'Globex opens');
    assert.equal(lagos.title, 'Globex opens Lagos office & hires 40');
    assert.equal(lagos.link, 'https://blog.globex.example/newsroom/2025/globex-opens-lagos-office.html');
    assert.equal(lagos.guid, 'tag:globex.example,2025:post-311');
    assert.equal(lagos.text, 'Globex Corporation opened its first West African office in Lagos.\nThe office will employ 40 engineers by December.');
    assert.equal(lagos.publishedAt?.toISOString(), '2025-03-07T08:00:00.000Z', '<published> wins over <updated>');
    const launch = article(feed, 'Product launch');
    assert.equal(launch.title, 'Product launch: Globex HeatSense');
    assert.equal(launch.link, 'https://blog.globex.example/products/heatsense');
    assert.equal(launch.text, 'HeatSense is a smart thermostat for small offices.');
    assert.equal(launch.publishedAt?.toISOString(), '2025-03-05T08:30:00.000Z', 'only <updated>');
  });

  test('Atom: an invalid <published> falls back to <updated> instead of failing the feed', async () => {
    const feed = await parseFixture('en-atom-xml-base.xml');
    const award = article(feed, 'Globex reçoit');
    assert.equal(award.publishedAt?.toISOString(), '2025-03-01T10:00:00.000Z');
    assert.equal(award.language, 'fr', 'entry xml:lang overrides the feed');
    const statement = article(feed, 'Statement on');
    assert.deepEqual([statement.link, statement.publishedAt], [null, null]);
  });

  test('Atom without xml:base resolves against the fetch URL', async () => {
    const xml = '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>A</title><link href="posts/1"/></entry></feed>';
    const feed = await parseFeed(Buffer.from(xml), { url: 'https://example.com/blog/atom.xml' });
    assert.equal(feed.articles[0]?.link, 'https://example.com/blog/posts/1');
  });
});

describe('parseFeed: Vietnamese, Thai and Persian text', () => {
  test('Vietnamese diacritics come out exactly, in NFC even when the feed used combining marks', async () => {
    const feed = await parseFixture('vi-rss2.xml');
    assert.equal(feed.language, 'vi-VN');
    const expansion = article(feed, 'Acme Corp mở rộng');
    assert.equal(expansion.title, 'Acme Corp mở rộng nhà máy tại Đà Nẵng, tuyển thêm 300 lao động');
    assert.equal(expansion.publishedAt?.toISOString(), '2025-03-06T01:20:00.000Z');
    const revoked = article(feed, 'Acme Corp bị thu hồi');
    assert.equal(revoked.publishedAt?.toISOString(), '2025-03-05T08:05:00.000Z', 'ICT is UTC+7');
    const decomposed = article(feed, 'Acme Corp nhận');
    assert.equal(decomposed.title, 'Acme Corp nhận giải thưởng "Nhà tuyển dụng được yêu thích"'.normalize('NFC'));
    assert.equal(decomposed.title, decomposed.title.normalize('NFC'));
    assert.equal(article(feed, 'Thị trấn Acmeville').link, 'https://doanhnhanmientrung.example/doi-song/thi-tran-acmeville-ket-nghia-hoa-vang-4810.html');
  });

  test('Thai text without spaces survives HTML stripping unchanged', async () => {
    const feed = await parseFixture('th-rss2.xml');
    assert.equal(article(feed, 'Acme Corp คว้า').text, 'บริษัทแอคมีคอร์ปได้รับรางวัลนวัตกรรมยอดเยี่ยมจากสภาอุตสาหกรรมจังหวัดชลบุรี');
    assert.equal(article(feed, 'เทศบาลเมือง').text, 'ชาวเมืองAcmevilleร่วมขบวนพาเหรดตลอดสุดสัปดาห์');
    assert.equal(article(feed, 'แอคมีคอร์ปเปิดตัว').link, 'http://www.eastern-biz-news.example/news/2025/03/acme-robot-launch.html');
  });

  test('Persian keeps its zero-width non-joiners and Persian letters', async () => {
    const feed = await parseFixture('fa-rss2.xml');
    assert.equal(feed.title, 'اقتصاد امروز - شرکت\u200cها');
    const funding = article(feed, 'Acme Corp در دور دوم');
    assert.equal(funding.text, 'شرکت Acme Corp اعلام کرد این سرمایه را برای توسعهٔ کارخانه در اصفهان هزینه می\u200cکند.');
    assert.equal(funding.publishedAt?.toISOString(), '2025-03-08T06:30:00.000Z');
    assert.equal(article(feed, 'جایزهٔ').publishedAt?.toISOString(), '2025-03-05T12:50:00.000Z', 'IRST is UTC+3:30');
    assert.equal(article(feed, 'شهر Acmeville').link, 'https://eghtesad-emrooz.example/news/1403/12/acmeville-expo');
  });
});

describe('parseFeed: input that is not a usable feed', () => {
  test('malformed XML names the line', async () => {
    await assertMalformed(fixture('malformed.xml'), /^not well-formed XML at line 14: unexpected close tag near "<\/item>"$/);
  });

  test('an HTML page is named as such, with the feed it advertises', async () => {
    await assert.rejects(parseFeed(fixture('html-page.html'), { url: 'https://acme.example/news' }), {
      code: 'RAPPORT_FEED_MALFORMED',
      message: 'not a feed: the URL returned an HTML page; the page links to a feed at https://acme.example/newsroom/feed.xml',
    });
  });

  test('empty bodies, plain text, other XML and truncated feeds', async () => {
    await assertMalformed('', /empty/);
    await assertMalformed('  \n ', /empty/);
    await assertMalformed('Service temporarily unavailable', /^not well-formed XML at line 1/);
    await assertMalformed('<?xml version="1.0"?><urlset><url/></urlset>', /root element is <urlset>/);
    await assertMalformed('<rss version="2.0"></rss>', /not an RSS or Atom feed/);
    await assertMalformed('<?xml version="1.0"?>', /no XML element/);
  });

  test('every truncation of every fixture parses or fails with a FeedError, never anything else', async () => {
    for (const name of ['en-rss2.xml', 'en-atom-xml-base.xml', 'th-rss1-rdf.xml', 'fa-rss2-windows1256.xml']) {
      const bytes = fixture(name);
      for (let end = 0; end < bytes.length; end += 13) {
        await parseFeed(bytes.subarray(0, end)).catch((error: unknown) => {
          assert.ok(error instanceof FeedError, `${name} cut at ${end}: ${String(error)}`);
        });
      }
    }
  });

  test('internal DTD entities are not expanded (no entity-expansion attack)', async () => {
    const xml = '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><rss version="2.0"><channel><title>&b;</title></channel></rss>';
    await assertMalformed(xml, /invalid character entity/);
  });

  test('empty elements and empty items do not break the feed', async () => {
    const xml = '<feed xmlns="http://www.w3.org/2005/Atom"><entry/><entry><link/><title>Kept</title></entry></feed>';
    const feed = await parseFeed(Buffer.from(xml));
    assert.deepEqual(feed.articles.map((a) => a.title), ['Kept']);
  });
});

describe('parseFeedDate', () => {
  test('reads RFC 822 and ISO 8601, refuses what only looks like a number', () => {
    assert.equal(parseFeedDate('Tue, 04 Mar 2025 09:15:00 GMT')?.toISOString(), '2025-03-04T09:15:00.000Z');
    assert.equal(parseFeedDate('Tue, 04 Mar 25 09:15:00 +0100')?.toISOString(), '2025-03-04T08:15:00.000Z');
    assert.equal(parseFeedDate(' 2025-03-04T09:15:00+07:00 ')?.toISOString(), '2025-03-04T02:15:00.000Z');
    assert.equal(parseFeedDate('Tue, 04 Mar 2025 09:15:00 CEST')?.toISOString(), '2025-03-04T07:15:00.000Z');
    for (const bad of [null, '', '1', '42', 'yesterday', '2025-13-45T99:00:00Z']) assert.equal(parseFeedDate(bad), null, String(bad));
  });
});

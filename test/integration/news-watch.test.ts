import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRapport, type Rapport } from '../../src/main.js';
import { createApiToken } from '../../src/auth/api-tokens.js';
import { pollFeed } from '../../src/feeds/poll-feed.js';
import { FEED_ERROR_STATE_AFTER_FAILURES } from '../../src/feeds/poll-backoff.js';
import { pollDeps } from '../../src/jobs/processors.js';
import { freshDatabase, silentLogger, testConfig, waitFor } from '../helpers/test-services.js';
import { startFeedServer } from '../helpers/feed-server.js';

// Feeds polled through the real queues, articles stored once, matched to accounts and contacts,
// classified, and exposed on /api/v1/signals — on fixture feeds in four languages.
describe('news watch', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let feeds: Awaited<ReturnType<typeof startFeedServer>>;
  let rapport: Rapport;
  let token: string;
  const accountIds: Record<string, string> = {};
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) => {
    const res = await rapport.app!.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) });
    return { status: res.statusCode, json: res.body ? res.json() : null };
  };
  const addFeed = async (path: string, name: string, extra: object = {}) => {
    const res = await call('POST', '/api/v1/feeds', { url: feeds.url(path), name, ...extra });
    assert.equal(res.status, 201, JSON.stringify(res.json));
    return res.json.feed.id as string;
  };
  const feedRow = (id: string) => database.db.prisma.feed.findUniqueOrThrow({ where: { id } });

  before(async () => {
    database = await freshDatabase();
    feeds = await startFeedServer({
      '/en': { file: 'en-rss2.xml', etag: '"en-v1"' },
      '/th-tis620': { file: 'th-rss2-tis620.xml', contentType: 'application/rss+xml' },
      '/th-utf8': { file: 'th-rss2.xml' },
      '/vi': { file: 'vi-rss2.xml' },
      '/fa-1256': { file: 'fa-rss2-windows1256.xml', contentType: 'text/xml' },
      '/slow': { hang: true },
      '/broken': { file: 'malformed.xml' },
      '/gone': { status: 404 },
    });
    rapport = await startRapport(testConfig({ DATABASE_URL: database.url, FEED_TIMEOUT_MS: '5000' }), silentLogger());
    // Not the demo seed: its own "Acme Corp" would make every Acme story ambiguous (as it should).
    ({ secret: token } = await createApiToken(database.db.prisma, { name: 'news test' }));
    const accounts = [
      { externalId: 'acme', name: 'Acme Corp', aliases: ['ACME', 'แอคมีคอร์ป'], domain: 'acme.example' },
      { externalId: 'globex', name: 'Globex' },
      { externalId: 'initech', name: 'Initech' },
      { externalId: 'sao-mai', name: 'Công ty Cổ phần Sao Mai', aliases: ['Sao Mai'] },
      { externalId: 'pars-novin', name: 'پارس‌نوین', aliases: ['شرکت پارس‌نوین'] },
    ];
    for (const a of accounts) {
      const res = await call('POST', '/api/v1/accounts', a);
      assert.equal(res.status, 201, JSON.stringify(res.json));
      accountIds[a.externalId] = res.json.account.id;
    }
    const dana = await call('POST', '/api/v1/customers', { externalId: 'dana', name: 'Dana Whitfield', title: 'COO', email: 'dana@acme.example', account: { externalId: 'acme', name: 'Acme Corp' } });
    assert.equal(dana.status, 201);
  });
  after(async () => {
    await rapport?.close();
    await feeds?.close();
    await database?.drop();
  });

  test('an English feed: scheduled, polled, stored, matched and classified; a 304 adds nothing', async () => {
    const id = await addFeed('/en', 'Northwind Business Wire', { pollIntervalMinutes: 15 });
    const schedulers = await rapport.runtime.queues.queue('poll-feed').getJobSchedulers();
    assert.ok(schedulers.some((s) => s.key === `feed-${id}` && Number(s.every) === 15 * 60_000), 'one job scheduler per feed');

    assert.equal((await call('POST', `/api/v1/feeds/${id}/poll`)).status, 202);
    await waitFor('the feed to be polled', async () => (await feedRow(id)).status === 'ok');
    const articles = await database.db.prisma.article.count({ where: { feedId: id } });
    assert.ok(articles >= 8, `stored ${articles} articles`);
    await waitFor('articles matched', async () => (await database.db.prisma.article.count({ where: { feedId: id, matchedAt: null } })) === 0);

    const acme = (await call('GET', `/api/v1/signals?accountId=${accountIds.acme}`)).json.signals as { kind: string; polarity: string; customerId: string | null; evidence: string; article: { title: string } }[];
    const byTitle = (fragment: string) => acme.find((s) => s.article.title.includes(fragment));
    assert.equal(byTitle('Series B')?.kind, 'funding');
    assert.equal(byTitle('promotes Dana Whitfield')?.kind, 'promotion');
    const dana = await database.db.prisma.customer.findUniqueOrThrow({ where: { externalId: 'dana' } });
    assert.equal(byTitle('promotes Dana Whitfield')?.customerId, dana.id, 'the contact is on the signal');
    assert.equal(byTitle('stripped of')?.polarity, 'negative', 'an award taken away is bad news');
    assert.equal(byTitle('Acmeville'), undefined, 'Acmeville is a town, not Acme Corp');
    const globex = (await call('GET', `/api/v1/signals?accountId=${accountIds.globex}`)).json.signals;
    assert.deepEqual(globex.map((s: { kind: string; polarity: string }) => [s.kind, s.polarity]), [['recall', 'negative']]);

    const etagPolls = feeds.hits['/en'];
    const again = await pollFeed(pollDeps(rapport.runtime), id, { force: true });
    assert.deepEqual(again, { status: 'not_modified' });
    assert.equal(feeds.hits['/en'], (etagPolls ?? 0) + 1);
    assert.equal(await database.db.prisma.article.count({ where: { feedId: id } }), articles);
  });

  test('Thai in TIS-620, Vietnamese and Persian in windows-1256 are decoded and matched', async () => {
    const th = await addFeed('/th-tis620', 'Eastern Business News (TIS-620)');
    const vi = await addFeed('/vi', 'Doanh Nhân Miền Trung', { language: 'vi' });
    const fa = await addFeed('/fa-1256', 'اقتصاد امروز');
    for (const id of [th, vi, fa]) assert.equal((await pollFeed(pollDeps(rapport.runtime), id, { force: true })).status, 'ok');
    const thai = await database.db.prisma.article.findFirstOrThrow({ where: { feedId: th, title: { contains: 'เปิดตัว' } } });
    assert.equal(thai.title, 'แอคมีคอร์ปเปิดตัวหุ่นยนต์คัดแยกพัสดุรุ่นใหม่');
    const { matchArticle } = await import('../../src/matching/match-article.js');
    for (const a of await database.db.prisma.article.findMany({ where: { feedId: { in: [th, vi, fa] } } })) {
      await matchArticle({ prisma: database.db.prisma, index: rapport.runtime.accountIndex }, a.id);
    }
    const signals = await database.db.prisma.signal.findMany({ include: { article: true } });
    const find = (feedId: string, fragment: string) => signals.find((s) => s.article.feedId === feedId && s.article.title.includes(fragment));
    assert.equal(find(th, 'เปิดตัว')?.kind, 'launch', 'Thai local-script alias, no spaces');
    assert.equal(find(th, 'ถูกเพิกถอนรางวัล')?.polarity, 'negative');
    assert.equal(find(th, 'แอคมีวิลล์'), undefined, 'แอคมีวิลล์ (Acmeville) is not Acme');
    assert.equal(find(vi, 'mở rộng')?.kind, 'expansion');
    assert.equal(find(vi, 'kỷ niệm')?.accountId, accountIds['sao-mai']);
    assert.equal(find(vi, 'thu hồi')?.polarity, 'negative');
    assert.equal(find(fa, 'شکا')?.accountId, accountIds['pars-novin'], 'ي/ی folded: the 1256 feed spells پارس‌نوين with Arabic yeh');
    assert.equal(find(fa, 'شکا')?.kind, 'lawsuit');
  });

  test('the same articles from a second feed are stored once', async () => {
    const before = await database.db.prisma.article.count();
    const utf8 = await addFeed('/th-utf8', 'Eastern Business News (UTF-8)');
    const outcome = await pollFeed(pollDeps(rapport.runtime), utf8, { force: true });
    assert.equal(outcome.status, 'ok');
    assert.deepEqual(outcome.status === 'ok' ? outcome.newArticleIds : null, []);
    assert.equal(await database.db.prisma.article.count(), before);
  });

  test('a feed that hangs times out without stalling another polled at the same time', async () => {
    const slow = await addFeed('/slow', 'Hangs forever');
    const vi2 = await addFeed('/vi?again', 'Another feed');
    await call('POST', `/api/v1/feeds/${slow}/poll`);
    await call('POST', `/api/v1/feeds/${vi2}/poll`);
    const healthy = await waitFor('the healthy feed', async () => ((await feedRow(vi2)).lastFetchedAt ? feedRow(vi2) : null));
    // The scheduler's first run and the manual poll may both time out: one or two failures.
    const failed = await waitFor('the timeout to be recorded', async () => ((await feedRow(slow)).consecutiveFailures >= 1 ? feedRow(slow) : null));
    assert.equal(healthy.status, 'ok');
    assert.ok(healthy.updatedAt < failed.updatedAt, 'the healthy feed was done before the slow one gave up');
    assert.match(failed.lastError ?? '', /RAPPORT_FEED_TIMEOUT/);
    assert.ok(failed.nextPollAt && failed.nextPollAt.getTime() > Date.now(), 'backing off');
    assert.equal(failed.status, 'pending', 'one failure is not yet an error state');
  });

  test('malformed XML and a 404 are recorded readably; repeated failures show an error state', async () => {
    // Disabled, so no scheduler polls them behind the test's back; forced polls still run.
    const broken = await addFeed('/broken', 'Broken XML', { enabled: false });
    const gone = await addFeed('/gone', 'Gone', { enabled: false });
    const outcome = await pollFeed(pollDeps(rapport.runtime), broken, { force: true });
    assert.equal(outcome.status, 'failed');
    assert.match((await feedRow(broken)).lastError ?? '', /RAPPORT_FEED_MALFORMED: not well-formed XML at line \d+/);
    await database.db.prisma.feed.update({ where: { id: broken }, data: { enabled: true } });
    const skipped = await pollFeed(pollDeps(rapport.runtime), broken);
    assert.deepEqual(skipped, { status: 'skipped', reason: 'backing off' });
    for (let i = 1; i < FEED_ERROR_STATE_AFTER_FAILURES; i++) await pollFeed(pollDeps(rapport.runtime), gone, { force: true });
    assert.equal((await feedRow(gone)).status, 'pending');
    await pollFeed(pollDeps(rapport.runtime), gone, { force: true });
    const row = await feedRow(gone);
    assert.equal(row.status, 'error');
    assert.match(row.lastError ?? '', /404/);
    const listed = (await call('GET', '/api/v1/feeds')).json.feeds.find((f: { id: string }) => f.id === gone);
    assert.equal(listed.status, 'error');
  });

  test('feed and signal inputs are validated; deleting a feed removes its schedule', async () => {
    const bad = await call('POST', '/api/v1/feeds', { url: 'ftp://example.com/feed', name: '', pollIntervalMinutes: 1 });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.json.error.issues.map((i: { field: string }) => i.field).sort(), ['name', 'pollIntervalMinutes', 'url']);
    const dup = await call('POST', '/api/v1/feeds', { url: feeds.url('/en'), name: 'again' });
    assert.equal(dup.status, 409);
    assert.equal(dup.json.error.field, 'url');
    assert.equal((await call('GET', '/api/v1/signals?kind=rumour')).status, 422);
    assert.equal((await call('GET', '/api/v1/feeds/00000000-0000-4000-8000-000000000000')).status, 404);

    const id = await addFeed('/vi?to-delete', 'Temporary');
    assert.equal((await call('PATCH', `/api/v1/feeds/${id}`, { enabled: false })).json.feed.enabled, false);
    const schedulers = async () => (await rapport.runtime.queues.queue('poll-feed').getJobSchedulers()).map((s) => s.key);
    assert.ok(!(await schedulers()).includes(`feed-${id}`), 'a disabled feed has no schedule');
    await call('PATCH', `/api/v1/feeds/${id}`, { enabled: true });
    assert.ok((await schedulers()).includes(`feed-${id}`));
    assert.equal((await call('DELETE', `/api/v1/feeds/${id}`)).status, 204);
    assert.ok(!(await schedulers()).includes(`feed-${id}`));
  });
});

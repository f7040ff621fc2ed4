import { SYSTEM } from '../audit/audit-log.js';
import { FeedInput } from '../feeds/feed-input.js';
import { createFeed, deleteFeed } from '../feeds/feed-store.js';
import { pollFeed } from '../feeds/poll-feed.js';
import { openRuntime } from '../infra/runtime.js';
import { pollDeps } from '../jobs/processors.js';
import { matchArticle } from '../matching/match-article.js';
import { parseInput } from '../validation/parse-input.js';
import { UsageError, loadCliConfig, parseOptions } from './main.js';

const FEEDS_USAGE = `rapport feeds add --url <url> --name <name> [--language <locale>] [--interval <minutes>]
rapport feeds list
rapport feeds remove <id | url>
rapport feeds poll <id | url>      poll now and match new articles, printing what was found`;

/** `rapport feeds …`: manage the news feeds Rapport watches (the same rules as the API). */
export async function feedsCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    url: { type: 'string' },
    name: { type: 'string' },
    language: { type: 'string' },
    interval: { type: 'string' },
  });
  const [action, target] = positionals;
  if (!action || !['add', 'list', 'remove', 'poll'].includes(action)) throw new UsageError(FEEDS_USAGE);
  if ((action === 'remove' || action === 'poll') && !target) throw new UsageError(`expected a feed id or URL\n${FEEDS_USAGE}`);
  const { config, logger } = loadCliConfig();
  const rt = await openRuntime(config, logger);
  try {
    const prisma = rt.db.prisma;
    const find = async (idOrUrl: string) => {
      const feed = /^[0-9a-f-]{36}$/i.test(idOrUrl) ? await prisma.feed.findUnique({ where: { id: idOrUrl } }) : await prisma.feed.findUnique({ where: { url: idOrUrl } });
      if (!feed) throw new UsageError(`no feed ${idOrUrl}`);
      return feed;
    };
    if (action === 'add') {
      const input = parseInput(FeedInput, {
        url: values.url,
        name: values.name,
        ...(values.language ? { language: values.language } : {}),
        ...(values.interval ? { pollIntervalMinutes: Number(values.interval) } : {}),
      });
      const feed = await createFeed(prisma, rt.queues, input, SYSTEM);
      console.log(`Added feed ${feed.id} (${feed.url}), polled every ${feed.pollIntervalMinutes} min.`);
    } else if (action === 'list') {
      for (const f of await prisma.feed.findMany({ orderBy: { createdAt: 'asc' } })) {
        const problem = f.lastError ? `  last error: ${f.lastError}` : '';
        console.log(`${f.id}  ${f.status.padEnd(7)} every ${f.pollIntervalMinutes}m  ${f.name}  ${f.url}${problem}`);
      }
    } else if (action === 'remove') {
      const feed = await find(target!);
      await deleteFeed(prisma, rt.queues, feed.id, SYSTEM);
      console.log(`Removed feed ${feed.id} (${feed.url}).`);
    } else {
      const feed = await find(target!);
      const outcome = await pollFeed(pollDeps(rt), feed.id, { force: true });
      if (outcome.status === 'failed') {
        console.error(`${outcome.code}: ${outcome.message}`);
        return 1;
      }
      let signals = 0;
      if (outcome.status === 'ok') {
        for (const articleId of outcome.newArticleIds) signals += (await matchArticle({ prisma, index: rt.accountIndex }, articleId)).signalIds.length;
      }
      console.log(outcome.status === 'ok' ? `${outcome.articles} articles, ${outcome.newArticleIds.length} new, ${signals} signals.` : 'Not modified since the last poll.');
    }
    return 0;
  } finally {
    await rt.close();
  }
}

import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { articleDedupeKey } from '../feeds/article-key.js';
import { FeedError } from '../feeds/feed-errors.js';
import { parseFeed, type ParsedArticle } from '../feeds/parse-feed.js';
import { AccountDirectory } from './account-directory.js';
import { describeIssues } from './describe-issues.js';
import { findSignals } from './find-signals.js';
import { buildMatchIndex } from './match-index.js';
import { RuleFileError } from './rule-files.js';

/** In a directory, files with these extensions are feeds; READMEs and scripts next to them are not. */
export const FEED_EXTENSIONS = ['.xml', '.rss', '.atom', '.rdf', '.feed'];

/** Input the offline command cannot use; the CLI prints the message and exits 1. */
export class OfflineInputError extends Error {
  override readonly name = 'OfflineInputError';
}

export interface OfflineSignalsOptions {
  accountsPath: string;
  /** A feed file, or a directory whose feed files (by extension, see FEED_EXTENSIONS) are read. */
  inputPath: string;
  format: 'jsonl';
  /** Extra classification rule files on top of the built-in ones. */
  rulesDir?: string;
}

/**
 * The core of `rapport signals`: match feed files against an accounts file without a database or
 * Redis, for evaluating matching quality. Output is a stable contract — one JSON object per line
 * and per (article, account), keys in this order:
 * `{"article","account","contact","kind","polarity","confidence","evidence"}`. Files are read in
 * name order and articles in feed order, so two runs on the same input print the same bytes.
 */
export async function runOfflineSignals(opts: OfflineSignalsOptions, out: NodeJS.WritableStream): Promise<{ articles: number; signals: number }> {
  const accounts = await readAccounts(opts.accountsPath);
  const files = await listFeedFiles(opts.inputPath);
  let index;
  try {
    index = buildMatchIndex(accounts, opts.rulesDir ? { extraRulesDir: opts.rulesDir } : {});
  } catch (error) {
    if (error instanceof RuleFileError) throw new OfflineInputError(error.message, { cause: error });
    throw error;
  }
  let articles = 0;
  let signals = 0;
  for (const file of files) {
    for (const article of await readFeed(file)) {
      articles++;
      const id = articleId(article);
      const found = findSignals(index, { id, title: article.title, text: article.text, link: article.link, language: article.language });
      for (const signal of found) {
        const line = JSON.stringify({
          article: signal.articleId,
          account: signal.accountId,
          contact: signal.contactId,
          kind: signal.kind,
          polarity: signal.polarity,
          confidence: signal.confidence,
          evidence: signal.evidence,
        });
        if (!out.write(`${line}\n`)) await new Promise((resolve) => out.once('drain', resolve));
        signals++;
      }
    }
  }
  return { articles, signals };
}

/** The guid or link as the feed gave it, else a content hash (the same one feed dedupe uses). */
function articleId(article: ParsedArticle): string {
  if (article.guid?.trim()) return article.guid.trim();
  if (article.link?.trim()) return article.link.trim();
  return articleDedupeKey(article);
}

async function readAccounts(path: string): Promise<AccountDirectory> {
  const name = basename(path);
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new OfflineInputError(`cannot read accounts file ${path}: ${describeReadError(error)}`, { cause: error });
  }
  const parsed = AccountDirectory.safeParse(data);
  if (!parsed.success) throw new OfflineInputError(describeIssues(name, parsed.error.issues, data));
  return parsed.data;
}

async function listFeedFiles(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new OfflineInputError(`cannot read input ${path}: ${describeReadError(error)}`, { cause: error });
  }
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.') && FEED_EXTENSIONS.includes(extname(entry.name).toLowerCase()))
    .map((entry) => entry.name)
    .sort()
    .map((name) => join(path, name));
  if (files.length === 0) throw new OfflineInputError(`input directory ${path} contains no feed files (${FEED_EXTENSIONS.join(', ')})`);
  return files;
}

async function readFeed(file: string): Promise<ParsedArticle[]> {
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch (error) {
    throw new OfflineInputError(`cannot read feed file ${file}: ${describeReadError(error)}`, { cause: error });
  }
  try {
    return (await parseFeed(body)).articles;
  } catch (error) {
    if (error instanceof FeedError) throw new OfflineInputError(`${file}: ${error.message} (${error.code})`, { cause: error });
    throw error;
  }
}

function describeReadError(error: unknown): string {
  if (error instanceof SyntaxError) return `not valid JSON (${error.message})`;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, expected a file';
  return error instanceof Error ? error.message : String(error);
}

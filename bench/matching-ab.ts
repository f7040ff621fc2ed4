/**
 * Two versions of the matcher timed against each other in one process, for deciding whether a
 * change made it faster. The timed benchmark cannot say: on the virtual machines here the same
 * code's fastest pass moved from 10,900 to 20,230 articles/s between runs, with the machine's
 * speed. Here both versions run on the same machine at the same minute: each round times one pass
 * of each over the same stream, in alternating order, and the figure is the median over rounds of
 * the time ratios. A commit against itself gave 0.998–1.021 in four runs, so read a difference
 * under 3 % as noise; the commit that wrote out the automaton's step came out 1.029 and 1.041
 * against its parent.
 *
 * Each version is checked out in a temporary git worktree (or taken from the working tree), and
 * its src/matching bundled by esbuild into a module of its own, so both load side by side with
 * their own compiled code. Both must find the same signals on a stream, or the run stops.
 *
 * Run: node --import tsx bench/matching-ab.ts <revision> [<revision>]
 *   the second version defaults to the working tree; BENCH_AB_ROUNDS (40 per order of loading),
 *   BENCH_AB_ARTICLES (1,500 per pass), BENCH_AB_ACCOUNTS (100,000), BENCH_AB_MATCHER_ONLY=1 (do
 *   not load the rest of Rapport first; see below).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { DirectoryAccount } from '../src/matching/account-directory.js';
import type { ArticleInput, SignalCandidate } from '../src/matching/find-signals.js';
import { envInt } from './bench-env.js';
import { generateAccounts, generateArticles } from './matching.bench.js';

const ROUNDS = envInt('BENCH_AB_ROUNDS', 40);
const ARTICLES = envInt('BENCH_AB_ARTICLES', 1_500);
const ACCOUNTS = envInt('BENCH_AB_ACCOUNTS', 100_000);
const WARM_UP = 3_000;
const SEED = 20_250_501;
const REPOSITORY = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** One version's matcher, loaded from its own bundle; the index type is its own too. */
interface Matcher {
  label: string;
  buildMatchIndex(accounts: DirectoryAccount[]): unknown;
  findSignals(index: unknown, article: ArticleInput): SignalCandidate[];
}

/** A source tree of `revision` (null: the working tree) and how to remove it afterwards. */
function checkOut(revision: string | null, root: string): { root: string; remove(): void } {
  if (revision === null) return { root: REPOSITORY, remove: () => {} };
  try {
    execFileSync('git', ['-C', REPOSITORY, 'worktree', 'add', '--detach', '--quiet', root, revision], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const said = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`cannot check out ${revision}: ${said || String(error)}`);
  }
  return { root, remove: () => execFileSync('git', ['-C', REPOSITORY, 'worktree', 'remove', '--force', root]) };
}

/** Bundles the matcher of the tree at `root` into `dir`; returns the bundle's path. */
async function bundleMatcher(root: string, dir: string): Promise<string> {
  mkdirSync(dir);
  const entry = join(dir, 'entry.ts');
  writeFileSync(
    entry,
    `export { buildMatchIndex } from ${JSON.stringify(join(root, 'src/matching/match-index.ts'))};\n` +
      `export { findSignals } from ${JSON.stringify(join(root, 'src/matching/find-signals.ts'))};\n`,
  );
  const outfile = join(dir, 'matcher.mjs');
  // Packages (zod, for the rule files) come from this repository's node_modules, bundled in: a
  // worktree has none, and none is next to the bundle.
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', nodePaths: [join(REPOSITORY, 'node_modules')], logLevel: 'warning' });
  // The built-in rules are found next to the module that loads them (see BUILT_IN_RULES_DIR).
  symlinkSync(join(root, 'src/matching/rules'), join(dir, 'rules'));
  return outfile;
}

async function loadMatcher(bundle: string, label: string): Promise<Matcher> {
  const loaded = (await import(pathToFileURL(bundle).href)) as Omit<Matcher, 'label'>;
  return { label, buildMatchIndex: loaded.buildMatchIndex, findSignals: loaded.findSignals };
}

/** The value a fraction `q` of the way through the sorted values (0.5: the median). */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
}

interface Rounds {
  /** Time of `a` over time of `b`, per round: above 1 when b was faster. */
  ratios: number[];
  a: number[];
  b: number[];
}

/** The rounds, in a process that has loaded and built `first` before `second`. */
function timeRounds(a: Matcher, b: Matcher, first: Matcher, second: Matcher): Rounds {
  const accounts = generateAccounts(ACCOUNTS);
  const indexes = new Map<Matcher, unknown>([first, second].map((m) => [m, m.buildMatchIndex(accounts)]));
  const warmUp = generateArticles(accounts, WARM_UP, SEED);
  const streams = Array.from({ length: ROUNDS }, (_, r) => generateArticles(accounts, ARTICLES, SEED + 1 + r));
  for (const article of warmUp) for (const m of [first, second]) m.findSignals(indexes.get(m), article);
  const signalsOf = (m: Matcher) => JSON.stringify(warmUp.map((article) => m.findSignals(indexes.get(m), article)));
  if (signalsOf(a) !== signalsOf(b)) throw new Error('the two versions find different signals in the same warm-up articles');

  const rounds: Rounds = { ratios: [], a: [], b: [] };
  for (const [round, stream] of streams.entries()) {
    const ms = new Map<Matcher, number>();
    // Alternating who goes first: the second pass of a round reads articles the first just read.
    for (const m of round % 2 === 0 ? [a, b] : [b, a]) {
      const started = performance.now();
      for (const article of stream) m.findSignals(indexes.get(m), article);
      ms.set(m, performance.now() - started);
    }
    rounds.a.push((ARTICLES / (ms.get(a) ?? 1)) * 1000);
    rounds.b.push((ARTICLES / (ms.get(b) ?? 1)) * 1000);
    rounds.ratios.push((ms.get(a) ?? 0) / (ms.get(b) ?? 1));
  }
  return rounds;
}

/**
 * Each order of loading in a process of its own, then both orders' rounds together. The version
 * loaded and built second came out up to 3 % faster in runs of a commit against itself in one
 * process (1.004–1.030), so one order alone could favour it.
 */
function compare(bundles: { a: string; b: string }, labels: { a: string; b: string }): void {
  const byOrder = (['ab', 'ba'] as const).map((order) => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--rounds', bundles.a, bundles.b, order], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 24,
    });
    // The child has said why on stderr, which it shares with this process.
    if (child.status !== 0) throw new Error(`${labels.a} against ${labels.b}: the rounds with ${order === 'ab' ? labels.a : labels.b} loaded first failed (exit ${child.status})`);
    return JSON.parse(child.stdout) as Rounds;
  });
  const all: Rounds = { ratios: byOrder.flatMap((r) => r.ratios), a: byOrder.flatMap((r) => r.a), b: byOrder.flatMap((r) => r.b) };
  for (const side of ['a', 'b'] as const) {
    const rates = all[side];
    console.log(`${labels[side]}: median ${Math.round(quantile(rates, 0.5)).toLocaleString('en-US')} articles/s, fastest ${Math.round(Math.max(...rates)).toLocaleString('en-US')}`);
  }
  const [low, middle, high] = [0.25, 0.5, 0.75].map((q) => quantile(all.ratios, q).toFixed(3));
  const orders = byOrder.map((r, i) => `${quantile(r.ratios, 0.5).toFixed(3)} with ${i === 0 ? labels.a : labels.b} loaded first`).join(', ');
  console.log(`${labels.b} against ${labels.a}: ${middle}× as fast (median of ${all.ratios.length} rounds, the middle half ${low}–${high}; ${orders})`);
}

/** BENCH_AB_MATCHER_ONLY: unset, 0 or 1; anything else stops the run before it starts. */
function matcherOnly(): boolean {
  const raw = process.env.BENCH_AB_MATCHER_ONLY?.trim() ?? '';
  if (raw !== '' && raw !== '0' && raw !== '1') throw new Error(`BENCH_AB_MATCHER_ONLY: expected 0 or 1, got "${raw}"`);
  return raw === '1';
}

/** The child process: one order of loading, its rounds as JSON on stdout. */
async function runRounds(bundleA: string, bundleB: string, order: string): Promise<void> {
  // What `npm run bench` and a worker process have loaded besides the matcher (Prisma, BullMQ,
  // nodemailer, playwright-core…). Loading it detaches an ArrayBuffer (tsx's WebAssembly lexer; in
  // a worker, Prisma's WebAssembly query compiler does), after which V8 checks every typed-array
  // access of the matcher for a detached buffer (bench/README, Noise), and inlines differently:
  // before the automaton's step was written out, it ran 3–4 % slower there (1.029–1.041× between
  // the two commits) and no slower in a process holding only the matcher (0.993×).
  if (!matcherOnly()) {
    await import('./email-delivery.bench.js');
    await import('./events-pipeline.bench.js');
    await import('./print.bench.js');
    await import('./trigger-scan.bench.js');
  }
  const a = await loadMatcher(bundleA, 'a');
  const b = await loadMatcher(bundleB, 'b');
  process.stdout.write(JSON.stringify(order === 'ba' ? timeRounds(a, b, b, a) : timeRounds(a, b, a, b)));
}

const isMain = import.meta.url === pathToFileURL(process.argv[1] ?? '').href;
if (isMain && process.argv[2] === '--rounds') {
  const [bundleA, bundleB, order] = process.argv.slice(3);
  try {
    if (!bundleA || !bundleB) throw new Error('--rounds needs two bundles');
    await runRounds(bundleA, bundleB, order ?? 'ab');
  } catch (error) {
    console.error(`matching-ab: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
} else if (isMain) {
  const [first, second] = process.argv.slice(2);
  if (first === undefined) {
    console.error('usage: node --import tsx bench/matching-ab.ts <revision> [<revision>]   (the second defaults to the working tree)');
    process.exit(2);
  }
  const into = mkdtempSync(join(tmpdir(), 'rapport-matching-ab-'));
  const trees: { root: string; remove(): void }[] = [];
  try {
    matcherOnly(); // a bad value stops here, before anything is checked out
    trees.push(checkOut(first, join(into, 'a-tree')));
    trees.push(checkOut(second ?? null, join(into, 'b-tree')));
    const bundles = {
      a: await bundleMatcher(trees[0]?.root ?? REPOSITORY, join(into, 'a')),
      b: await bundleMatcher(trees[1]?.root ?? REPOSITORY, join(into, 'b')),
    };
    compare(bundles, { a: first, b: second ?? 'the working tree' });
  } catch (error) {
    console.error(`matching-ab: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  } finally {
    for (const tree of trees) tree.remove();
    rmSync(into, { recursive: true, force: true });
  }
}

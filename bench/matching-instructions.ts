/**
 * Instructions the matcher executes per article, counted by valgrind (cachegrind without its cache
 * simulation): a number that does not move with the machine's speed, for comparing two versions of
 * the matcher where the timed benchmark's own noise (a third, run to run, on the virtual machines
 * here) hides a 5 % change. Not part of `npm run bench`: it needs `apt-get install valgrind` and
 * takes about 90 seconds.
 *
 * The same process runs twice under valgrind, once building the index and matching a warm-up
 * stream, once doing the same and then matching BENCH_COUNT_ARTICLES more; the difference divided
 * by those articles is the figure. V8 runs with --predictable (one thread, no heuristics timed by
 * the clock) and fixed hash and random seeds. Runs of the same code still differ, by more than
 * first thought: 570,285–589,861 per article in four runs of one version, 563,463–670,313 in four
 * of another (see Noise in bench/README, which also has the A/B timing that is now preferred:
 * bench/matching-ab.ts). Run each version several times and compare the medians.
 *
 * Run: node --import tsx bench/matching-instructions.ts   (20,000 accounts; BENCH_COUNT_ACCOUNTS)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findSignals } from '../src/matching/find-signals.js';
import { buildMatchIndex } from '../src/matching/match-index.js';
import { envInt } from './bench-env.js';
import { generateAccounts, generateArticles } from './matching.bench.js';

const ACCOUNTS = envInt('BENCH_COUNT_ACCOUNTS', 20_000);
const ARTICLES = envInt('BENCH_COUNT_ARTICLES', 3_000);
const WARM_UP = 1_500;
const SEED = 20_250_401;

/** The measured process: what runs inside valgrind. */
function matchStreams(measured: boolean): void {
  const accounts = generateAccounts(ACCOUNTS);
  const index = buildMatchIndex(accounts);
  const warmUp = generateArticles(accounts, WARM_UP, SEED);
  const articles = generateArticles(accounts, ARTICLES, SEED + 1);
  for (const article of warmUp) findSignals(index, article);
  if (measured) for (const article of articles) findSignals(index, article);
}

/**
 * Runs this file once without valgrind, which does nothing but load the matcher's modules. tsx
 * caches what it transpiles (in the temp directory), and a changed module is transpiled by the
 * first process that loads it: without this, that was the uncounted base run, whose extra
 * instructions came off the per-article figure (486,843 against 548,575 for the same code, the
 * first run after the cache was emptied).
 */
function fillTranspileCache(): void {
  const run = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'load'], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`loading the matcher's modules failed (exit ${run.status})`);
}

function instructionsOf(measured: boolean): number {
  const self = fileURLToPath(import.meta.url);
  const args = ['--tool=cachegrind', '--cache-sim=no', '--smc-check=all-non-file', '--cachegrind-out-file=/dev/null'];
  const node = [process.execPath, '--predictable', '--hash-seed=1', '--random-seed=1', '--import', 'tsx', self, measured ? 'measured' : 'base'];
  // valgrind reports on stderr; `I refs: 12,345,678`.
  const run = spawnSync('valgrind', [...args, ...node], { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'], maxBuffer: 1 << 24 });
  if (run.error) throw new Error(`valgrind could not run (apt-get install valgrind): ${run.error.message}`);
  const output = run.stderr;
  if (run.status !== 0) throw new Error(`valgrind exited with ${run.status}:\n${output.slice(-2000)}`);
  const refs = /I\s+refs:\s+([\d,]+)/.exec(output)?.[1];
  if (refs === undefined) throw new Error(`no instruction count in valgrind's output:\n${output.slice(-2000)}`);
  return Number(refs.replaceAll(',', ''));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const role = process.argv[2];
  if (role === 'measured' || role === 'base') {
    matchStreams(role === 'measured');
  } else if (role !== 'load') {
    fillTranspileCache();
    const base = instructionsOf(false);
    const measured = instructionsOf(true);
    const perArticle = (measured - base) / ARTICLES;
    console.log(`matching: ${Math.round(perArticle).toLocaleString('en-US')} instructions per article (${ACCOUNTS.toLocaleString('en-US')} accounts, ${ARTICLES.toLocaleString('en-US')} articles after a warm-up of ${WARM_UP.toLocaleString('en-US')})`);
  }
}

import { printResults, type BenchResult } from './bench-result.js';
import { benchEventsPipeline } from './events-pipeline.bench.js';
import { benchTriggerScan } from './trigger-scan.bench.js';
import { benchPrint } from './print.bench.js';
import { benchEmailDelivery } from './email-delivery.bench.js';
import { benchMatching } from './matching.bench.js';

/**
 * `npm run bench [-- name…]`: runs every benchmark (or those whose name contains one of the
 * arguments) one after another, so they never compete for the machine, then prints one table.
 */
interface Benchmark {
  name: string;
  run(): Promise<BenchResult[] | string>;
}

const benchmarks: Benchmark[] = [
  { name: 'events', run: benchEventsPipeline },
  { name: 'matching', run: benchMatching },
  { name: 'trigger-scan', run: benchTriggerScan },
  { name: 'print', run: benchPrint },
  { name: 'email', run: benchEmailDelivery },
];

async function main(): Promise<number> {
  const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const selected = filters.length ? benchmarks.filter((b) => filters.some((f) => b.name.includes(f))) : benchmarks;
  if (!selected.length) {
    console.error(`No benchmark matches ${filters.join(', ')}; known: ${benchmarks.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const results: BenchResult[] = [];
  const notes: string[] = [];
  let failed = false;
  for (const b of selected) {
    const started = performance.now();
    console.error(`running ${b.name}…`);
    try {
      const outcome = await b.run();
      if (typeof outcome === 'string') notes.push(`${b.name}: ${outcome}`);
      else results.push(...outcome);
      console.error(`  ${b.name} took ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (err) {
      // One broken benchmark should not hide the others' numbers; the exit code still says so.
      failed = true;
      notes.push(`${b.name}: FAILED — ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  console.log('');
  if (results.length) printResults(results);
  if (notes.length) console.log(`\n${notes.join('\n')}`);
  return failed ? 1 : 0;
}

const code = await main();
process.exitCode = code;
// Benchmarks must close everything they open. If something still holds the event loop, say so and
// exit anyway rather than hang a CI job; the timer is unref'd, so a clean run never sees it.
setTimeout(() => {
  console.error('bench: a handle was left open after all benchmarks finished (a missing close()); exiting.');
  process.exit(code || 1);
}, 5_000).unref();

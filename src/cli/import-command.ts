import { createWriteStream, type WriteStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import type { ImportProgress, RejectedRow } from '../customers/import-customers.js';
import { UsageError, loadCliConfig, parseOptions } from './main.js';

const USAGE = 'expected `rapport import customers <file.csv> [--dry-run] [--report <rejected.csv>]`';
/** Rejected rows printed to the terminal; the --report file gets all of them. */
const PRINT_AT_MOST = 1000;

/**
 * `rapport import customers <file.csv> [--dry-run] [--report <file>]`. Exit 0 when every row was
 * valid, 1 when some were rejected (the valid ones are imported), 2 when the file cannot be used.
 */
export async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { 'dry-run': { type: 'boolean' }, report: { type: 'string' } });
  const [what, file, ...extra] = positionals;
  if (what !== 'customers' || !file || extra.length) throw new UsageError(USAGE);
  const dryRun = values['dry-run'] === true;
  let input: FileHandle;
  let size: number;
  try {
    input = await open(file, 'r');
    const info = await input.stat();
    if (!info.isFile()) {
      await input.close();
      throw new Error('not a regular file');
    }
    size = info.size;
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const report = values.report ? await openReport(values.report).catch(async (err: unknown) => {
    await input.close();
    throw err;
  }) : null;

  // Loaded only now: a usage error should not wait for Prisma, BullMQ and the rest to load.
  const [{ ImportFileError, importCustomers }, { openRuntime }, { default: cliProgress }] = await Promise.all([
    import('../customers/import-customers.js'),
    import('../infra/runtime.js'),
    import('cli-progress'),
  ]);
  const { config, logger } = loadCliConfig();
  const runtime = await openRuntime(config, logger).catch(async (err: unknown) => {
    await input.close();
    report?.end();
    throw err;
  });
  const printed: RejectedRow[] = [];
  let rejectedIssues = 0;
  const progress = progressDisplay(size, cliProgress);
  try {
    const summary = await importCustomers(runtime.db.prisma, input.createReadStream(), {
      actor: { type: 'system', id: 'csv-import' },
      dryRun,
      onProgress: progress.update,
      onRejected: async (row) => {
        rejectedIssues++;
        if (printed.length < PRINT_AT_MOST) printed.push(row);
        if (report && !report.write(`${[String(row.line), row.field, row.message].map(csvCell).join(',')}\n`)) await once(report, 'drain');
      },
    });
    progress.done(summary);
    printSummary(summary, { dryRun, printed, rejectedIssues, reportPath: values.report });
    return summary.rejected > 0 ? 1 : 0;
  } catch (err) {
    progress.done(null);
    if (err instanceof ImportFileError) throw new UsageError(`${file}: ${err.message}`);
    throw err;
  } finally {
    if (report) await new Promise((resolve) => report.end(resolve));
    await runtime.close();
  }
}

async function openReport(path: string): Promise<WriteStream> {
  const stream = createWriteStream(path, { encoding: 'utf8' });
  try {
    await once(stream, 'open');
  } catch (err) {
    throw new UsageError(`--report: cannot write ${path}: ${(err as Error).message}`);
  }
  stream.write('line,field,reason\n');
  return stream;
}

function printSummary(
  s: ImportProgress,
  opts: { dryRun: boolean; printed: RejectedRow[]; rejectedIssues: number; reportPath: string | undefined },
): void {
  const lines = opts.dryRun
    ? [`Dry run: nothing was written. ${s.rows} rows: ${s.created} would be created, ${s.updated} updated, ${s.rejected} rejected.`]
    : [`${s.rows} rows: ${s.created} created, ${s.updated} updated, ${s.rejected} rejected.`];
  if (s.optOutsKept) {
    lines.push(`${s.optOutsKept} row(s) said optedOut=false for customers who had opted out: their other fields were written, the opt-out was kept (only POST /api/v1/customers/{externalId}/resubscribe clears it).`);
  }
  if (opts.printed.length) {
    lines.push('', 'Rejected rows (not imported):');
    for (const r of [...opts.printed].sort((a, b) => a.line - b.line)) lines.push(`line ${r.line}, ${r.field}: ${r.message}`);
    const more = opts.rejectedIssues - opts.printed.length;
    if (more > 0) lines.push(opts.reportPath ? `… and ${more} more in ${opts.reportPath}` : `… and ${more} more; add --report <file> to get them all`);
  }
  if (opts.reportPath && opts.rejectedIssues) lines.push('', `Rejected rows were also written to ${opts.reportPath}.`);
  console.log(lines.join('\n'));
}

/** A progress bar on a terminal; a line every few seconds otherwise (logs, CI). Both on stderr. */
function progressDisplay(totalBytes: number, cliProgress: typeof import('cli-progress')) {
  const describe = (p: ImportProgress) => `${p.rows} rows, ${p.created + p.updated} ok, ${p.rejected} rejected`;
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: 'importing [{bar}] {percentage}% | {status}', stream: process.stderr, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Math.max(totalBytes, 1), 0, { status: 'starting' });
    return {
      update: (p: ImportProgress) => bar.update(Math.min(p.bytesRead, totalBytes), { status: describe(p) }),
      done: (p: ImportProgress | null) => {
        if (p) bar.update(Math.max(totalBytes, 1), { status: describe(p) });
        bar.stop();
      },
    };
  }
  let lastAt = Date.now();
  return {
    update: (p: ImportProgress) => {
      if (Date.now() - lastAt < 5_000) return;
      lastAt = Date.now();
      const percent = totalBytes ? Math.floor((100 * p.bytesRead) / totalBytes) : 100;
      process.stderr.write(`importing: ${percent}%, ${describe(p)}\n`);
    },
    done: () => undefined,
  };
}

const csvCell = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

import { runProgress } from './run-progress.js';
import { SYSTEM } from '../audit/audit-log.js';
import { runPrint } from '../delivery/print/print-run.js';
import { printFormatNames } from '../delivery/print/print-formats.js';
import { openRuntime } from '../infra/runtime.js';
import { UsageError, loadCliConfig, parseOptions } from './main.js';

const PRINT_USAGE = `rapport print run [--format <name>[,<name>…]] [--cards-per-file <n>]
    Renders every approved print note that is due into DATA_DIR/print-runs/<run id>/:
    one PDF per format and manifest.csv (recipient, address, delivery id, pages) for a mail house.
rapport print formats      list the print formats`;

/** `rapport print …`: batch print runs for a mail house. */
export async function printCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    format: { type: 'string' },
    'cards-per-file': { type: 'string' },
  });
  const [action] = positionals;
  if (action === 'formats') {
    console.log(printFormatNames().join('\n'));
    return 0;
  }
  if (action !== 'run') throw new UsageError(PRINT_USAGE);
  const formats = (values.format ?? '').split(',').map((f) => f.trim()).filter(Boolean);
  const cardsPerFile = values['cards-per-file'] === undefined ? undefined : Number(values['cards-per-file']);
  if (cardsPerFile !== undefined && !(Number.isInteger(cardsPerFile) && cardsPerFile > 0)) throw new UsageError('--cards-per-file expects a positive whole number');
  const unknown = formats.filter((f) => !printFormatNames().includes(f));
  if (unknown.length) throw new UsageError(`unknown format ${unknown.join(', ')}; known: ${printFormatNames().join(', ')}`);

  const { config, logger } = loadCliConfig();
  const rt = await openRuntime(config, logger);
  const progress = runProgress('printing', 'cards');
  try {
    const report = await runPrint(
      { prisma: rt.db.prisma, renderer: rt.print, dataDir: config.dataDir, defaultFormat: config.print.defaultFormat },
      {
        formats,
        actor: SYSTEM,
        ...(cardsPerFile ? { cardsPerFile } : {}),
        onProgress: ({ done, total, file }) => progress.update(done, total, file),
      },
    );
    progress.stop();
    if (!report) {
      console.log('Nothing to print: no approved print notes are due.');
      return 0;
    }
    console.log(`Print run ${report.runId}: ${report.cards} card(s) in ${report.dir}`);
    for (const f of report.files) console.log(`  ${f.file}  ${f.cards} card(s), ${f.pages} page(s)`);
    console.log('  manifest.csv');
    for (const f of report.failed) console.log(`  not printed: delivery ${f.deliveryId}: ${f.reason}`);
    if (report.suppressed) console.log(`  ${report.suppressed} note(s) suppressed (opted out, do not contact or no postal address)`);
    return report.failed.length ? 1 : 0;
  } finally {
    progress.stop();
    await rt.close();
  }
}

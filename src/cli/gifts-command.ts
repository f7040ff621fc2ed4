import { SYSTEM } from '../audit/audit-log.js';
import { AppError } from '../errors.js';
import { runGiftPacking } from '../gifts/packing-run.js';
import { ShipInput, markGiftOrdersShipped } from '../gifts/ship-gift-orders.js';
import { openRuntime } from '../infra/runtime.js';
import { parseInput } from '../validation/parse-input.js';
import { runProgress } from './run-progress.js';
import { UsageError, loadCliConfig, parseOptions } from './main.js';

const GIFTS_USAGE = `rapport gifts pack [--paper a4|letter]
    Manual fulfilment (no GIFT_PARTNER_URL): claims every pending gift order and writes
    DATA_DIR/gift-packing/<run id>/packing-slips.pdf (one page per order, the address in the
    envelope window) and packing-slips.csv; the orders become "packed".
rapport gifts ship --run <run id> | <gift order id>…
    Marks packed orders as shipped (all of a packing run, or the ones named).`;

/** `rapport gifts …`: packing runs and shipping for gifts fulfilled by hand. */
export async function giftsCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { paper: { type: 'string' }, run: { type: 'string' } });
  const [action, ...ids] = positionals;
  if (action === 'pack') return pack(values.paper);
  if (action === 'ship') return ship(values.run, ids);
  throw new UsageError(GIFTS_USAGE);
}

async function pack(paperOption: string | undefined): Promise<number> {
  if (paperOption !== undefined && paperOption !== 'a4' && paperOption !== 'letter') throw new UsageError('--paper expects a4 or letter');
  const { config, logger } = loadCliConfig();
  if (config.gifts.partnerUrl) throw new AppError('RAPPORT_GIFT_PARTNER_CONFIGURED');
  const rt = await openRuntime(config, logger);
  const progress = runProgress('packing', 'orders');
  try {
    const report = await runGiftPacking(
      { prisma: rt.db.prisma, renderer: rt.print, dataDir: config.dataDir, templatesDir: config.templatesDir, paper: paperOption ?? config.gifts.packingPaper },
      {
        actor: SYSTEM,
        onProgress: ({ done, total, step }) => progress.update(done, total, step),
      },
    );
    progress.stop();
    if (!report) {
      console.log('Nothing to pack: no pending gift orders with a postal address.');
      return 0;
    }
    console.log(`Packing run ${report.runId}: ${report.orders} order(s) in ${report.dir}`);
    for (const f of report.files) console.log(`  ${f}`);
    for (const id of report.unaddressed) console.log(`  not packed: gift order ${id} has no postal address`);
    console.log(`When they have left: rapport gifts ship --run ${report.runId}`);
    return 0;
  } finally {
    progress.stop();
    await rt.close();
  }
}

async function ship(runId: string | undefined, ids: string[]): Promise<number> {
  const input = parseInput(ShipInput, runId !== undefined ? { packingRunId: runId, ...(ids.length ? { giftOrderIds: ids } : {}) } : { giftOrderIds: ids });
  const { config, logger } = loadCliConfig();
  const rt = await openRuntime(config, logger);
  try {
    const results = await markGiftOrdersShipped(rt.db.prisma, { ...input, actor: SYSTEM });
    for (const r of results) console.log(`${r.giftOrderId}  ${r.result.replace('_', ' ')}${r.message ? `: ${r.message}` : ''}`);
    const shipped = results.filter((r) => r.result === 'shipped').length;
    console.log(`${shipped} gift order(s) marked shipped`);
    return results.some((r) => r.result === 'refused') ? 1 : 0;
  } finally {
    await rt.close();
  }
}

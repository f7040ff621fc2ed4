import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PrintRunStatus, PrismaClient } from '../../generated/prisma/client.js';
import type { Actor } from '../../audit/audit-log.js';
import { abandonPrintRuns, claimPrintRun, completePrintRun, renewPrintRunLease, type ClaimedPrint, type Placement } from './print-claims.js';
import { manifestCsv, type ManifestRow } from './print-manifest.js';
import { postalAddressLines, type PrintNote } from './print-document.js';
import { printFormat } from './print-formats.js';
import type { PrintRenderer } from './render-print.js';

export interface PrintRunDeps {
  prisma: PrismaClient;
  renderer: PrintRenderer;
  dataDir: string;
  defaultFormat: string;
}

export interface PrintRunOptions {
  /** Only these formats (default: all). */
  formats?: string[];
  actor: Actor;
  /** Cards per PDF file; a format with more cards gets numbered files. */
  cardsPerFile?: number;
  onProgress?: (p: { done: number; total: number; file: string }) => void | Promise<void>;
  now?: Date;
}

export interface PrintRunReport {
  runId: string;
  /** DATA_DIR/print-runs/<runId>: the PDFs and manifest.csv for the mail house. */
  dir: string;
  files: { file: string; format: string; cards: number; pages: number }[];
  cards: number;
  failed: { deliveryId: string; reason: string }[];
  suppressed: number;
}

export const printRunsDir = (dataDir: string) => path.resolve(dataDir, 'print-runs');
const CARDS_PER_FILE = 250;

/**
 * Prints every due print note: claims them for a run (PostgreSQL), renders one PDF per format (more
 * than `cardsPerFile` cards: numbered files) and manifest.csv into `<runId>.partial/`, then marks the
 * deliveries sent with their pages in one transaction, and only then renames the folder to `<runId>/`.
 *
 * Exactly once: a crash before that transaction leaves the cards claimed by a run whose lease runs
 * out — the next run abandons it, deletes its partial folder and prints those cards afresh; a crash
 * after it leaves a complete `.partial` folder that the next run renames. A folder without `.partial`
 * is always a committed run, and every card is in exactly one of them.
 */
export async function runPrint(deps: PrintRunDeps, opts: PrintRunOptions): Promise<PrintRunReport | null> {
  const now = opts.now ?? new Date();
  const formats = (opts.formats ?? []).map((f) => printFormat(f).name);
  printFormat(deps.defaultFormat);
  await recoverPrintRuns(deps, now);
  const start = await claimPrintRun(deps.prisma, { formats, defaultFormat: deps.defaultFormat, actor: opts.actor, now });
  if (!start) return null;
  const { run, claimed } = start;
  const root = printRunsDir(deps.dataDir);
  const partial = path.join(root, `${run.id}.partial`);
  try {
    await mkdir(partial, { recursive: true });
    const report = await renderRun(deps, run.id, partial, claimed, opts);
    await completePrintRun(deps.prisma, { runId: run.id, placements: report.placements, failures: report.failed, now: new Date() });
    const dir = path.join(root, run.id);
    await rename(partial, dir);
    return { runId: run.id, dir, files: report.files, cards: report.placements.length, failed: report.failed, suppressed: start.suppressed };
  } catch (err) {
    // Give the cards back at once rather than after the lease: nothing of this run left the machine.
    await abandonPrintRuns(deps.prisma, { now: new Date(), runId: run.id, reason: `print run failed: ${(err as Error).message}` }).catch(() => undefined);
    await rm(partial, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
}

async function renderRun(deps: PrintRunDeps, runId: string, dir: string, claimed: ClaimedPrint[], opts: PrintRunOptions) {
  const perFile = opts.cardsPerFile ?? CARDS_PER_FILE;
  const byFormat = new Map<string, ClaimedPrint[]>();
  for (const d of claimed) byFormat.set(d.printFormat ?? deps.defaultFormat, [...(byFormat.get(d.printFormat ?? deps.defaultFormat) ?? []), d]);
  const placements: Placement[] = [];
  const failed: { deliveryId: string; reason: string }[] = [];
  const files: PrintRunReport['files'] = [];
  const manifest: ManifestRow[] = [];
  let done = 0;
  for (const [formatName, deliveries] of [...byFormat].sort(([a], [b]) => a.localeCompare(b))) {
    const format = printFormat(formatName);
    // Postal order (country, postcode) within a format: mail houses get a discount for pre-sorted post.
    deliveries.sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    const chunks = Array.from({ length: Math.ceil(deliveries.length / perFile) }, (_, i) => deliveries.slice(i * perFile, (i + 1) * perFile));
    for (const [i, chunk] of chunks.entries()) {
      const file = chunks.length === 1 ? `${format.name}.pdf` : `${format.name}-${String(i + 1).padStart(3, '0')}.pdf`;
      const out = await deps.renderer.render(format, chunk.map(printNoteOf));
      for (const id of out.overflowing) failed.push({ deliveryId: id, reason: `the note is too long for ${format.label}; shorten it and approve again` });
      if (out.printed.length) {
        await writeFile(path.join(dir, file), out.pdf);
        files.push({ file, format: format.name, cards: out.printed.length, pages: out.printed.length * format.pagesPerNote });
      }
      const byId = new Map(chunk.map((d) => [d.id, d]));
      out.printed.forEach((id, n) => {
        const placement = { deliveryId: id, file, firstPage: n * format.pagesPerNote + 1, lastPage: (n + 1) * format.pagesPerNote };
        placements.push(placement);
        const c = byId.get(id)!.suggestion.customer;
        manifest.push({ ...placement, format: format.name, recipient: c.name, addressLines: c.addressLines, postalCode: c.postalCode, city: c.city, region: c.region, country: c.country, locale: byId.get(id)!.suggestion.locale });
      });
      done += chunk.length;
      if (!(await renewPrintRunLease(deps.prisma, runId))) throw new Error(`Print run ${runId} was abandoned while rendering`);
      await opts.onProgress?.({ done, total: claimed.length, file });
    }
  }
  await writeFile(path.join(dir, 'manifest.csv'), manifestCsv(manifest));
  return { placements, failed, files };
}

const sortKey = (d: ClaimedPrint) => `${d.suggestion.customer.country ?? ''}|${d.suggestion.customer.postalCode ?? ''}|${d.id}`;

export function printNoteOf(d: ClaimedPrint): PrintNote {
  const s = d.suggestion;
  return {
    deliveryId: d.id,
    locale: s.locale,
    subject: s.editedSubject ?? s.subject,
    body: s.editedBody ?? s.body,
    recipient: postalAddressLines(s.customer),
    ...(s.assignee ? { sender: s.assignee.name } : {}),
    date: d.scheduledFor,
  };
}

/**
 * Puts the print-runs folder in order before a run: abandons runs whose lease ran out, renames the
 * `.partial` folder of a run that committed just before a crash, and deletes the rest.
 */
export async function recoverPrintRuns(deps: Pick<PrintRunDeps, 'prisma' | 'dataDir'>, now = new Date()): Promise<void> {
  await abandonPrintRuns(deps.prisma, { now, reason: 'the print run stopped renewing its lease (the process died)' });
  await settlePartialRunFolders(printRunsDir(deps.dataDir), async (runId) => (await deps.prisma.printRun.findUnique({ where: { id: runId }, select: { status: true } }))?.status ?? null);
}

/**
 * For every `<runId>.partial` folder under `root`: leaves it while its run still renders, renames it
 * to `<runId>` when the run committed, deletes it otherwise (abandoned, or unknown). Shared by
 * every kind of run that writes files this way (print runs, gift packing runs).
 */
export async function settlePartialRunFolders(root: string, statusOf: (runId: string) => Promise<PrintRunStatus | null>): Promise<void> {
  const partials = (await readdir(root).catch(() => [] as string[])).filter((n) => n.endsWith('.partial'));
  for (const name of partials) {
    const runId = name.slice(0, -'.partial'.length);
    const status = /^[0-9a-f-]{36}$/.test(runId) ? await statusOf(runId) : null;
    if (status === 'rendering') continue;
    if (status === 'completed') await rename(path.join(root, name), path.join(root, runId));
    else await rm(path.join(root, name), { recursive: true, force: true });
  }
}

import { pipeline, Transform, type Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Actor } from '../audit/audit-log.js';
import { BATCH_CONCURRENCY, settleEach } from '../validation/batch-items.js';
import { csvColumnOf, customerFromCsvRow, headerProblem } from './customer-csv.js';
import type { CustomerInput } from './customer-input.js';
import { upsertCustomer } from './upsert-customer.js';

/** One problem with one row; `line` is where the row starts in the file (the header is line 1). */
export interface RejectedRow {
  line: number;
  field: string;
  message: string;
}

export interface ImportProgress {
  bytesRead: number;
  /** Data rows seen so far (valid or not). */
  rows: number;
  /** In a dry run: would be created / updated. */
  created: number;
  updated: number;
  /** Rows rejected (a row with two bad fields counts once; it has two RejectedRow entries). */
  rejected: number;
  /** Rows that said optedOut=false for a customer who had opted out: written, opt-out kept. */
  optOutsKept: number;
}

/** The file cannot be imported at all (not UTF-8, bad header): nothing was written. */
export class ImportFileError extends Error {
  override readonly name = 'ImportFileError';
}

export interface ImportOptions {
  actor: Actor;
  /** Validate everything and count what would change, writing nothing. */
  dryRun?: boolean;
  /** Rows validated and written per step; memory stays bounded by it, whatever the file size. */
  batchSize?: number;
  /** Rows of a batch written side by side (each in its own transaction). */
  concurrency?: number;
  onProgress?: (progress: ImportProgress) => void;
  onRejected?: (row: RejectedRow) => void | Promise<void>;
}

interface Row {
  line: number;
  input: CustomerInput;
}

/**
 * Streams a customers CSV (UTF-8, with or without BOM) into Rapport through the same upsert as
 * the API. Each row is written in its own transaction, so a bad row is reported and skipped while
 * the rest are kept; a row is never half-written. Rows with the same externalId keep file order.
 */
export async function importCustomers(prisma: PrismaClient, file: Readable, opts: ImportOptions): Promise<ImportProgress> {
  const batchSize = opts.batchSize ?? 500;
  const progress: ImportProgress = { bytesRead: 0, rows: 0, created: 0, updated: 0, rejected: 0, optOutsKept: 0 };
  const seenInDryRun = new Set<string>();
  // Rejections wait for the end of their batch, so the report comes out in line order even
  // though some are found while parsing and others only when writing.
  let pending: RejectedRow[] = [];
  const reject = async (line: number, issues: { field: string; message: string }[]) => {
    progress.rejected++;
    for (const issue of issues) pending.push({ line, field: issue.field, message: issue.message });
  };

  // Quoting errors skip their record; they are reported with the rows, in the order they occur.
  const syntaxErrors: RejectedRow[] = [];
  const parser = parse({
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined) => {
      if (err) syntaxErrors.push({ line: typeof err['lines'] === 'number' ? err['lines'] : 0, field: '(row)', message: `not valid CSV: ${err.message}` });
      return undefined;
    },
  });
  // pipeline, not pipe: a read error or invalid UTF-8 upstream must end the iteration below with
  // that error instead of leaving it waiting; leaving the loop early closes the file.
  const records = pipeline(file, utf8Text((bytes) => (progress.bytesRead = bytes)), parser, () => undefined);

  let header: string[] | null = null;
  let batch: Row[] = [];
  let rowsInBatch = 0;
  const flush = async () => {
    for (const e of syntaxErrors.splice(0)) await reject(e.line, [e]);
    const rows = batch;
    batch = [];
    rowsInBatch = 0;
    if (rows.length && opts.dryRun) await countDryRun(prisma, rows, progress, seenInDryRun, reject);
    else if (rows.length) await writeRows(prisma, rows, opts, progress, reject);
    const report = pending.sort((a, b) => a.line - b.line);
    pending = [];
    for (const row of report) await opts.onRejected?.(row);
    opts.onProgress?.({ ...progress });
  };

  for await (const { record, info } of records as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    // csv-parse reports the line a record ends on; a quoted field may span lines.
    const line = info.lines - record.reduce((n, cell) => n + countNewlines(cell), 0);
    if (header === null) {
      header = record.map((h) => h.trim());
      const problem = headerProblem(header);
      if (problem) throw new ImportFileError(`line ${line}: ${problem}`);
      continue;
    }
    if (record.every((cell) => cell.trim() === '')) continue;
    progress.rows++;
    const row = customerFromCsvRow(header, record);
    if ('issues' in row) await reject(line, row.issues);
    else batch.push({ line, input: row.input });
    if (++rowsInBatch >= batchSize) await flush();
  }
  if (header === null) throw new ImportFileError('the file is empty; expected a header row such as externalId,name,email');
  await flush();
  return progress;
}

async function writeRows(
  prisma: PrismaClient,
  rows: Row[],
  opts: ImportOptions,
  progress: ImportProgress,
  reject: (line: number, issues: { field: string; message: string }[]) => Promise<void>,
): Promise<void> {
  const results = await settleEach(rows, { concurrency: opts.concurrency ?? BATCH_CONCURRENCY, prefixOf: () => '', keyOf: (row) => row.input.externalId }, async (row) => {
    const { created, optOutKept } = await upsertCustomer(prisma, row.input, opts.actor);
    if (optOutKept) progress.optOutsKept++;
    return { status: created ? 'created' : 'updated' };
  });
  for (const result of results) {
    if (result.status === 'created') progress.created++;
    else if (result.status === 'updated') progress.updated++;
    else if (result.error) {
      const issues = result.error.issues ?? [{ field: result.error.field, message: result.error.message }];
      await reject(rows[result.index]?.line ?? 0, issues.map((i) => ({ field: csvColumnOf(i.field), message: i.message })));
    }
  }
}

/** A dry run reads what a real one would check in the database (owners, existing customers). */
async function countDryRun(
  prisma: PrismaClient,
  rows: Row[],
  progress: ImportProgress,
  seen: Set<string>,
  reject: (line: number, issues: { field: string; message: string }[]) => Promise<void>,
): Promise<void> {
  const owners = [...new Set(rows.flatMap((r) => (r.input.owner ? [r.input.owner] : [])))];
  const knownOwners = new Set((await prisma.user.findMany({ where: { email: { in: owners } }, select: { email: true } })).map((u) => u.email));
  const ids = rows.map((r) => r.input.externalId);
  const existing = new Set((await prisma.customer.findMany({ where: { externalId: { in: ids } }, select: { externalId: true } })).map((c) => c.externalId));
  for (const row of rows) {
    if (row.input.owner && !knownOwners.has(row.input.owner)) {
      await reject(row.line, [{ field: 'owner', message: `No Rapport user with email ${row.input.owner}` }]);
      continue;
    }
    if (existing.has(row.input.externalId) || seen.has(row.input.externalId)) progress.updated++;
    else progress.created++;
    seen.add(row.input.externalId);
  }
}

const countNewlines = (s: string) => {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
};

/**
 * Decodes UTF-8 strictly (a Latin-1 or UTF-16 file is refused rather than imported as mojibake),
 * drops a BOM, and turns CRLF into LF so csv-parse counts lines the way editors show them.
 */
function utf8Text(onBytes: (bytesRead: number) => void): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let bytesRead = 0;
  let lines = 1;
  let heldCR = false;
  const notUtf8 = (chunk: Buffer | null, cause: unknown) => {
    // The strict decoder does not say where; a lenient one marks the spot with U+FFFD.
    const lenient = chunk ? new TextDecoder('utf-8').decode(chunk) : '';
    const at = lenient.indexOf('\uFFFD');
    const line = lines + (at > 0 ? countNewlines(lenient.slice(0, at)) : 0);
    return new ImportFileError(`the file is not valid UTF-8 (near line ${line}); save it as "CSV UTF-8" and try again`, { cause });
  };
  const normalise = (text: string, final: boolean) => {
    let out = (heldCR ? '\r' : '') + text;
    heldCR = !final && out.endsWith('\r');
    if (heldCR) out = out.slice(0, -1);
    out = out.replaceAll('\r\n', '\n');
    lines += countNewlines(out);
    return out;
  };
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, done) {
      bytesRead += chunk.length;
      onBytes(bytesRead);
      try {
        const text = normalise(decoder.decode(chunk, { stream: true }), false);
        done(null, text.length ? text : undefined);
      } catch (err) {
        done(notUtf8(chunk, err));
      }
    },
    flush(done) {
      try {
        const text = normalise(decoder.decode(), true);
        done(null, text.length ? text : undefined);
      } catch (err) {
        done(notUtf8(null, err));
      }
    },
  });
}

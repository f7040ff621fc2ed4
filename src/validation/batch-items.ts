import { z } from 'zod';
import { AppError, type ErrorDetail } from '../errors.js';
import { parseInput } from './parse-input.js';

/** The most items one batch request (or one CSV chunk) may carry. */
export const MAX_BATCH_ITEMS = 1000;

/** Bytes a batch request may have: room for 1000 generous items, unlike the 1 MiB of single requests. */
export const BATCH_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * Items of one batch written side by side. Each holds a pooled connection for its transaction
 * (and Prisma gives up after 2 s waiting for one), so this stays well below the default
 * DATABASE_POOL_SIZE (10) to leave room for other requests and a second batch.
 */
export const BATCH_CONCURRENCY = 4;

export type BatchItemStatus = 'created' | 'updated' | 'duplicate' | 'rejected';

export interface BatchItemError {
  code: string;
  message: string;
  field: string;
  issues?: ErrorDetail[];
}

export interface BatchItemResult {
  index: number;
  status: BatchItemStatus;
  id?: string;
  error?: BatchItemError;
  /** Written, but something asked for was not done (e.g. an opt-out kept); each names its field. */
  warnings?: { field: string; message: string }[];
}

/**
 * The list under `key` in a batch body (`{ "customers": [...] }`): 422 when it is missing or empty,
 * 413 RAPPORT_BATCH_TOO_LARGE above MAX_BATCH_ITEMS. Items themselves are checked one by one later.
 */
export function batchItems(body: unknown, key: string): unknown[] {
  const envelope = z.strictObject({
    [key]: z.array(z.unknown(), { error: `expected { "${key}": [ … ] }` }).min(1, `expected at least one item in ${key}`),
  });
  const items = parseInput(envelope, body)[key] as unknown[];
  if (items.length > MAX_BATCH_ITEMS) {
    throw new AppError('RAPPORT_BATCH_TOO_LARGE', `${key}: ${items.length} items; a batch holds at most ${MAX_BATCH_ITEMS}, so split it into several requests`, {
      field: key,
    });
  }
  return items;
}

/**
 * Runs `write` for every item, `concurrency` at a time, and returns one result per item in input
 * order. An AppError rejects only its item, with the field named under `prefixOf(index)` (e.g.
 * `customers[3].email`); any other error (the database went away) fails the whole request, since
 * reporting it per item would hide an outage. Each `write` must be atomic on its own.
 */
export async function settleEach<T>(
  items: readonly T[],
  opts: { concurrency: number; prefixOf: (index: number) => string; keyOf?: (item: T) => string | undefined },
  write: (item: T, index: number, prefix: string) => Promise<Omit<BatchItemResult, 'index'>>,
): Promise<BatchItemResult[]> {
  const results = new Array<BatchItemResult>(items.length);
  // Items with the same key (the same externalId twice) run one after the other in input order,
  // so the last one wins as it would have sequentially; different keys run side by side.
  const lastOfKey = new Map<string, Promise<void>>();
  let next = 0;
  const settle = async (index: number) => {
    const prefix = opts.prefixOf(index);
    try {
      results[index] = { index, ...(await write(items[index] as T, index, prefix)) };
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      results[index] = { index, status: 'rejected', error: rejectionOf(err, prefix) };
    }
  };
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) {
      const key = opts.keyOf?.(items[index] as T);
      const previous = key === undefined ? undefined : lastOfKey.get(key);
      // An earlier item's failure is reported by the worker that ran it, not again here.
      const run = (previous ? previous.catch(() => undefined) : Promise.resolve()).then(() => settle(index));
      if (key !== undefined) lastOfKey.set(key, run);
      await run;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, items.length)) }, worker));
  return results;
}

/** An AppError as a batch item's error, its fields placed under the item's prefix (if any). */
export function rejectionOf(err: AppError, prefix: string): BatchItemError {
  const under = (field: string) => (prefix === '' ? field : field === '(body)' ? prefix : field === prefix || field.startsWith(`${prefix}.`) || field.startsWith(`${prefix}[`) ? field : `${prefix}.${field}`);
  const issues = err.details.issues?.map((i) => ({ field: under(i.field), message: i.message }));
  return {
    code: err.code,
    message: err.message,
    field: under(err.field ?? '(body)'),
    ...(issues && issues.length > 1 ? { issues } : {}),
  };
}

/** Reads a string property of a not-yet-validated item (for grouping), trimmed; undefined otherwise. */
export const stringField =
  (name: string) =>
  (item: unknown): string | undefined => {
    const value = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[name] : undefined;
    return typeof value === 'string' ? value.trim() : undefined;
  };

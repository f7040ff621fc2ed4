import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';

/** A CSV file Rapport wrote (print manifest, packing slips) as one object per row, keyed by the header. */
export async function csvRows(file: string): Promise<Record<string, string>[]> {
  return parse(await readFile(file, 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
}

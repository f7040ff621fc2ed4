import { runOfflineSignals } from '../matching/offline-signals.js';
import { UsageError, parseOptions } from './main.js';

/**
 * `rapport signals --accounts <accounts.json> --input <feed file|dir> --format jsonl`: the offline
 * matcher used to evaluate quality. Needs no database or Redis; output format is a stable contract.
 */
export async function signalsCommand(args: string[]): Promise<number> {
  const { values } = parseOptions(args, { accounts: { type: 'string' }, input: { type: 'string' }, format: { type: 'string' } });
  if (!values.accounts) throw new UsageError('--accounts <accounts.json> is required');
  if (!values.input) throw new UsageError('--input <feed file or directory> is required');
  const format = values.format ?? 'jsonl';
  if (format !== 'jsonl') throw new UsageError(`--format: "${format}" is not supported; use jsonl`);
  await runOfflineSignals({ accountsPath: values.accounts, inputPath: values.input, format }, process.stdout);
  return 0;
}

import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { AppError } from '../errors.js';
import { createLogger } from '../infra/logger.js';

export const USAGE = `Usage: rapport <command> [options]

Commands:
  start                      Start the API and the workers (embedded PostgreSQL/Redis when not configured)
  migrate                    Apply pending database migrations and exit
  seed --demo                Create demo users, a customer, the thank-you trigger and an API token
  token create --name <n> [--user <email>] [--signing-secret]
                             Create an API token (printed once); --signing-secret also creates the
                             HMAC key its requests must be signed with (X-Rapport-Signature)
  import customers <file.csv> [--dry-run] [--report <rejected.csv>]
                             Upsert customers from a UTF-8 CSV whose header uses the API's field
                             names; bad rows are listed (line, field, reason) and skipped. Exit 0:
                             every row valid; 1: some rows rejected; 2: unusable file or arguments
  users create --email <e> --name <n> --role <r> [--time-zone <tz>] [--password-stdin]
  users set-password --email <e> [--password-stdin]
                             Web sign-in accounts (roles: admin, marketing, account_manager)
  feeds add|list|remove|poll  Manage the news feeds Rapport watches (rapport feeds for details)
  triggers list|save|enable|disable|preview
                             Manage triggers and dry-run them (rapport triggers for details)
  signals --accounts <file> --input <feed file|dir> [--format jsonl]
                             Match news feeds to accounts offline (no database, no Redis)
  print run [--format <name>]  Render due print notes into PDFs + a manifest for a mail house
  gifts pack [--paper a4|letter]  Packing slips (one PDF) + CSV for pending gift orders (no partner)
  gifts ship --run <id> | <gift order id>…  Mark packed gift orders as shipped
  templates check [--dir <d>] Render every note template with sample data; exit 1 listing problems
  help                       Show this help

Configuration comes from the environment; see .env.example.`;

export type Command = (args: string[]) => Promise<number>;

// Loaded on demand: `rapport signals` must not pay for (or depend on) Prisma, and vice versa.
const commands: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./start-command.js')).startCommand,
  migrate: async () => (await import('./migrate-command.js')).migrateCommand,
  seed: async () => (await import('./seed-command.js')).seedCommand,
  token: async () => (await import('./token-command.js')).tokenCommand,
  import: async () => (await import('./import-command.js')).importCommand,
  users: async () => (await import('./users-command.js')).usersCommand,
  signals: async () => (await import('./signals-command.js')).signalsCommand,
  feeds: async () => (await import('./feeds-command.js')).feedsCommand,
  print: async () => (await import('./print-command.js')).printCommand,
  gifts: async () => (await import('./gifts-command.js')).giftsCommand,
  triggers: async () => (await import('./triggers-command.js')).triggersCommand,
  templates: async () => (await import('./templates-command.js')).templatesCommand,
};

/** Runs one CLI command and returns the exit code; errors are printed once, without stack traces. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(USAGE);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    console.error(`rapport: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    const command = await load();
    return await command(rest);
  } catch (err) {
    console.error(`rapport ${name}: ${describeError(err)}`);
    return err instanceof UsageError ? 2 : 1;
  }
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function describeError(err: unknown): string {
  if (err instanceof ConfigError || err instanceof UsageError) return err.message;
  if (err instanceof AppError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Strict option parsing shared by commands: unknown flags are a usage error, not ignored. */
export function parseOptions<T extends Record<string, { type: 'string' | 'boolean' }>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${USAGE}`);
  }
}

export function loadCliConfig() {
  const config = loadConfig();
  return { config, logger: createLogger(config) };
}

import { ensureSchemaExists } from '../infra/database.js';
import { migrate } from '../infra/migrator.js';
import { openRuntime } from '../infra/runtime.js';
import { loadCliConfig, parseOptions } from './main.js';

/** `rapport migrate`: applies pending migrations (recorded in _prisma_migrations) and exits. */
export async function migrateCommand(args: string[]): Promise<number> {
  parseOptions(args, {});
  const { config, logger } = loadCliConfig();
  const runtime = await openRuntime(config, logger, { migrate: false });
  try {
    await ensureSchemaExists(runtime.db.pool, runtime.db.schema);
    const { applied } = await migrate(runtime.db.pool);
    console.log(applied.length ? `Applied ${applied.length} migration(s):\n  ${applied.join('\n  ')}` : 'The database is up to date.');
    return 0;
  } finally {
    await runtime.close();
  }
}

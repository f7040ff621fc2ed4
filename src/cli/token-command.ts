import { createApiToken } from '../auth/api-tokens.js';
import { openRuntime } from '../infra/runtime.js';
import { UsageError, loadCliConfig, parseOptions } from './main.js';

/** `rapport token create --name <n> [--user <email>]`: prints a new API token once. */
export async function tokenCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { name: { type: 'string' }, user: { type: 'string' } });
  if (positionals[0] !== 'create') throw new UsageError('expected `rapport token create --name <name> [--user <email>]`');
  if (!values.name) throw new UsageError('--name is required (what the token is for, e.g. "shop webhook")');
  const { config, logger } = loadCliConfig();
  const runtime = await openRuntime(config, logger);
  try {
    let userId: string | null = null;
    if (values.user) {
      const user = await runtime.db.prisma.user.findUnique({ where: { email: values.user.toLowerCase() } });
      if (!user) throw new UsageError(`--user: no Rapport user with email ${values.user}`);
      userId = user.id;
    }
    const { secret } = await createApiToken(runtime.db.prisma, { name: values.name, userId });
    console.log(secret);
    return 0;
  } finally {
    await runtime.close();
  }
}

import { createApiToken } from '../auth/api-tokens.js';
import { openRuntime } from '../infra/runtime.js';
import { UsageError, loadCliConfig, parseOptions } from './main.js';

/**
 * `rapport token create --name <n> [--user <email>] [--signing-secret]`: prints a new API token
 * once; with --signing-secret also the HMAC key its requests must be signed with (webhooks).
 */
export async function tokenCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { name: { type: 'string' }, user: { type: 'string' }, 'signing-secret': { type: 'boolean' } });
  if (positionals[0] !== 'create') throw new UsageError('expected `rapport token create --name <name> [--user <email>] [--signing-secret]`');
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
    const signed = values['signing-secret'] === true;
    const { secret, signingSecret } = await createApiToken(runtime.db.prisma, { name: values.name, userId, signed });
    if (!signingSecret) {
      console.log(secret);
      return 0;
    }
    console.log(`API token:      ${secret}\nSigning secret: ${signingSecret}\n\nBoth are shown once. Sign every POST with:\n  X-Rapport-Timestamp: <unix seconds>\n  X-Rapport-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with the signing secret>`);
    return 0;
  } finally {
    await runtime.close();
  }
}

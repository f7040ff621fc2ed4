import { DEMO_USERS, seedDemo } from '../demo/seed-demo.js';
import { openRuntime } from '../infra/runtime.js';
import { UsageError, loadCliConfig, parseOptions } from './main.js';

/** `rapport seed --demo`: demo users, customers, the thank-you trigger and an API token. */
export async function seedCommand(args: string[]): Promise<number> {
  const { values } = parseOptions(args, { demo: { type: 'boolean' } });
  if (!values.demo) throw new UsageError('only `rapport seed --demo` exists so far');
  const { config, logger } = loadCliConfig();
  const runtime = await openRuntime(config, logger);
  try {
    const { token, password } = await seedDemo(runtime.db.prisma);
    console.log(`Demo data is in place. API token (shown once):\n${token}\n\nTry:\n  export RAPPORT_TOKEN=${token}`);
    console.log(`\nWeb app: sign in at ${config.http.publicUrl}/login as ${DEMO_USERS.map((u) => u.email).join(', ')} with the password "${password}".`);
    return 0;
  } finally {
    await runtime.close();
  }
}

import { seedDemo } from '../demo/seed-demo.js';
import { startRapport, type Rapport } from '../main.js';
import { UsageError, loadCliConfig, parseOptions } from './main.js';

/**
 * `rapport start`: API + workers until SIGINT/SIGTERM, then a graceful close. To scale out, run
 * more processes against the same PostgreSQL and Redis: `--workers-only` for extra workers,
 * `--api-only` for extra API processes.
 */
export async function startCommand(args: string[]): Promise<number> {
  const { values } = parseOptions(args, { 'api-only': { type: 'boolean' }, 'workers-only': { type: 'boolean' } });
  if (values['api-only'] && values['workers-only']) throw new UsageError('--api-only and --workers-only exclude each other');
  const { config, logger } = loadCliConfig();
  // Listening before anything starts: a SIGTERM that comes during start-up, or the instant the
  // "running" line is out (a supervisor or test waiting for it), must still close what was started.
  // Node's default for an unhandled SIGTERM is to die on the spot, which left the private
  // redis-server running with nobody to stop it. The same signal a second time is not caught: it stops at once.
  const stopSignal = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const rapport = await startRapport(config, logger, { http: !values['workers-only'], workers: !values['api-only'] });
  if (!config.db.url) await offerDemoOnFirstRun(rapport);
  const address = rapport.app?.server.address();
  logger.info(
    { url: address && typeof address === 'object' ? `http://${config.http.host}:${address.port}` : null, workers: !values['api-only'] },
    'Rapport is running',
  );
  logger.info({ signal: await stopSignal }, 'stopping');
  await rapport.close();
  return 0;
}

/**
 * `npm install && npm start` on a laptop should lead somewhere: on the embedded database, the very
 * first start (no users at all) seeds the demo data and prints how to get in. Never with a
 * configured DATABASE_URL — a real deployment gets no demo users and no known password.
 */
async function offerDemoOnFirstRun(rapport: Rapport): Promise<void> {
  const prisma = rapport.runtime.db.prisma;
  if ((await prisma.user.count()) > 0) return;
  const { token, password } = await seedDemo(prisma);
  const address = rapport.app?.server.address();
  const url = address && typeof address === 'object' ? `http://${rapport.runtime.config.http.host}:${address.port}` : rapport.runtime.config.http.publicUrl;
  console.log(
    [
      '',
      'First start on the embedded database: demo data is in place.',
      `  Web app:   ${url}/  (sign in as mai.nguyen@rapport.example${password ? ` / ${password}` : ''})`,
      `  API token: ${token}`,
      '  (shown once; `npx rapport token create --name <name>` makes more once Rapport is stopped)',
      '',
    ].join('\n'),
  );
}

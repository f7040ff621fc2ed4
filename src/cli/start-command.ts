import { startRapport } from '../main.js';
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
  const rapport = await startRapport(config, logger, { http: !values['workers-only'], workers: !values['api-only'] });
  const address = rapport.app?.server.address();
  logger.info(
    { url: address && typeof address === 'object' ? `http://${config.http.host}:${address.port}` : null, workers: !values['api-only'] },
    'Rapport is running',
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await rapport.close();
  return 0;
}

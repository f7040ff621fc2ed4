import { startRapport } from '../main.js';
import { loadCliConfig, parseOptions } from './main.js';

/** `rapport start`: API + workers until SIGINT/SIGTERM, then a graceful close. */
export async function startCommand(args: string[]): Promise<number> {
  parseOptions(args, {});
  const { config, logger } = loadCliConfig();
  const rapport = await startRapport(config, logger);
  logger.info({ url: config.http.publicUrl }, 'Rapport is running');
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

import { pino, type Logger } from 'pino';
import type { Config } from '../config.js';

export type { Logger };

/** JSON logs (pino); pretty-print with `npm start | npx pino-pretty` when reading by eye. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, base: { app: 'rapport' } });
}

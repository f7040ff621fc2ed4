import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

export class EmbeddedDatabaseBusyError extends Error {
  override readonly name = 'EmbeddedDatabaseBusyError';
  constructor(dir: string, pid: number) {
    super(
      `The embedded database in ${dir} is in use by another Rapport process (pid ${pid}). ` +
        'PGlite serves one process at a time: stop that process first, or set DATABASE_URL to a PostgreSQL server to run several.',
    );
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Takes `<dir>.pid` (beside PGlite's data directory, not inside it). Two processes opening the same PGlite directory would each keep their
 * own in-memory view and overwrite each other's files, so a second one is refused; a pid file left
 * by a crashed process (its pid no longer alive) is taken over.
 */
async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  const file = `${dir}.pid`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return () => rm(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) throw new EmbeddedDatabaseBusyError(dir, pid);
      await rm(file, { force: true });
    }
  }
  throw new Error(`Could not lock ${dir}`);
}

/**
 * Starts PGlite (PostgreSQL compiled to WebAssembly) with its data under `<dataDir>/pglite` and
 * serves it on a private loopback port, so the app reaches it through the very same `pg` +
 * Prisma adapter path as a real server. PGlite is single-session: callers must use a pool of one.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const dir = path.resolve(dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  const unlock = await lockDirectory(dir);
  try {
    const db = await PGlite.create(dir);
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
    await server.start();
    const address = server.getServerConn();
    return {
      url: `postgresql://postgres@${address}/postgres?sslmode=disable`,
      async stop() {
        await server.stop();
        await db.close();
        await unlock();
      },
    };
  } catch (err) {
    await unlock();
    throw err;
  }
}

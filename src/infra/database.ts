import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';

export type { PrismaClient };
/** The client handed to code running inside `prisma.$transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export interface Database {
  prisma: PrismaClient;
  /** The same pool Prisma uses; the migrator and raw health checks borrow it. */
  pool: pg.Pool;
  /** The PostgreSQL schema every query runs in (`?schema=` of the URL, Prisma's convention). */
  schema: string;
  close(): Promise<void>;
}

/**
 * Opens PostgreSQL through `pg` and Prisma's driver adapter. A `?schema=name` parameter in the URL
 * is honoured as Prisma does, which is how tests get a fresh schema per file.
 */
export function openDatabase(opts: { url: string; poolSize: number }): Database {
  const url = new URL(opts.url);
  const schema = url.searchParams.get('schema') ?? 'public';
  // pg would pass unknown parameters to the server as settings; `schema` is ours, not PostgreSQL's.
  url.searchParams.delete('schema');
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: opts.poolSize,
    options: `-c search_path="${schema.replaceAll('"', '""')}"`,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { schema }) });
  return {
    prisma,
    pool,
    schema,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

export async function ensureSchemaExists(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replaceAll('"', '""')}"`);
}

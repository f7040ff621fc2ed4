import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureSchemaExists, openDatabase, type Database } from '../../src/infra/database.js';
import { MIGRATIONS_DIR, migrate, readMigrations } from '../../src/infra/migrator.js';
import { TEST_DATABASE_URL, uniqueName } from '../helpers/test-services.js';

// The migrator must record migrations exactly as Prisma does, so `prisma migrate deploy` on a
// connected machine agrees, and must refuse a database that is not what the files say.
describe('migrator', () => {
  const opened: { db: Database; schema: string }[] = [];
  let scratch: string;
  const emptySchema = async () => {
    const schema = uniqueName('m');
    const db = openDatabase({ url: `${TEST_DATABASE_URL}?schema=${schema}`, poolSize: 4 });
    await ensureSchemaExists(db.pool, schema);
    opened.push({ db, schema });
    return db;
  };

  before(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'rapport-migrations-'));
  });
  after(async () => {
    for (const { db, schema } of opened) {
      await db.pool.query(`DROP SCHEMA "${schema}" CASCADE`);
      await db.close();
    }
    await rm(scratch, { recursive: true, force: true });
  });

  test('applies every migration once and records it like Prisma', async () => {
    const db = await emptySchema();
    const files = await readMigrations();
    assert.ok(files.length >= 1);
    assert.deepEqual((await migrate(db.pool)).applied, files.map((f) => f.name));
    assert.deepEqual((await migrate(db.pool)).applied, [], 'a second run applies nothing');
    const { rows } = await db.pool.query('SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count, logs FROM "_prisma_migrations" ORDER BY migration_name');
    assert.equal(rows.length, files.length);
    for (const [i, row] of rows.entries()) {
      const sql = await readFile(path.join(MIGRATIONS_DIR, files[i]!.name, 'migration.sql'));
      assert.equal(row.migration_name, files[i]!.name);
      assert.equal(row.checksum, createHash('sha256').update(sql).digest('hex'), 'Prisma checksums the file bytes with SHA-256');
      assert.ok(row.finished_at instanceof Date);
      assert.equal(row.rolled_back_at, null);
      assert.equal(row.applied_steps_count, 1);
    }
  });

  test('concurrent migrators apply each migration once', async () => {
    const db = await emptySchema();
    const results = await Promise.all([migrate(db.pool), migrate(db.pool), migrate(db.pool)]);
    assert.equal(results.flatMap((r) => r.applied).length, (await readMigrations()).length);
  });

  test('a migration edited after it was applied is refused', async () => {
    const dir = path.join(scratch, 'edited');
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const db = await emptySchema();
    await migrate(db.pool, dir);
    const [first] = await readMigrations(dir);
    await writeFile(path.join(dir, first!.name, 'migration.sql'), `${first!.sql}\n-- edited\n`);
    await assert.rejects(migrate(db.pool, dir), /was changed after it was applied/);
  });

  test('a failing migration leaves nothing half-applied and is not recorded', async () => {
    const dir = path.join(scratch, 'failing');
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    await mkdir(path.join(dir, '99990101000000_broken'));
    await writeFile(path.join(dir, '99990101000000_broken', 'migration.sql'), 'CREATE TABLE "Half" (id int);\nALTER TABLE "Nope" ADD COLUMN x int;\n');
    const db = await emptySchema();
    await assert.rejects(migrate(db.pool, dir), /99990101000000_broken failed: .*"Nope"/);
    const half = await db.pool.query(`SELECT to_regclass('"Half"') AS t`);
    assert.equal(half.rows[0].t, null, 'the statement before the failure was rolled back');
    const recorded = await db.pool.query(`SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE migration_name = '99990101000000_broken'`);
    assert.equal(recorded.rows[0].n, 0);
  });
});

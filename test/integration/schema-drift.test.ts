import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { expectedUdt, readPrismaSchema } from '../helpers/prisma-schema.js';
import { freshDatabase } from '../helpers/test-services.js';

// `prisma migrate` cannot run here, so migrations are hand-written SQL. This test is the guard:
// the columns, types, nullability, enums, unique constraints, indexes and foreign keys the migrations
// create must be exactly what prisma/schema.prisma (and so the generated client) expects.
const schemaFile = fileURLToPath(new URL('../../prisma/schema.prisma', import.meta.url));
const ON_DELETE: Record<string, string> = { a: 'NoAction', r: 'Restrict', c: 'Cascade', n: 'SetNull', d: 'SetDefault' };

describe('schema drift: prisma/schema.prisma vs. the migrated database', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  const prisma = readPrismaSchema(schemaFile);
  const q = async <T>(sql: string) => (await database.db.pool.query(sql, [database.schema])).rows as T[];

  before(async () => {
    database = await freshDatabase();
  });
  after(async () => database?.drop());

  test('tables are exactly the models (plus _prisma_migrations)', async () => {
    const tables = await q<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`);
    assert.deepEqual(tables.map((t) => t.table_name).sort(), [...prisma.models.map((m) => m.name), '_prisma_migrations'].sort());
  });

  test('columns match in name, type, precision and nullability', async () => {
    const columns = await q<{ table_name: string; column_name: string; udt_name: string; is_nullable: string; numeric_precision: number | null; numeric_scale: number | null; datetime_precision: number | null }>(
      `SELECT table_name, column_name, udt_name, is_nullable, numeric_precision, numeric_scale, datetime_precision FROM information_schema.columns WHERE table_schema = $1`,
    );
    for (const model of prisma.models) {
      const live = columns.filter((c) => c.table_name === model.name);
      assert.deepEqual(live.map((c) => c.column_name).sort(), model.scalars.map((f) => f.name).sort(), `columns of ${model.name}`);
      for (const field of model.scalars) {
        const col = live.find((c) => c.column_name === field.name)!;
        const where = `${model.name}.${field.name}`;
        assert.equal(col.udt_name, expectedUdt(field, prisma.enums), `type of ${where}`);
        // Prisma creates list columns nullable; other fields are NOT NULL unless optional.
        assert.equal(col.is_nullable === 'YES', field.optional || field.list, `nullability of ${where}`);
        const precision = /\((\d+)(?:,\s*(\d+))?\)/.exec(field.nativeType ?? '');
        if (precision && field.type === 'Decimal') assert.deepEqual([col.numeric_precision, col.numeric_scale], [Number(precision[1]), Number(precision[2])], `precision of ${where}`);
        if (precision && field.type === 'DateTime') assert.equal(col.datetime_precision, Number(precision[1]), `precision of ${where}`);
        if (field.type === 'DateTime' && !/^(Timestamptz|Date)\b/.test(field.nativeType ?? '')) assert.fail(`${where}: give DateTime columns an explicit @db.Timestamptz(3) or @db.Date`);
      }
    }
  });

  test('enums have the same values in the same order', async () => {
    const rows = await q<{ typname: string; labels: string[] }>(
      `SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = $1 GROUP BY t.typname`,
    );
    assert.deepEqual(new Map(rows.map((r) => [r.typname, r.labels])), prisma.enums);
  });

  test('unique constraints and indexes exist with the same columns', async () => {
    const rows = await q<{ table_name: string; unique: boolean; primary: boolean; columns: string[] }>(
      `SELECT c.relname AS table_name, i.indisunique AS unique, i.indisprimary AS primary,
              array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
         FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1`,
    );
    for (const model of prisma.models) {
      const live = rows.filter((r) => r.table_name === model.name && !r.primary);
      const key = (cols: string[]) => cols.join(',');
      assert.deepEqual(live.filter((r) => r.unique).map((r) => key(r.columns)).sort(), model.uniques.map(key).sort(), `unique indexes of ${model.name}`);
      assert.deepEqual(live.filter((r) => !r.unique).map((r) => key(r.columns)).sort(), model.indexes.map(key).sort(), `indexes of ${model.name}`);
    }
  });

  test('partial indexes have the predicates the schema gives them, and no other index has one', async () => {
    const rows = await q<{ table_name: string; columns: string[]; predicate: string | null }>(
      `SELECT c.relname AS table_name, pg_get_expr(i.indpred, i.indrelid) AS predicate,
              array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
         FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND NOT i.indisprimary`,
    );
    for (const model of prisma.models) {
      for (const row of rows.filter((r) => r.table_name === model.name)) {
        const columns = row.columns.join(',');
        const written = model.indexPredicates.get(columns);
        const where = `index (${columns}) of ${model.name}`;
        if (written === undefined) {
          assert.equal(row.predicate, null, `${where}: partial in the database, not in the schema`);
          continue;
        }
        assert.notEqual(row.predicate, null, `${where}: partial in the schema, not in the database`);
        // PostgreSQL stores a predicate rewritten ("status IN (…)" as "status = ANY (ARRAY[…])"): it
        // is compared with the schema's as PostgreSQL writes that one back, from an index made and
        // rolled back.
        assert.equal(row.predicate, await storedPredicate(model.name, row.columns, written), `predicate of ${where}`);
      }
    }
  });

  async function storedPredicate(table: string, columns: readonly string[], predicate: string): Promise<string> {
    const client = await database.db.pool.connect();
    try {
      await client.query('BEGIN');
      const target = `"${database.schema}"."${table}"`;
      await client.query(`CREATE INDEX "drift_probe" ON ${target} (${columns.map((c) => `"${c}"`).join(', ')}) WHERE ${predicate}`);
      const { rows } = await client.query<{ predicate: string }>(
        `SELECT pg_get_expr(i.indpred, i.indrelid) AS predicate FROM pg_index i WHERE i.indexrelid = $1::regclass`,
        [`"${database.schema}"."drift_probe"`],
      );
      return rows[0]?.predicate ?? '';
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  }

  test('foreign keys match the relations, including onDelete', async () => {
    const rows = await q<{ table_name: string; columns: string[]; target: string; on_delete: string }>(
      `SELECT c.relname AS table_name, t.relname AS target, con.confdeltype AS on_delete,
              array(SELECT a.attname FROM unnest(con.conkey) k(attnum) JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum)::text[] AS columns
         FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_class t ON t.oid = con.confrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE con.contype = 'f' AND n.nspname = $1`,
    );
    for (const model of prisma.models) {
      const live = rows.filter((r) => r.table_name === model.name).map((r) => `${r.columns.join(',')}→${r.target}:${ON_DELETE[r.on_delete]}`);
      const expected = model.relations.map((rel) => {
        const optional = rel.fields.every((f) => model.scalars.find((s) => s.name === f)?.optional);
        // Prisma's default referential action: SetNull for optional relations, Restrict for required ones.
        return `${rel.fields.join(',')}→${rel.model}:${rel.onDelete ?? (optional ? 'SetNull' : 'Restrict')}`;
      });
      assert.deepEqual(live.sort(), expected.sort(), `foreign keys of ${model.name}`);
    }
  });
});

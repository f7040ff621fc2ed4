import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { CLAIM, CLAIM_AND_RECORD_SENT, RECIPIENT, RECORD_SENT, type Statement } from '../../src/delivery/email-statements.js';
import { freshDatabase } from '../helpers/test-services.js';
import { approvedEmail } from '../helpers/approved-email.js';

const BACKLOG = 3_000;
const BATCH = 8;

// A bulk campaign queues thousands of deliveries at once, faster than autovacuum re-reads the
// table's statistics, which then still say that hardly anything is queued. The email statements
// must find their few deliveries by primary key all the same: when the planner trusted the stale
// statistics and read the (status, scheduledFor) index instead, every claim of eight deliveries
// read the whole backlog (1,200 rows for each claim in the email benchmark).
describe('email statements under a backlog the statistics have not seen', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let batch: { deliveryIds: string[]; suggestionIds: string[] };

  before(async () => {
    database = await freshDatabase();
    await seedDemo(database.db.prisma);
    const { deliveryId } = await approvedEmail(database.db.prisma, 'cust-1001', 'plan-template');
    const pool = database.db.pool;
    await pool.query('ALTER TABLE "Delivery" SET (autovacuum_enabled = false)');
    await pool.query('ALTER TABLE "Suggestion" SET (autovacuum_enabled = false)');
    // Statistics taken while the backlog is sent, then the backlog queued again: they say "no
    // queued deliveries" while BACKLOG of them are.
    await cloneDelivery(deliveryId, BACKLOG);
    await pool.query(`UPDATE "Delivery" SET "status" = 'sent' WHERE "id" <> $1`, [deliveryId]);
    await pool.query('ANALYZE "Delivery"; ANALYZE "Suggestion"');
    await pool.query(`UPDATE "Delivery" SET "status" = 'queued'`);
    const rows = await pool.query<{ id: string; suggestionId: string }>(`SELECT "id", "suggestionId" FROM "Delivery" ORDER BY "id" LIMIT ${BATCH}`);
    batch = { deliveryIds: rows.rows.map((r) => r.id), suggestionIds: rows.rows.map((r) => r.suggestionId) };
  });
  after(async () => {
    await database?.drop();
  });

  /** BACKLOG copies of the delivery and its suggestion, each with ids and keys of its own. */
  async function cloneDelivery(deliveryId: string, copies: number): Promise<void> {
    const columns = async (table: string) =>
      (await database.db.pool.query<{ name: string }>(`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`, [table])).rows.map((r) => r.name);
    const own: Record<string, string> = {
      'Suggestion.id': 'n."suggestionId"',
      'Suggestion.dedupeKey': `s."dedupeKey" || '-' || n.g`,
      'Delivery.id': 'n."deliveryId"',
      'Delivery.suggestionId': 'n."suggestionId"',
      'Delivery.messageId': `n.g || '.' || d."messageId"`,
    };
    const select = (table: string, alias: string, names: string[]) => names.map((c) => own[`${table}.${c}`] ?? `${alias}."${c}"`).join(', ');
    const suggestion = await columns('Suggestion');
    const delivery = await columns('Delivery');
    await database.db.pool.query(
      `WITH d AS (SELECT * FROM "Delivery" WHERE "id" = $1),
            s AS (SELECT * FROM "Suggestion" WHERE "id" = (SELECT "suggestionId" FROM d)),
            n AS (SELECT g, gen_random_uuid() AS "suggestionId", gen_random_uuid() AS "deliveryId" FROM generate_series(1, $2) g),
            copied AS (
              INSERT INTO "Suggestion" (${suggestion.map((c) => `"${c}"`).join(', ')})
              SELECT ${select('Suggestion', 's', suggestion)} FROM s, n RETURNING "id"
            )
       INSERT INTO "Delivery" (${delivery.map((c) => `"${c}"`).join(', ')})
       SELECT ${select('Delivery', 'd', delivery)} FROM d, n
       WHERE n."suggestionId" IN (SELECT "id" FROM copied) -- after the suggestions their keys point to`,
      [deliveryId, copies],
    );
  }

  /** Every scan of "Delivery" in the plan of `statement` run with `values`: node type and index. */
  async function deliveryScans(statement: Statement, values: unknown[]): Promise<string[]> {
    const { rows } = await database.db.pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>({ text: `EXPLAIN (FORMAT JSON) ${statement.text}`, values });
    const scans: string[] = [];
    const visit = (node: PlanNode) => {
      if (node['Relation Name'] === 'Delivery' || node['Index Name']?.startsWith('Delivery_')) scans.push(`${node['Node Type']} ${node['Index Name'] ?? ''}`.trim());
      for (const child of node.Plans ?? []) visit(child);
    };
    visit(rows[0]!['QUERY PLAN'][0].Plan);
    return scans;
  }

  const recordValues = () => [batch.deliveryIds, batch.suggestionIds, batch.deliveryIds.map(() => '250 ok'), batch.deliveryIds.map((id) => `<${id}@plan.test>`), ['scheduled'], new Date()];
  const statements: [Statement, () => unknown[]][] = [
    [RECIPIENT, () => [batch.deliveryIds]],
    [CLAIM, () => [batch.deliveryIds, new Date()]],
    [RECORD_SENT, recordValues],
    [CLAIM_AND_RECORD_SENT, () => [...recordValues(), batch.deliveryIds]],
  ];
  for (const [statement, values] of statements) {
    test(`${statement.name} reads its deliveries by primary key`, async () => {
      const scans = await deliveryScans(statement, values());
      assert.ok(scans.length > 0, 'the plan reads "Delivery"');
      for (const scan of scans) assert.match(scan, /^(Index Scan|Bitmap Index Scan) Delivery_pkey$|^Bitmap Heap Scan$|^ModifyTable$/, `${statement.name}: ${scans.join(', ')}`);
      assert.ok(scans.some((scan) => scan.endsWith('Delivery_pkey')), `${statement.name}: ${scans.join(', ')}`);
    });
  }
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

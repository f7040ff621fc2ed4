import { SYSTEM } from '../src/audit/audit-log.js';
import { NoteTemplates } from '../src/notes/note-templates.js';
import { candidatesOf, scanTriggers } from '../src/triggers/scan-triggers.js';
import { loadActiveTriggers, saveTrigger } from '../src/triggers/trigger-store.js';
import { freshDatabase } from '../test/helpers/test-services.js';
import type { BenchResult } from './bench-result.js';
import { envInt } from './bench-env.js';

/**
 * The daily scan of date and silence triggers over BENCH_SCAN_CUSTOMERS (default 1,000,000)
 * customers in PostgreSQL: time and memory of the candidate pass (keyset-paged batches, SQL
 * narrowing), against `SELECT count(*)` over the same table in the same run; then the drafting
 * rate for the birthdays found (notes written through the full policy path).
 */
export async function benchTriggerScan(): Promise<BenchResult[]> {
  const size = envInt('BENCH_SCAN_CUSTOMERS', 1_000_000);
  const database = await freshDatabase();
  const prisma = database.db.prisma;
  try {
    const zones = `ARRAY['UTC','Asia/Bangkok','Europe/Berlin','America/New_York','Pacific/Kiritimati','Asia/Tehran','Asia/Ho_Chi_Minh']`;
    await database.db.pool.query(`
      INSERT INTO "Customer" (id, "externalId", name, "firstName", email, "timeZone", birthday, tier, "createdAt", "updatedAt")
      SELECT gen_random_uuid(), 'b-' || g, 'Customer ' || g, 'C' || g, 'c' || g || '@example.com', (${zones})[1 + g % 7],
             DATE '1950-01-01' + (g::bigint * 7919 % 20000)::int, CASE WHEN g % 10 = 0 THEN 'gold' ELSE 'regular' END,
             now() - interval '800 days', now()
        FROM generate_series(1, ${size}) g`);
    // One purchase each, spread over the last 400 days: about three quarters are "silent" for 90+ days.
    await database.db.pool.query(`
      INSERT INTO "CustomerEvent" (id, "customerId", type, "occurredAt", "idempotencyKey", data, "evaluatedAt")
      SELECT gen_random_uuid(), id, 'purchase', now() - ((('x' || substr(md5(id::text), 1, 8))::bit(32)::int & 1023) % 400) * interval '1 day', 'k-' || id, '{}', now()
        FROM "Customer"`);
    await database.db.pool.query('ANALYZE');
    await saveTrigger(prisma, { key: 'birthday', definition: { name: 'Birthday', source: { type: 'date', field: 'birthday', offsetDays: 0 }, action: { template: 'birthday', channel: 'email' } }, actor: SYSTEM });
    await saveTrigger(prisma, { key: 'quiet-gold', definition: { name: 'Quiet gold', source: { type: 'silence', days: 90 }, conditions: { field: 'customer.tier', op: 'eq', value: 'gold' }, action: { template: 'check-in', channel: 'email' } }, actor: SYSTEM });

    const countStart = performance.now();
    await database.db.pool.query('SELECT count(*) FROM "Customer"');
    const countMs = performance.now() - countStart;

    const now = new Date();
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let peakRss = process.memoryUsage().rss;
    const scanStart = performance.now();
    const found: Record<string, number> = {};
    for (const trigger of await loadActiveTriggers(prisma, ['date', 'silence'])) {
      found[trigger.key] = 0;
      for await (const batch of candidatesOf(prisma, trigger, now)) {
        found[trigger.key] = (found[trigger.key] ?? 0) + batch.length;
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }
    }
    const scanMs = performance.now() - scanStart;
    const heapDelta = Math.max(0, process.memoryUsage().heapUsed - heapBefore);

    // Drafting: disable the silence trigger (its hundreds of thousands of candidates would take
    // hours of note writing and prove nothing new) and draft today's birthdays through the full path.
    await prisma.trigger.updateMany({ where: { key: 'quiet-gold' }, data: { enabled: false } });
    const draftStart = performance.now();
    const report = await scanTriggers({ prisma, templates: new NoteTemplates('templates'), frequencyCapDays: 14 }, now);
    const draftMs = performance.now() - draftStart;
    const rescanStart = performance.now();
    const rescan = await scanTriggers({ prisma, templates: new NoteTemplates('templates'), frequencyCapDays: 14 }, now);
    const rescanMs = performance.now() - rescanStart;
    if (rescan.drafted !== 0) throw new Error(`re-running the scan drafted ${rescan.drafted} notes; it must be idempotent`);

    return [
      { name: `daily scan candidates, ${size.toLocaleString('en')} customers (birthdays ${found.birthday}, silent 90+ days ${found['quiet-gold']})`, value: scanMs, unit: 'ms', baseline: { name: 'SELECT count(*)', value: countMs }, ratio: scanMs / countMs },
      { name: 'daily scan heap growth', value: heapDelta / 1e6, unit: 'MB', target: '≤ 300 MB' },
      { name: 'daily scan peak RSS', value: peakRss / 1e6, unit: 'MB' },
      { name: `birthday notes drafted (${report.drafted}) through policies`, value: report.drafted / (draftMs / 1000), unit: 'notes/s' },
      { name: 'idempotent re-scan (drafts 0)', value: rescanMs, unit: 'ms', baseline: { name: 'first drafting scan', value: draftMs }, ratio: rescanMs / draftMs },
    ];
  } finally {
    await database.drop();
  }
}

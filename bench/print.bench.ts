import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SYSTEM } from '../src/audit/audit-log.js';
import { seedDemo } from '../src/demo/seed-demo.js';
import { createPrintRenderer } from '../src/delivery/print/render-print.js';
import { printNoteOf, runPrint } from '../src/delivery/print/print-run.js';
import { claimedInclude } from '../src/delivery/print/print-claims.js';
import { printFormat } from '../src/delivery/print/print-formats.js';
import { freshDatabase } from '../test/helpers/test-services.js';
import { seedPrintCustomers } from '../test/helpers/print-notes.js';
import type { BenchResult } from './bench-result.js';
import { envInt } from './bench-env.js';

/**
 * Print: a 1,000-card run end to end (claim in PostgreSQL, render in Chromium, PDFs + manifest on
 * disk, commit) against the baseline of rendering the same cards with the same renderer and no
 * database or files, measured in the same process. Peak memory covers this process and Chromium.
 */
const CARDS = envInt('BENCH_PRINT_CARDS', 1_000);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BODIES = [
  'เรียน คุณสมชาย\n\nขอบคุณมากที่เลือกซื้อโคมไฟตั้งโต๊ะออโรร่า เราหวังว่าคุณจะชอบมันนะคะ\n\nด้วยความเคารพ\nมาย เหงียน',
  'Chào chị Lan,\n\nCảm ơn chị đã mua Bút chì gỗ óc chó. Chúc chị một ngày thật vui!\n\nThân mến,\nMai Nguyễn',
  'مریم عزیز،\n\nاز اینکه چراغ رومیزی آرورا را خریدید سپاسگزاریم. امیدواریم از آن لذت ببرید.\n\nبا احترام',
  'Dear Jane,\n\nThank you for choosing the Aurora desk lamp. We hope it brightens your evenings.\n\nWarm regards,\nTom Baker',
];

export async function benchPrint(): Promise<BenchResult[]> {
  const database = await freshDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'rapport-bench-print-'));
  const renderer = createPrintRenderer({ chromiumPath: CHROMIUM, pages: 2, templatesDir: 'templates' });
  const memory = startMemorySampler();
  try {
    const prisma = database.db.prisma;
    await seedDemo(prisma);
    await seedPrintCustomers(prisma);
    await createDueCards(prisma, CARDS);

    // Warm up Chromium and the fonts so neither side pays the launch.
    const format = printFormat('card-5x7-flat');
    const sample = await prisma.delivery.findMany({ where: { channel: 'print' }, include: claimedInclude, take: CARDS });
    await renderer.render(format, sample.slice(0, 4).map(printNoteOf));

    let t = performance.now();
    for (let i = 0; i < sample.length; i += 250) await renderer.render(format, sample.slice(i, i + 250).map(printNoteOf));
    const renderSeconds = (performance.now() - t) / 1000;

    memory.reset();
    t = performance.now();
    const report = await runPrint({ prisma, renderer, dataDir, defaultFormat: 'card-5x7-flat' }, { actor: SYSTEM });
    const runSeconds = (performance.now() - t) / 1000;
    if (report?.cards !== CARDS) throw new Error(`the run printed ${report?.cards} cards, expected ${CARDS}`);
    const manifestLines = (await readFile(path.join(report.dir, 'manifest.csv'), 'utf8')).trim().split('\r\n').length - 1;
    if (manifestLines !== CARDS) throw new Error(`manifest has ${manifestLines} lines`);
    const files = await readdir(report.dir);
    const peakMb = memory.peakBytes() / 1024 / 1024;

    const label = `${CARDS} cards, card-5x7-flat, ${files.length - 1} PDF files`;
    return [
      { name: `print run cards/s (${label})`, value: CARDS / runSeconds, unit: 'cards/s', baseline: { name: 'render only', value: CARDS / renderSeconds }, target: '≥ 20' },
      { name: `print run time (${label})`, value: runSeconds, unit: 's' },
      { name: 'print run peak memory (Node + Chromium RSS)', value: peakMb, unit: 'MB' },
    ];
  } finally {
    memory.stop();
    await renderer.close();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Due print deliveries in bulk (the approval path is measured elsewhere). */
async function createDueCards(prisma: Awaited<ReturnType<typeof freshDatabase>>['db']['prisma'], count: number): Promise<void> {
  const customers = await prisma.customer.findMany({ where: { externalId: { in: ['print-th', 'print-vi', 'print-fa', 'print-us'] } }, orderBy: { externalId: 'asc' } });
  const trigger = await prisma.trigger.findFirstOrThrow({ include: { versions: true } });
  const ids = Array.from({ length: count }, () => crypto.randomUUID());
  await prisma.suggestion.createMany({
    data: ids.map((id, i) => ({
      id, dedupeKey: `bench-print:${id}`, customerId: customers[i % customers.length]!.id, triggerId: trigger.id, triggerVersionId: trigger.versions[0]!.id,
      status: 'scheduled' as const, channel: 'print' as const, templateKey: 'thank-you', locale: customers[i % customers.length]!.locale,
      subject: `Thank you #${i + 1}`, body: BODIES[i % BODIES.length]!,
    })),
  });
  const due = new Date(Date.now() - 60_000);
  await prisma.delivery.createMany({ data: ids.map((id) => ({ suggestionId: id, channel: 'print' as const, scheduledFor: due, messageId: `<print-${id}@bench>` })) });
}

/** Samples the RSS of this process and its descendants (Chromium) from /proc every 100 ms. */
function startMemorySampler() {
  let peak = 0;
  const sample = async () => {
    const stats = new Map<number, { ppid: number; rss: number }>();
    for (const entry of await readdir('/proc').catch(() => [] as string[])) {
      if (!/^\d+$/.test(entry)) continue;
      const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
      stats.set(Number(entry), { ppid, rss });
    }
    const family = new Set([process.pid]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [pid, s] of stats) if (!family.has(pid) && family.has(s.ppid)) (family.add(pid), (grew = true));
    }
    peak = Math.max(peak, [...family].reduce((sum, pid) => sum + (stats.get(pid)?.rss ?? 0), 0));
  };
  let running = Promise.resolve();
  const timer = setInterval(() => (running = running.then(sample)), 100);
  return { peakBytes: () => peak, reset: () => void (peak = 0), stop: () => clearInterval(timer) };
}

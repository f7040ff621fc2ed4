import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PrismaClient } from '../../generated/prisma/client.js';
import { AppError } from '../../errors.js';
import { printFormatNames } from '../../delivery/print/print-formats.js';
import { printRunsDir } from '../../delivery/print/print-run.js';
import { ROLES, webUser } from './authorize.js';
import { sendPage } from './views.js';
import type { WebDeps } from './web-app.js';

const RECENT_RUNS = 20;
/** What a committed run folder holds (print-run.ts): PDFs named by format, and the manifest. */
const RUN_FILE = /^(?:[a-z0-9-]+\.pdf|manifest\.csv)$/;
const RunId = z.string().uuid();

const NOTICES: Record<string, string> = {
  started: 'Print run requested. A worker renders it now; refresh this page to see it finish.',
};

/** Queued print notes per format: due now (the next run takes them) and scheduled for later. Counted in SQL. */
async function printQueue(prisma: PrismaClient, defaultFormat: string, now: Date) {
  const count = (scheduledFor: { lte: Date } | { gt: Date }) =>
    prisma.delivery.groupBy({ by: ['printFormat'], where: { channel: 'print', status: 'queued', scheduledFor }, _count: { _all: true } });
  const [due, later] = await Promise.all([count({ lte: now }), count({ gt: now })]);
  const byFormat = new Map<string, { format: string; due: number; later: number }>();
  const add = (rows: Awaited<ReturnType<typeof count>>, key: 'due' | 'later') => {
    for (const r of rows) {
      // A note without a format prints in the default one, so both count on the same line.
      const format = r.printFormat ?? defaultFormat;
      const line = byFormat.get(format) ?? { format, due: 0, later: 0 };
      line[key] += r._count._all;
      byFormat.set(format, line);
    }
  };
  add(due, 'due');
  add(later, 'later');
  return [...byFormat.values()].sort((a, b) => a.format.localeCompare(b.format));
}

async function runFiles(dataDir: string, runId: string): Promise<string[]> {
  try {
    return (await readdir(path.join(printRunsDir(dataDir), runId))).filter((f) => RUN_FILE.test(f)).sort();
  } catch {
    return [];
  }
}

/**
 * The print page for marketing: what waits for the next print run, a button that asks a worker
 * for a run now (the same job the daily schedule adds), and the recent runs with their PDFs and
 * manifest to download for the mail house.
 */
export const printRoutes = (deps: WebDeps): FastifyPluginAsync => async (app) => {
  const marketing = { access: ROLES.marketing };
  const runs = deps.printRuns;

  const showPrint = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const now = new Date();
    const [queue, recent] = runs
      ? await Promise.all([
          printQueue(deps.prisma, runs.defaultFormat, now),
          deps.prisma.printRun.findMany({ orderBy: { createdAt: 'desc' }, take: RECENT_RUNS }),
        ])
      : [[], []];
    const requesterIds = [...new Set(recent.map((r) => r.requestedBy?.match(/^user:(.+)$/)?.[1]).filter((id): id is string => Boolean(id)))];
    const names = new Map((await deps.prisma.user.findMany({ where: { id: { in: requesterIds } }, select: { id: true, name: true } })).map((u) => [u.id, u.name]));
    const runRows = await Promise.all(
      recent.map(async (r) => ({
        ...r,
        by: r.requestedBy?.startsWith('user:') ? (names.get(r.requestedBy.slice(5)) ?? 'a former user') : 'daily schedule',
        files: r.status === 'completed' && runs ? await runFiles(runs.dataDir, r.id) : [],
      })),
    );
    const notice = NOTICES[String((request.query as Record<string, unknown>)['notice'] ?? '')];
    return sendPage(deps.views, request, reply, 'print', {
      title: 'Print runs',
      available: Boolean(runs) && !runs?.provider,
      provider: runs?.provider ?? false,
      queue,
      dueTotal: queue.reduce((n, q) => n + q.due, 0),
      formats: printFormatNames(),
      runs: runRows,
      busy: recent.find((r) => r.status === 'rendering' && r.leaseUntil >= now) ?? null,
      notice,
      ...extra,
    }, status);
  };

  app.get('/print', { config: marketing }, async (request, reply) => showPrint(request, reply));

  app.post('/print/run', { config: marketing }, async (request, reply) => {
    if (!runs || runs.provider) throw new AppError('RAPPORT_CONFLICT', 'Print notes go to the print provider one by one here; there are no print runs to start');
    const form = request.body as Record<string, unknown>;
    const picked = Array.isArray(form['formats']) ? form['formats'].map(String) : typeof form['formats'] === 'string' ? [form['formats']] : [];
    const unknown = picked.filter((f) => !printFormatNames().includes(f));
    if (unknown.length) return showPrint(request, reply, { errors: { formats: `unknown format ${unknown.join(', ')}` } }, 422);
    const live = await deps.prisma.printRun.findFirst({ where: { status: 'rendering', leaseUntil: { gte: new Date() } } });
    if (live) return showPrint(request, reply, { errors: { form: `Print run ${live.id} is still rendering; start another when it has finished.` } }, 409);
    await deps.queues.enqueue('run-print', { formats: picked, requestedBy: webUser(request).id });
    return reply.redirect('/print?notice=started', 303);
  });

  app.get('/print/runs/:runId/files/:file', { config: marketing }, async (request, reply) => {
    const { runId, file } = request.params as { runId: string; file: string };
    // Only names a run writes, inside a committed run's folder: no path from the URL reaches the disk.
    if (!runs || !RunId.safeParse(runId).success || !RUN_FILE.test(file)) throw new AppError('RAPPORT_NOT_FOUND', 'No such print file');
    const run = await deps.prisma.printRun.findUnique({ where: { id: runId } });
    if (run?.status !== 'completed' || !(await runFiles(runs.dataDir, runId)).includes(file)) throw new AppError('RAPPORT_NOT_FOUND', 'No such print file');
    return reply
      .type(file.endsWith('.pdf') ? 'application/pdf' : 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="print-run-${runId.slice(0, 8)}-${file}"`)
      .header('cache-control', 'no-store')
      .send(createReadStream(path.join(printRunsDir(runs.dataDir), runId, file)));
  });
};

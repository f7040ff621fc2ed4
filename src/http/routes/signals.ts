import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Prisma } from '../../generated/prisma/client.js';
import { SignalKind } from '../../matching/signal-kinds.js';
import { parseInput } from '../../validation/parse-input.js';
import type { AppDeps } from '../app.js';

const ListQuery = z.strictObject({
  accountId: z.string().uuid().optional(),
  customerId: z.string().uuid().optional(),
  kind: SignalKind.optional(),
  polarity: z.enum(['positive', 'negative', 'neutral']).optional(),
  minConfidence: z.coerce.number().min(0).max(1).optional(),
  since: z.string().datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The id of the last signal of the previous page. */
  after: z.string().uuid().optional(),
});

export const signalRoutes = (deps: AppDeps): FastifyPluginAsync => async (app) => {
  /** Newest first, with the article they came from. */
  app.get('/signals', async (request) => {
    const q = parseInput(ListQuery, request.query, 'query');
    const where: Prisma.SignalWhereInput = {
      ...(q.accountId ? { accountId: q.accountId } : {}),
      ...(q.customerId ? { customerId: q.customerId } : {}),
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.polarity ? { polarity: q.polarity } : {}),
      ...(q.minConfidence !== undefined ? { confidence: { gte: q.minConfidence } } : {}),
      ...(q.since ? { createdAt: { gte: new Date(q.since) } } : {}),
    };
    const rows = await deps.prisma.signal.findMany({
      where,
      include: { article: { select: { title: true, link: true, publishedAt: true, language: true } } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: q.limit + 1,
      ...(q.after ? { cursor: { id: q.after }, skip: 1 } : {}),
    });
    const page = rows.slice(0, q.limit);
    return {
      signals: page.map((s) => ({
        id: s.id,
        accountId: s.accountId,
        customerId: s.customerId,
        kind: s.kind,
        polarity: s.polarity,
        confidence: s.confidence,
        evidence: s.evidence,
        createdAt: s.createdAt.toISOString(),
        article: { id: s.articleId, title: s.article.title, link: s.article.link, language: s.article.language, publishedAt: s.article.publishedAt?.toISOString() ?? null },
      })),
      next: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null,
    };
  });
};

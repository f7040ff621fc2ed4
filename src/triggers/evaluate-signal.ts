import { fireForCustomer, type FireDeps, type FireResult } from './fire-triggers.js';
import { loadActiveTriggers } from './trigger-store.js';

/**
 * Runs the news triggers against one signal. The recipients are the contact the news names, or
 * else every contact of the account. Negative news also blocks celebratory notes by itself (see
 * customer-standing.ts): it does not need a trigger to protect the customer.
 */
export async function evaluateSignal(deps: FireDeps, signalId: string, now = new Date()): Promise<FireResult[]> {
  const { prisma } = deps;
  const signal = await prisma.signal.findUnique({ where: { id: signalId }, include: { article: { select: { title: true, link: true, publishedAt: true } } } });
  if (!signal || signal.evaluatedAt) return [];
  const triggers = (await loadActiveTriggers(prisma, 'news')).filter((t) => {
    const source = t.definition.source;
    return source.type === 'news' && source.kinds.includes(signal.kind) && signal.confidence >= source.minConfidence && (!source.polarity || source.polarity === signal.polarity);
  });
  const results: FireResult[] = [];
  if (triggers.length) {
    const recipients = signal.customerId
      ? [signal.customerId]
      : (await prisma.customer.findMany({ where: { accountId: signal.accountId }, select: { id: true }, orderBy: { id: 'asc' } })).map((c) => c.id);
    const news = {
      kind: signal.kind,
      polarity: signal.polarity,
      evidence: signal.evidence,
      article: { title: signal.article.title, link: signal.article.link, publishedAt: signal.article.publishedAt?.toISOString() ?? null },
    };
    for (const customerId of recipients) {
      const firings = triggers.map((trigger) => ({ trigger, signalId: signal.id, dedupeKey: `news/${trigger.id}/${signal.id}/${customerId}`, templateExtras: { signal: news } }));
      results.push(await fireForCustomer(deps, customerId, firings, now));
    }
  }
  await prisma.signal.updateMany({ where: { id: signal.id, evaluatedAt: null }, data: { evaluatedAt: now } });
  return results;
}

import { UnrecoverableError } from 'bullmq';
import type { PrismaClient } from '../../generated/prisma/client.js';
import { SYSTEM, writeAudit } from '../../audit/audit-log.js';
import { transitionSuggestion } from '../../notes/suggestion-status.js';
import { claimedInclude, type ClaimedPrint } from './print-claims.js';
import { printFormat, PRINT_FORMATS } from './print-formats.js';
import { printNoteOf } from './print-run.js';
import type { PrintRenderer } from './render-print.js';

/**
 * A print-and-mail provider, reached over HTTP: one POST per note with the PDF and the address.
 * The delivery id is the `Idempotency-Key`, so sending the same note again — a retry after a
 * timeout, a crash after the provider accepted — never prints it twice: the provider answers with
 * the order it already has. That is what makes retrying a `sending` print delivery safe, unlike email.
 */
export interface PrintProviderDeps {
  prisma: PrismaClient;
  renderer: PrintRenderer;
  providerUrl: string;
  providerToken?: string | undefined;
  defaultFormat: string;
  timeoutMs?: number;
}

export class PrintProviderError extends Error {
  override readonly name = 'PrintProviderError';
  constructor(message: string, readonly permanent: boolean) {
    super(message);
  }
}

/** Claims, renders and hands one print delivery to the provider. Throws to retry; UnrecoverableError when retrying cannot help. */
export async function deliverPrintViaProvider(deps: PrintProviderDeps, deliveryId: string): Promise<'sent' | 'skipped' | 'suppressed'> {
  const { prisma } = deps;
  const claim = await prisma.$transaction(async (tx) => {
    const d = await tx.delivery.findUnique({ where: { id: deliveryId }, include: claimedInclude });
    if (!d || d.status !== 'queued' || d.channel !== 'print') return null;
    const c = d.suggestion.customer;
    const blocked = c.optedOut ? 'opted out' : c.doNotContact ? 'do not contact' : !c.addressLines.length || !c.city ? 'no postal address' : null;
    if (blocked) {
      await tx.delivery.update({ where: { id: d.id }, data: { status: 'failed', lastError: `suppressed: ${blocked}` } });
      await writeAudit(tx, { actor: SYSTEM, entityType: 'delivery', entityId: d.id, action: 'delivery.suppressed', fromStatus: 'queued', toStatus: 'failed', reason: blocked });
      await transitionSuggestion(tx, { id: d.suggestionId, to: 'suppressed', actor: SYSTEM, reason: blocked });
      return 'suppressed' as const;
    }
    const format = d.printFormat ?? deps.defaultFormat;
    const { count } = await tx.delivery.updateMany({
      where: { id: d.id, status: 'queued' },
      data: { status: 'sending', claimedAt: new Date(), printFormat: format, attempts: { increment: 1 } },
    });
    if (count !== 1) return null;
    await writeAudit(tx, { actor: SYSTEM, entityType: 'delivery', entityId: d.id, action: 'delivery.sending', fromStatus: 'queued', toStatus: 'sending', data: { provider: deps.providerUrl } });
    return { ...d, printFormat: format };
  });
  if (claim === null) return 'skipped';
  if (claim === 'suppressed') return 'suppressed';

  let reply: string;
  try {
    if (!PRINT_FORMATS.has(claim.printFormat)) throw new PrintProviderError(`unknown print format ${claim.printFormat}`, true);
    const format = printFormat(claim.printFormat);
    const out = await deps.renderer.render(format, [printNoteOf(claim)]);
    if (out.overflowing.length) throw new PrintProviderError(`the note is too long for ${format.label}; shorten it and approve again`, true);
    reply = await postToProvider(deps, claim, out.pdf);
  } catch (err) {
    const permanent = err instanceof PrintProviderError && err.permanent;
    await recordPrintFailure(prisma, claim, permanent, (err as Error).message);
    throw permanent ? new UnrecoverableError((err as Error).message) : err;
  }
  await prisma.$transaction(async (tx) => {
    await tx.delivery.update({ where: { id: claim.id }, data: { status: 'sent', sentAt: new Date(), response: reply, lastError: null } });
    await writeAudit(tx, { actor: SYSTEM, entityType: 'delivery', entityId: claim.id, action: 'delivery.sent', fromStatus: 'sending', toStatus: 'sent', data: { response: reply } });
    await transitionSuggestion(tx, { id: claim.suggestionId, to: 'sent', actor: SYSTEM });
  });
  return 'sent';
}

async function postToProvider(deps: PrintProviderDeps, d: ClaimedPrint & { printFormat: string }, pdf: Buffer): Promise<string> {
  const c = d.suggestion.customer;
  let res: Response;
  try {
    res = await fetch(deps.providerUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': d.id,
        ...(deps.providerToken ? { authorization: `Bearer ${deps.providerToken}` } : {}),
      },
      body: JSON.stringify({
        deliveryId: d.id,
        format: d.printFormat,
        recipient: { name: c.name, addressLines: c.addressLines, postalCode: c.postalCode, city: c.city, region: c.region, country: c.country },
        pdf: pdf.toString('base64'),
      }),
      signal: AbortSignal.timeout(deps.timeoutMs ?? 30_000),
    });
  } catch (err) {
    throw new PrintProviderError(`print provider unreachable: ${(err as Error).message}`, false);
  }
  const text = (await res.text()).slice(0, 500);
  // 4xx means the request itself is wrong and will stay wrong — except timeouts, conflicts of a
  // concurrent identical request and rate limits, which pass.
  if (!res.ok) throw new PrintProviderError(`print provider answered ${res.status}: ${text}`, res.status < 500 && ![408, 409, 425, 429].includes(res.status));
  return `${res.status} ${text}`;
}

async function recordPrintFailure(prisma: PrismaClient, d: ClaimedPrint, permanent: boolean, reason: string): Promise<void> {
  await prisma.$transaction(async (tx) => {
    // A temporary failure releases the claim; resending later is safe thanks to the idempotency key.
    await tx.delivery.update({ where: { id: d.id }, data: { status: permanent ? 'failed' : 'queued', claimedAt: null, lastError: reason } });
    await writeAudit(tx, { actor: SYSTEM, entityType: 'delivery', entityId: d.id, action: permanent ? 'delivery.failed' : 'delivery.retry', fromStatus: 'sending', toStatus: permanent ? 'failed' : 'queued', reason });
    if (permanent) await transitionSuggestion(tx, { id: d.suggestionId, to: 'failed', actor: SYSTEM, reason });
  });
}

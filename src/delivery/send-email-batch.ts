import { setTimeout as sleep } from 'node:timers/promises';
import type { DomainSlotGroup } from './domain-slots.js';
import { claimEmailDeliveries, emailSql, queuedRecipientDomains, recordEmailsSent, type EmailClaim, type EmailSent, type EmailSql } from './email-transitions.js';
import { emailMessageFor, isPermanent, recordFailure, suppress, type EmailDeliveryDeps } from './send-email.js';

export interface EmailBatchDeps extends EmailDeliveryDeps {
  /** Sends in flight at once to a domain when there are no domain slots (the outbox, tests); default 10. */
  parallelWithoutSlots?: number;
  /** How long a domain may stay at its cap before its deliveries are handed to single jobs, which wait in its line; default 60 s. */
  maxDomainWaitMs?: number;
}

/**
 * Deliveries a batch hands back as single `deliver-email` jobs: after a temporary SMTP failure
 * (to retry with backoff), or when their domain stayed at its cap (to wait in the domain's line).
 */
export interface HandOver {
  deliveryId: string;
  reason: 'retry' | 'domain-busy';
}

export interface EmailBatchReport {
  sent: number;
  /** Not waiting to be sent any more (sent, claimed or failed elsewhere). */
  skipped: number;
  suppressed: number;
  failed: number;
  handOver: HandOver[];
}

/**
 * Sends a batch of email deliveries — the same guarantees as `deliverEmail`, at a fraction of its
 * round trips. Per recipient domain, a lane repeatedly takes what the rate and the domain allow
 * (n sends), claims those n in one statement, sends them side by side, and records the accepted
 * ones in one statement; the next round is claimed while one is sent. A delivery is claimed only
 * shortly before it is sent, so a crash leaves at most two rounds of a lane `sending` (the
 * reconciler fails those for a person to check), and everything not yet claimed `queued` for the
 * job's retry.
 *
 * Unexpected errors (PostgreSQL down) do not stop the other lanes; the first is thrown once all
 * have finished, so BullMQ retries the batch and the claim skips whatever was already sent.
 */
export async function deliverEmailBatch(deps: EmailBatchDeps, deliveryIds: readonly string[]): Promise<EmailBatchReport> {
  const sql = emailSql(deps.prisma, deps.pool);
  const report: EmailBatchReport = { sent: 0, skipped: 0, suppressed: 0, failed: 0, handOver: [] };
  const domains = await queuedRecipientDomains(sql, deliveryIds);
  report.skipped += deliveryIds.length - domains.size;

  const lanes = new Map<string | null, string[]>();
  for (const [id, domain] of domains) lanes.set(domain, [...(lanes.get(domain) ?? []), id]);
  await settleAll([...lanes].map(([domain, ids]) => runLane(deps, sql, report, domain, ids)));
  return report;
}

/** One recipient domain's deliveries (null: no address — the claim suppresses them), round by round. */
async function runLane(deps: EmailBatchDeps, sql: EmailSql, report: EmailBatchReport, domain: string | null, ids: string[]): Promise<void> {
  const recording: Promise<void>[] = [];
  try {
    await sendInRounds(deps, sql, report, domain, ids, recording);
  } finally {
    // Even when a round failed, the rounds before it are recorded before the job gives up.
    await settleAll(recording);
  }
}

async function sendInRounds(deps: EmailBatchDeps, sql: EmailSql, report: EmailBatchReport, domain: string | null, ids: string[], recording: Promise<void>[]): Promise<void> {
  // The lane keeps its domain's slots from round to round (a lane is one batch's worth of sends)
  // and tops them up as others free theirs.
  const group = domain ? deps.domainSlots?.group(domain) : undefined;
  const claimNext = async () => {
    const next = await nextRound(deps, report, group, ids);
    // Claim before sending: a crash after SMTP accepted a message must not send it again, so the
    // claims and the Message-IDs are committed before we talk to the server.
    return next && { ids: next, claims: await claimEmailDeliveries(sql, next, new Date()) };
  };
  try {
    let claiming: ReturnType<typeof claimNext> = claimNext();
    for (let claimed = await claiming; claimed; claimed = await claiming) {
      // The next round is claimed while this one is sent (its sends start once these are answered,
      // so the slots still bound what is in flight): SMTP does not sit idle waiting for PostgreSQL.
      claiming = claimNext();
      // Its failure is thrown where it is awaited, after this round; it must not count as unhandled meanwhile.
      claiming.catch(() => undefined);
      report.skipped += claimed.ids.length - claimed.claims.length;
      const round = await send(deps, report, claimed.claims);
      // A round's "sent" statement runs while the next round is sent.
      recording.push(recordRound(sql, report, round));
    }
  } finally {
    // A release lost to a Redis hiccup only keeps the slots until their lease runs out.
    await group?.release().catch(() => undefined);
  }
}

/**
 * The deliveries of the lane's next round: as many as its domain's slots and this second's rate
 * allow (waiting for either when they allow none); null when the lane is done or handed over.
 */
async function nextRound(deps: EmailBatchDeps, report: EmailBatchReport, group: DomainSlotGroup | undefined, ids: string[]): Promise<string[] | null> {
  let waitingSince: number | undefined;
  let pause = 5;
  while (ids.length) {
    const room = Math.min(ids.length, group ? await group.fill(ids.length) : (deps.parallelWithoutSlots ?? 10));
    if (!room) {
      // The domain is at its cap (other lanes, other processes): ask again shortly, and after a
      // long wait let single jobs queue up in the domain's line instead of holding this worker.
      waitingSince ??= Date.now();
      if (Date.now() - waitingSince > (deps.maxDomainWaitMs ?? 60_000)) {
        report.handOver.push(...ids.splice(0).map((deliveryId) => ({ deliveryId, reason: 'domain-busy' as const })));
        return null;
      }
      await sleep(pause / 2 + Math.random() * pause);
      pause = Math.min(pause * 2, 200);
      continue;
    }
    const rate = deps.rate ? await deps.rate.take(room) : { granted: room, retryInMs: 0 };
    if (rate.granted) return ids.splice(0, rate.granted);
    await sleep(rate.retryInMs);
  }
  return null;
}

/** What one round sent, and any error that must fail the job once the round is recorded. */
interface Round {
  accepted: EmailSent[];
  failure: PromiseRejectedResult | undefined;
}

/** Sends claimed deliveries side by side (suppressing blocked ones). */
async function send(deps: EmailBatchDeps, report: EmailBatchReport, claims: readonly EmailClaim[]): Promise<Round> {
  const accepted: EmailSent[] = [];
  // Settled, not all: a failure to record one note's failure must not leave the others' accepted
  // sends unrecorded (they would stay `sending` and look interrupted).
  const outcomes = await Promise.allSettled(
    claims.map(async (claim) => {
      if (claim.blockedBy) {
        if ((await suppress(deps.prisma, claim.id, claim.suggestionId, claim.blockedBy)) === 'suppressed') report.suppressed += 1;
        else report.skipped += 1;
        return;
      }
      try {
        const sent = await deps.mailer.send(emailMessageFor(deps, claim));
        accepted.push({ deliveryId: claim.id, suggestionId: claim.suggestionId, messageId: claim.messageId, response: sent.response });
      } catch (err) {
        await recordFailure(deps.prisma, claim.id, claim.suggestionId, err);
        if (isPermanent(err)) report.failed += 1;
        else report.handOver.push({ deliveryId: claim.id, reason: 'retry' });
      }
    }),
  );
  return { accepted, failure: outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected') };
}

/** Records a round's accepted sends in one statement; then throws what went wrong in the round, if anything. */
async function recordRound(sql: EmailSql, report: EmailBatchReport, round: Round): Promise<void> {
  const refused = await recordEmailsSent(sql, round.accepted, new Date());
  report.sent += round.accepted.length - refused.length;
  if (round.failure) throw round.failure.reason;
  if (refused[0]) throw refused[0].error;
}

/** Waits for every promise, then throws the first rejection (none is left unobserved). */
async function settleAll(promises: readonly Promise<unknown>[]): Promise<void> {
  const failure = (await Promise.allSettled(promises)).find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;
}

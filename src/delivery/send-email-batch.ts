import { setTimeout as sleep } from 'node:timers/promises';
import type { DomainSlotGroup } from './domain-slots.js';
import { claimAndRecordEmails, emailSql, queuedRecipientDomains, type EmailClaim, type EmailSql } from './email-transitions.js';
import { sentRecorder, type SentRecorder } from './sent-recorder.js';
import { emailMessageFor, isPermanent, recordFailure, suppress, type EmailDeliveryDeps } from './send-email.js';

export interface EmailBatchDeps extends EmailDeliveryDeps {
  /** Sends in flight at once to a domain when there are no domain slots (the outbox, tests); default 10. */
  parallelWithoutSlots?: number;
  /** How long a domain may stay at its cap before its deliveries are handed to single jobs, which wait in its line; default 60 s. */
  maxDomainWaitMs?: number;
  /**
   * Aborted when the process shuts down: lanes claim nothing more, send and record what they have
   * claimed, and hand the rest back, so a stop waits for a few sends, not for the whole batch.
   */
  stopping?: AbortSignal;
}

/**
 * Deliveries a batch hands back: after a temporary SMTP failure (to retry with backoff, as a single
 * `deliver-email` job), when their domain stayed at its cap (single jobs, to wait in the domain's
 * line), or unclaimed when the process stopped (a new batch, for whichever process runs it).
 */
export interface HandOver {
  deliveryId: string;
  reason: 'retry' | 'domain-busy' | 'stopping';
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
 * round trips. Per recipient domain, a lane holds what slots the domain allows, claims the next
 * deliveries (as many as the rate allows) in one statement while it still has claimed ones to
 * send, sends each as soon as a slot is free, and records the accepted ones in the statement of
 * its next claim (or, when none is coming, in one of their own). A delivery is claimed only
 * shortly before it is sent, so a crash leaves at most twice a lane's slots `sending` (the
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

  // One lane per mail provider, not per domain: gmail.com and googlemail.com share their slots, so
  // two lanes would only take them from each other.
  const lanes = new Map<string | null, string[]>();
  for (const [id, recipientDomain] of domains) {
    const domain = recipientDomain === null ? null : (deps.domainSlots?.slotDomain(recipientDomain) ?? recipientDomain);
    lanes.set(domain, [...(lanes.get(domain) ?? []), id]);
  }
  await settleAll([...lanes].map(([domain, ids]) => runLane(deps, sql, report, domain, ids)));
  return report;
}

/**
 * One recipient domain's deliveries (null: no address — the claim suppresses them), as a pipeline:
 * a send starts as soon as a slot is free, never waiting for the rest of a round; the next
 * deliveries are claimed (one statement) while the lane still has claimed ones to send, and that
 * statement also records the sends accepted since the claim before (see sent-recorder.ts).
 */
async function runLane(deps: EmailBatchDeps, sql: EmailSql, report: EmailBatchReport, domain: string | null, ids: string[]): Promise<void> {
  // The lane keeps its domain's slots while it sends (a lane is one batch's worth of sends) and
  // tops them up as others free theirs.
  const group = domain ? deps.domainSlots?.group(domain) : undefined;
  const claimed: EmailClaim[] = [];
  const sending = new Set<Promise<void>>();
  const failures: unknown[] = [];
  const recorder = sentRecorder(sql, report);
  let slots = 0;
  let claiming: Promise<void> | undefined;
  // The loop sleeps until a send or a claim ends: one waiter, woken by whichever ends first.
  // (Promise.race over everything in flight, each turn, left a reaction on every pending send per
  // turn: about ten per email, each run as a microtask.)
  let wake: (() => void) | undefined;
  const ended = () => {
    const waiter = wake;
    wake = undefined;
    waiter?.();
  };
  const claimMore = async () => {
    const next = await nextClaims(deps, report, group, ids, claimed.length + sending.size, slots);
    if (!next) return;
    slots = next.slots;
    // Claim before sending: a crash after SMTP accepted a message must not send it again, so the
    // claims and the Message-IDs are committed before we talk to the server.
    const riding = recorder.take();
    let result: Awaited<ReturnType<typeof claimAndRecordEmails>>;
    try {
      result = await claimAndRecordEmails(sql, next.ids, riding, new Date());
    } catch (err) {
      recorder.putBack(riding); // the claim failed, and took their record with it: recorded on their own
      throw err;
    }
    recorder.settle(riding, result.refused);
    report.skipped += next.ids.length - result.claims.length;
    claimed.push(...result.claims);
  };
  try {
    // A claim still in flight counts as work: ending the lane then would leave what it claims
    // `sending` and never sent (the last ids are taken off the list before the claim returns).
    while (ids.length || claimed.length || sending.size || claiming) {
      while (claimed.length && sending.size < slots) {
        const claim = claimed.shift();
        if (!claim) break;
        const send: Promise<void> = sendOne(deps, report, recorder, claim)
          .catch((err: unknown) => void failures.push(err))
          .finally(() => {
            sending.delete(send);
            ended();
          });
        sending.add(send);
      }
      // Up to one slot's worth claimed ahead of the free slots, so SMTP seldom waits for
      // PostgreSQL; topped up once three quarters of it have gone out rather than after every send,
      // so a claim (with its slot and rate round trips) takes several deliveries at a time: about
      // eight at 10 slots, where topping up at half took five and cost the bench's path a third
      // more statements and Redis commands. After an unexpected failure nothing more is claimed;
      // what is claimed still goes out.
      if (!claiming && ids.length && claimed.length <= Math.floor(slots / 4) && !failures.length && !deps.stopping?.aborted) {
        // A failed claim (PostgreSQL gone, a deadlock victim) ends the claiming, not the lane: the
        // deliveries it claimed before still go out, instead of staying `sending` unsent.
        claiming = claimMore()
          .catch((err: unknown) => void failures.push(err))
          .finally(() => {
            claiming = undefined;
            ended();
          });
      }
      if (!sending.size && !claiming) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    await Promise.allSettled([...sending, ...(claiming ? [claiming] : [])]);
    // The slots go back while the last sends are recorded. A release lost to a Redis hiccup only
    // keeps the slots until their lease runs out; even when something failed, every accepted send
    // is recorded before the job gives up.
    const [, recorded] = await Promise.allSettled([group?.release(), recorder.idle()]);
    if (recorded.status === 'rejected') throw recorded.reason;
  }
  if (failures.length) throw failures[0];
  // Stopped before everything was claimed: the rest is still queued, untouched.
  report.handOver.push(...ids.splice(0).map((deliveryId) => ({ deliveryId, reason: 'stopping' as const })));
}

/**
 * The lane's next deliveries to claim: up to twice its slots in flight and claimed (one slot's
 * worth sending, one waiting), within this second's rate, waiting while the domain has no slot
 * for it or the second's budget is spent; null when the lane is done, handed over or stopping.
 * `busy`: the lane's deliveries claimed or in flight; `held`: the slots it holds now.
 */
async function nextClaims(deps: EmailBatchDeps, report: EmailBatchReport, group: DomainSlotGroup | undefined, ids: string[], busy: number, held: number): Promise<{ ids: string[]; slots: number } | null> {
  const room = (slots: number) => Math.min(ids.length, 2 * slots - busy);
  if (group && deps.rate && held > 0 && room(held) > 0) {
    // A lane that holds slots asks for the rate of its next sends while it renews them: one script
    // for both, so one round trip and one Redis command instead of two. Its slots rarely change
    // between two claims; when they shrink (one went to the line), the budget taken for the
    // difference stays unused this second.
    const take = deps.rate.takeCall(room(held));
    const [slots, reply] = await group.fillWith(ids.length + busy, take.call);
    const rate = take.grant(reply);
    const granted = Math.min(rate.granted, room(slots));
    if (granted > 0) return { ids: ids.splice(0, granted), slots };
  }
  let waitingSince: number | undefined;
  let pause = 5;
  while (ids.length && !deps.stopping?.aborted) {
    const slots = group ? await group.fill(ids.length + busy) : (deps.parallelWithoutSlots ?? 10);
    if (!slots) {
      // The domain is at its cap (other lanes, other processes): ask again shortly, and after a
      // long wait let single jobs queue up in the domain's line instead of holding this worker.
      waitingSince ??= Date.now();
      if (Date.now() - waitingSince > (deps.maxDomainWaitMs ?? 60_000)) {
        report.handOver.push(...ids.splice(0).map((deliveryId) => ({ deliveryId, reason: 'domain-busy' as const })));
        return null;
      }
      // This process's releases wake the lane at once; other processes' are seen by asking again.
      await (group ? group.released(pause / 2 + Math.random() * pause) : sleep(pause));
      pause = Math.min(pause * 2, 200);
      continue;
    }
    const wanted = room(slots);
    if (wanted <= 0) return { ids: [], slots };
    const rate = deps.rate ? await deps.rate.take(wanted) : { granted: wanted, retryInMs: 0 };
    if (rate.granted) return { ids: ids.splice(0, rate.granted), slots };
    await sleep(rate.retryInMs);
  }
  return null;
}

/** Sends one claimed delivery (or suppresses it when blocked); an accepted send goes to the recorder. */
async function sendOne(deps: EmailBatchDeps, report: EmailBatchReport, recorder: SentRecorder, claim: EmailClaim): Promise<void> {
  if (claim.blockedBy) {
    if ((await suppress(deps.prisma, claim.id, claim.suggestionId, claim.blockedBy)) === 'suppressed') report.suppressed += 1;
    else report.skipped += 1;
    return;
  }
  try {
    const sent = await deps.mailer.send(emailMessageFor(deps, claim));
    recorder.add({ deliveryId: claim.id, suggestionId: claim.suggestionId, messageId: claim.messageId, response: sent.response });
  } catch (err) {
    await recordFailure(deps.prisma, claim.id, claim.suggestionId, err);
    if (isPermanent(err)) report.failed += 1;
    else report.handOver.push({ deliveryId: claim.id, reason: 'retry' });
  }
}

/** Waits for every promise, then throws the first rejection (none is left unobserved). */
async function settleAll(promises: readonly Promise<unknown>[]): Promise<void> {
  const failure = (await Promise.allSettled(promises)).find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;
}

import type { PrismaClient, User } from '../generated/prisma/client.js';
import { SYSTEM, writeAudit } from '../audit/audit-log.js';
import type { Mailer } from '../infra/mailer.js';
import type { Queues } from '../jobs/queues.js';

/** The local hour from which an account manager's digest goes out. */
export const DIGEST_HOUR = 8;
export const DIGEST_SCHEDULER_ID = 'daily-digests-hourly';

export interface DigestDeps {
  prisma: PrismaClient;
  mailer: Mailer;
  mailFrom: string;
  publicUrl: string;
}

/** The user's local calendar date and hour at `now`. */
export function localClock(timeZone: string, now: Date): { date: string; hour: number } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return { date: `${get('year')}-${get('month')}-${get('day')}`, hour: Number(get('hour')) };
}

/** An hourly job; each run sends the digests that are due (see sendDailyDigests). */
export async function syncDigestSchedule(queues: Queues): Promise<Record<string, never>> {
  await queues.queue('send-digests').upsertJobScheduler(DIGEST_SCHEDULER_ID, { pattern: '0 * * * *' }, { name: 'send-digests', data: {} });
  return {};
}

/**
 * Emails each account manager the suggestions waiting for them, once per local day, from 08:00 on
 * their clock (a missed hour catches up later that day). The day is claimed before sending: a
 * crash after SMTP accepted the message must not send a second digest; a failed send releases it.
 */
export async function sendDailyDigests(deps: DigestDeps, now = new Date()): Promise<{ digestsSent: number }> {
  const managers = await deps.prisma.user.findMany({ where: { role: 'account_manager' } });
  let digestsSent = 0;
  for (const manager of managers) {
    const clock = localClock(manager.timeZone, now);
    if (clock.hour < DIGEST_HOUR) continue;
    const today = new Date(`${clock.date}T00:00:00Z`);
    if (manager.digestSentOn?.getTime() === today.getTime()) continue;
    const pending = await deps.prisma.suggestion.findMany({
      where: { assigneeId: manager.id, status: 'pending_approval', OR: [{ snoozedUntil: null }, { snoozedUntil: { lte: now } }] },
      include: { customer: true, trigger: true },
      orderBy: { createdAt: 'asc' },
      take: 50,
    });
    if (pending.length === 0) continue;
    const { count } = await deps.prisma.user.updateMany({
      where: { id: manager.id, OR: [{ digestSentOn: null }, { digestSentOn: { not: today } }] },
      data: { digestSentOn: today },
    });
    if (count !== 1) continue;
    try {
      await deps.mailer.send(digestMessage(deps, manager, pending, clock.date));
    } catch (err) {
      await deps.prisma.user.update({ where: { id: manager.id }, data: { digestSentOn: manager.digestSentOn } });
      throw err;
    }
    await deps.prisma.$transaction((tx) =>
      writeAudit(tx, { actor: SYSTEM, entityType: 'user', entityId: manager.id, action: 'digest.sent', data: { date: clock.date, pending: pending.length } }),
    );
    digestsSent += 1;
  }
  return { digestsSent };
}

function digestMessage(
  deps: DigestDeps,
  manager: User,
  pending: { id: string; subject: string; editedSubject: string | null; expiresAt: Date | null; customer: { name: string }; trigger: { name: string } }[],
  date: string,
) {
  const base = deps.publicUrl.replace(/\/$/, '');
  const n = pending.length;
  const lines = pending.map((s) => {
    const expires = s.expiresAt ? ` (expires ${new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: manager.timeZone }).format(s.expiresAt)})` : '';
    return `- ${s.customer.name}: ${s.editedSubject ?? s.subject} — ${s.trigger.name}${expires}\n  ${base}/inbox#s-${s.id}`;
  });
  const text = `Good morning ${manager.name.split(/\s+/)[0]},\n\n${n === 1 ? 'One note waits' : `${n} notes wait`} for your approval:\n\n${lines.join('\n')}\n\nReview them: ${base}/inbox\n`;
  return {
    from: deps.mailFrom,
    to: { name: manager.name, address: manager.email },
    subject: `${n === 1 ? '1 note waits' : `${n} notes wait`} for your approval (${date})`,
    text,
    headers: { 'X-Rapport-Digest': `${manager.id}:${date}` },
  };
}

import type pg from 'pg';
import { SuggestionStatus, type PrismaClient } from '../generated/prisma/client.js';
import { AppError } from '../errors.js';
import { canTransition } from '../notes/suggestion-status.js';
import { CLAIM, CLAIM_AND_RECORD_SENT, RECIPIENT, RECORD_SENT, type Statement } from './email-statements.js';

/**
 * The two state changes on the hot path of every email — the claim (queued → sending) and the
 * record of the server's acceptance (sending → sent, suggestion → sent) — each as ONE statement:
 * PostgreSQL runs a statement with data-modifying CTEs atomically, so each is still a transaction
 * with its audit entries, at one round trip instead of a dozen. They write exactly the rows that
 * writeAudit and transitionSuggestion would; the rare paths (suppression, failures) keep using those.
 * A batch goes further and records its accepted sends in the statement of its next claim.
 */

/** Runs the statements below: on pg's pool when there is one (prepared), otherwise through Prisma. */
export interface EmailSql {
  run<Row>(statement: Statement, values: unknown[]): Promise<Row[]>;
}

/**
 * Prisma's raw queries cost several times a prepared statement on the pool under it (measured:
 * ~370 µs of CPU against ~30 µs), which is most of a send's budget; tests that hand in only a
 * Prisma client still get the same statements, unprepared.
 */
export function emailSql(prisma: PrismaClient, pool?: pg.Pool): EmailSql {
  return {
    async run<Row>(statement: Statement, values: unknown[]) {
      if (pool) return (await pool.query<Row & pg.QueryResultRow>({ name: statement.name, text: statement.text, values })).rows;
      return prisma.$queryRawUnsafe<Row[]>(statement.text, ...values);
    },
  };
}

/** What the claim returns: the delivery with everything the message is built from. */
export interface EmailClaim {
  id: string;
  messageId: string;
  suggestionId: string;
  subject: string;
  body: string;
  editedSubject: string | null;
  editedBody: string | null;
  locale: string;
  customerId: string;
  customerName: string;
  customerEmail: string | null;
  assigneeName: string | null;
  assigneeEmail: string | null;
  /** Why the customer must not receive it ('opted out', …), or null; a blocked delivery is not claimed. */
  blockedBy: string | null;
}

/**
 * Claims a queued email delivery (queued → sending, attempts + 1, audit `delivery.sending`) unless
 * its customer is blocked. Returns null when there is nothing to claim (already claimed, sent or
 * failed, or not email). The row lock (FOR UPDATE) makes two racing claims queue up; the second
 * re-checks `status = 'queued'` after the first commits and finds nothing, so only one sends.
 */
export async function claimEmailDelivery(sql: EmailSql, deliveryId: string, now: Date): Promise<EmailClaim | null> {
  return (await claimEmailDeliveries(sql, [deliveryId], now))[0] ?? null;
}

/**
 * `claimEmailDelivery` for several deliveries in one statement (a batch's next sends): the ones
 * that could be claimed or are blocked come back, the rest (claimed elsewhere, sent) do not. Rows
 * are locked in id order, so two overlapping batches wait for each other instead of deadlocking.
 */
export async function claimEmailDeliveries(sql: EmailSql, deliveryIds: readonly string[], now: Date): Promise<EmailClaim[]> {
  if (!deliveryIds.length) return [];
  return sql.run<EmailClaim>(CLAIM, [deliveryIds, now]);
}

/** transitionSuggestion's rule for `sent`, as the list of statuses it may come from. */
const SENT_FROM = Object.values(SuggestionStatus).filter((s) => canTransition(s, 'sent'));

export interface EmailSent {
  deliveryId: string;
  suggestionId: string;
  messageId: string;
  /** The SMTP server's reply ("250 OK: queued as …"). */
  response: string;
}

/**
 * Records that the SMTP server accepted the message: delivery sending → sent with the reply,
 * suggestion → sent (only from a status the lifecycle allows), and the audit entries of both.
 * All or nothing: if the delivery is no longer `sending` or the suggestion may not become `sent`,
 * nothing changes and this throws, as the transaction it replaces did.
 */
export async function recordEmailSent(sql: EmailSql, args: EmailSent & { now: Date }): Promise<void> {
  const [refusal] = await recordEmailsSent(sql, [args], args.now);
  if (refusal) throw refusal.error;
}

/**
 * `recordEmailSent` for several sends in one statement. Each send is all or nothing on its own:
 * the ones that could not be recorded come back with the reason, the others are recorded.
 */
export async function recordEmailsSent(sql: EmailSql, sends: readonly EmailSent[], now: Date): Promise<SendRefused[]> {
  if (!sends.length) return [];
  return refusedOf(sends, await sql.run<RecordRow>(RECORD_SENT, recordValues(sends, now)));
}

/** A send whose "sent" could not be recorded, and why. */
export interface SendRefused {
  deliveryId: string;
  error: Error;
}

/**
 * `recordEmailsSent` and `claimEmailDeliveries` in one statement, one transaction: a batch's lane
 * records the sends accepted since its last claim while it claims its next deliveries, one round
 * trip and one commit instead of two. Both succeed or neither does.
 *
 * Its two sets of row locks, each taken in id order, are disjoint (sending rows recorded, queued
 * rows claimed). Only two batches holding the same deliveries could make it wait for another
 * statement while holding locks that one waits for; PostgreSQL then fails one of the two, and the
 * caller records its sends on their own (see send-email-batch.ts).
 */
export async function claimAndRecordEmails(sql: EmailSql, deliveryIds: readonly string[], sends: readonly EmailSent[], now: Date): Promise<{ claims: EmailClaim[]; refused: SendRefused[] }> {
  if (!sends.length) return { claims: await claimEmailDeliveries(sql, deliveryIds, now), refused: [] };
  if (!deliveryIds.length) return { claims: [], refused: await recordEmailsSent(sql, sends, now) };
  const [row] = await sql.run<{ claims: EmailClaim[] | string; recorded: RecordRow[] | string }>(CLAIM_AND_RECORD_SENT, [...recordValues(sends, now), deliveryIds]);
  if (!row) throw new Error('the claim-and-record statement returned no row');
  // pg parses jsonb; Prisma's raw queries may hand it over as text.
  const claims = typeof row.claims === 'string' ? (JSON.parse(row.claims) as EmailClaim[]) : row.claims;
  const recorded = typeof row.recorded === 'string' ? (JSON.parse(row.recorded) as RecordRow[]) : row.recorded;
  return { claims, refused: refusedOf(sends, recorded) };
}

interface RecordRow {
  id: string;
  sent: boolean;
  suggestionStatus: string | null;
}

/** RECORD_SENT's $1–$6 (see email-statements.ts). */
function recordValues(sends: readonly EmailSent[], now: Date): unknown[] {
  return [sends.map((s) => s.deliveryId), sends.map((s) => s.suggestionId), sends.map((s) => s.response), sends.map((s) => s.messageId), SENT_FROM, now];
}

function refusedOf(sends: readonly EmailSent[], rows: readonly RecordRow[]): SendRefused[] {
  const bySend = new Map(rows.map((r) => [r.id, r]));
  return sends.flatMap(({ deliveryId, suggestionId }) => {
    const row = bySend.get(deliveryId);
    if (row?.sent) return [];
    if (!row?.suggestionStatus) return [{ deliveryId, error: new Error(`Delivery ${deliveryId} is no longer sending; its "sent" could not be recorded`) }];
    return [{ deliveryId, error: new AppError('RAPPORT_SUGGESTION_ILLEGAL_TRANSITION', `Suggestion ${suggestionId} is ${row.suggestionStatus}; it cannot become sent`) }];
  });
}

/**
 * The recipient's domain of a queued email delivery ("gmail.com"), or null when the delivery is
 * not waiting to be sent or has no address. Read before the claim, to take a per-domain SMTP slot.
 */
export async function queuedRecipientDomain(sql: EmailSql, deliveryId: string): Promise<string | null> {
  return (await queuedRecipientDomains(sql, [deliveryId])).get(deliveryId) ?? null;
}

/**
 * `queuedRecipientDomain` for several deliveries: each queued email delivery's recipient domain
 * (null without an address); deliveries that are not waiting to be sent are left out. In id order,
 * the order claims lock rows in, so a batch's lanes claim the way every other claim does.
 */
export async function queuedRecipientDomains(sql: EmailSql, deliveryIds: readonly string[]): Promise<Map<string, string | null>> {
  if (!deliveryIds.length) return new Map();
  const rows = await sql.run<{ id: string; email: string | null }>(RECIPIENT, [deliveryIds]);
  return new Map(rows.map((r) => [r.id, emailDomain(r.email)]));
}

/** The part after the last @, lower-cased; null for a missing or malformed address. */
export function emailDomain(address: string | null): string | null {
  const at = address?.lastIndexOf('@') ?? -1;
  const domain = at >= 0 ? address?.slice(at + 1).trim().toLowerCase() : '';
  return domain ? domain : null;
}

import type pg from 'pg';
import { SuggestionStatus, type PrismaClient } from '../generated/prisma/client.js';
import { AppError } from '../errors.js';
import { canTransition } from '../notes/suggestion-status.js';

/**
 * The two state changes on the hot path of every email — the claim (queued → sending) and the
 * record of the server's acceptance (sending → sent, suggestion → sent) — each as ONE statement:
 * PostgreSQL runs a statement with data-modifying CTEs atomically, so each is still a transaction
 * with its audit entries, at one round trip instead of a dozen. They write exactly the rows that
 * writeAudit and transitionSuggestion would; the rare paths (suppression, failures) keep using those.
 */

interface Statement {
  /** Names the prepared statement on each pooled connection: parsed and planned once, not per email. */
  name: string;
  text: string;
}

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

const CLAIM = {
  name: 'rapport-claim-emails',
  text: `
    WITH target AS (
      SELECT d."id", d."messageId", s."id" AS "suggestionId", s."subject", s."body", s."editedSubject", s."editedBody", s."locale",
             c."id" AS "customerId", c."name" AS "customerName", c."email" AS "customerEmail",
             u."name" AS "assigneeName", u."email" AS "assigneeEmail",
             CASE WHEN c."optedOut" THEN 'opted out'
                  WHEN c."doNotContact" THEN 'do not contact'
                  WHEN coalesce(c."email", '') = '' THEN 'no email address' END AS "blockedBy"
      FROM "Delivery" d
      JOIN "Suggestion" s ON s."id" = d."suggestionId"
      JOIN "Customer" c ON c."id" = s."customerId"
      LEFT JOIN "User" u ON u."id" = s."assigneeId"
      WHERE d."id" = ANY($1::uuid[]) AND d."status" = 'queued' AND d."channel" = 'email'
      ORDER BY d."id"
      FOR UPDATE OF d
    ), claimed AS (
      UPDATE "Delivery" d
      SET "status" = 'sending', "claimedAt" = $2, "attempts" = d."attempts" + 1, "updatedAt" = $2
      FROM target t
      WHERE d."id" = t."id" AND t."blockedBy" IS NULL
      RETURNING d."id"
    ), audited AS (
      INSERT INTO "AuditEntry" ("actorType", "entityType", "entityId", "action", "fromStatus", "toStatus")
      SELECT 'system', 'delivery', "id"::text, 'delivery.sending', 'queued', 'sending' FROM claimed
    )
    SELECT * FROM target`,
};

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
export async function recordEmailsSent(sql: EmailSql, sends: readonly EmailSent[], now: Date): Promise<{ deliveryId: string; error: Error }[]> {
  if (!sends.length) return [];
  const rows = await sql.run<{ id: string; sent: boolean; suggestionStatus: string | null }>(RECORD_SENT, [
    sends.map((s) => s.deliveryId),
    sends.map((s) => s.suggestionId),
    sends.map((s) => s.response),
    sends.map((s) => s.messageId),
    SENT_FROM,
    now,
  ]);
  const bySend = new Map(rows.map((r) => [r.id, r]));
  return sends.flatMap(({ deliveryId, suggestionId }) => {
    const row = bySend.get(deliveryId);
    if (row?.sent) return [];
    if (!row?.suggestionStatus) return [{ deliveryId, error: new Error(`Delivery ${deliveryId} is no longer sending; its "sent" could not be recorded`) }];
    return [{ deliveryId, error: new AppError('RAPPORT_SUGGESTION_ILLEGAL_TRANSITION', `Suggestion ${suggestionId} is ${row.suggestionStatus}; it cannot become sent`) }];
  });
}

// $1 delivery ids, $2 their suggestion ids, $3 the server's replies, $4 the Message-IDs (one entry
// per send, in the same order), $5 statuses a suggestion may become sent from, $6 now.
const RECORD_SENT = {
  name: 'rapport-record-emails-sent',
  text: `
    WITH input AS (
      SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS i("deliveryId", "suggestionId", "response", "messageId")
    ), delivery_row AS (
      SELECT d."id" FROM "Delivery" d
      WHERE d."id" IN (SELECT "deliveryId" FROM input) AND d."status" = 'sending'
      ORDER BY d."id"
      FOR UPDATE
    ), suggestion_row AS (
      SELECT s."id", s."status"::text AS "status", i."deliveryId" FROM "Suggestion" s
      JOIN input i ON i."suggestionId" = s."id"
      WHERE i."deliveryId" IN (SELECT "id" FROM delivery_row)
      ORDER BY s."id"
      FOR UPDATE OF s
    ), suggestion_sent AS (
      UPDATE "Suggestion" s SET "status" = 'sent', "updatedAt" = $6
      FROM suggestion_row r
      WHERE s."id" = r."id" AND r."status" = ANY($5::text[])
      RETURNING r."deliveryId", s."id" AS "suggestionId", r."status" AS "fromStatus"
    ), delivery_sent AS (
      -- A delivery becomes sent only together with its suggestion: all or nothing per send.
      UPDATE "Delivery" d SET "status" = 'sent', "sentAt" = $6, "response" = i."response", "lastError" = NULL, "updatedAt" = $6
      FROM input i
      WHERE d."id" = i."deliveryId" AND i."deliveryId" IN (SELECT "deliveryId" FROM suggestion_sent)
      RETURNING d."id", i."response", i."messageId"
    ), audited AS (
      INSERT INTO "AuditEntry" ("actorType", "entityType", "entityId", "action", "fromStatus", "toStatus", "data")
      SELECT 'system', 'delivery', "id"::text, 'delivery.sent', 'sending', 'sent',
             jsonb_build_object('messageId', "messageId", 'response', "response")
      FROM delivery_sent
      UNION ALL
      SELECT 'system', 'suggestion', "suggestionId"::text, 'suggestion.sent', "fromStatus", 'sent', NULL
      FROM suggestion_sent
    )
    SELECT i."deliveryId" AS "id",
           EXISTS (SELECT 1 FROM delivery_sent x WHERE x."id" = i."deliveryId") AS "sent",
           (SELECT r."status" FROM suggestion_row r WHERE r."deliveryId" = i."deliveryId") AS "suggestionStatus"
    FROM input i`,
};

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

const RECIPIENT = {
  name: 'rapport-email-recipients',
  text: `
    SELECT d."id", c."email" FROM "Delivery" d
    JOIN "Suggestion" s ON s."id" = d."suggestionId"
    JOIN "Customer" c ON c."id" = s."customerId"
    WHERE d."id" = ANY($1::uuid[]) AND d."status" = 'queued' AND d."channel" = 'email'
    ORDER BY d."id"`,
};

/** The part after the last @, lower-cased; null for a missing or malformed address. */
export function emailDomain(address: string | null): string | null {
  const at = address?.lastIndexOf('@') ?? -1;
  const domain = at >= 0 ? address?.slice(at + 1).trim().toLowerCase() : '';
  return domain ? domain : null;
}

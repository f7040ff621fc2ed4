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
  const rows = await sql.run<EmailClaim>(CLAIM, [deliveryId, now]);
  return rows[0] ?? null;
}

const CLAIM = {
  name: 'rapport-claim-email',
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
      WHERE d."id" = $1::uuid AND d."status" = 'queued' AND d."channel" = 'email'
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

/**
 * Records that the SMTP server accepted the message: delivery sending → sent with the reply,
 * suggestion → sent (only from a status the lifecycle allows), and the audit entries of both.
 * All or nothing: if the delivery is no longer `sending` or the suggestion may not become `sent`,
 * nothing changes and this throws, as the transaction it replaces did.
 */
export async function recordEmailSent(
  sql: EmailSql,
  args: { deliveryId: string; suggestionId: string; messageId: string; response: string; now: Date },
): Promise<void> {
  const { deliveryId, suggestionId, messageId, response, now } = args;
  const rows = await sql.run<{ sent: boolean; suggestionStatus: string | null }>(RECORD_SENT, [deliveryId, suggestionId, SENT_FROM, now, response, messageId]);
  const result = rows[0];
  if (result?.sent) return;
  if (!result?.suggestionStatus) throw new Error(`Delivery ${deliveryId} is no longer sending; its "sent" could not be recorded`);
  throw new AppError('RAPPORT_SUGGESTION_ILLEGAL_TRANSITION', `Suggestion ${suggestionId} is ${result.suggestionStatus}; it cannot become sent`);
}

// $1 delivery id, $2 suggestion id, $3 statuses the suggestion may become sent from, $4 now,
// $5 the server's reply, $6 the Message-ID.
const RECORD_SENT = {
  name: 'rapport-record-email-sent',
  text: `
    WITH delivery_row AS (
      SELECT "id" FROM "Delivery" WHERE "id" = $1::uuid AND "status" = 'sending' FOR UPDATE
    ), suggestion_row AS (
      SELECT "id", "status"::text AS "status" FROM "Suggestion"
      WHERE "id" = $2::uuid AND EXISTS (SELECT 1 FROM delivery_row)
      FOR UPDATE
    ), suggestion_sent AS (
      UPDATE "Suggestion" s SET "status" = 'sent', "updatedAt" = $4
      FROM suggestion_row r
      WHERE s."id" = r."id" AND r."status" = ANY($3::text[])
      RETURNING r."status" AS "fromStatus"
    ), delivery_sent AS (
      UPDATE "Delivery" d SET "status" = 'sent', "sentAt" = $4, "response" = $5, "lastError" = NULL, "updatedAt" = $4
      FROM delivery_row r
      WHERE d."id" = r."id" AND EXISTS (SELECT 1 FROM suggestion_sent)
      RETURNING d."id"
    ), audited AS (
      INSERT INTO "AuditEntry" ("actorType", "entityType", "entityId", "action", "fromStatus", "toStatus", "data")
      SELECT 'system', 'delivery', $1::text, 'delivery.sent', 'sending', 'sent',
             jsonb_build_object('messageId', $6::text, 'response', $5::text)
      FROM delivery_sent
      UNION ALL
      SELECT 'system', 'suggestion', $2::text, 'suggestion.sent', "fromStatus", 'sent', NULL
      FROM suggestion_sent WHERE EXISTS (SELECT 1 FROM delivery_sent)
    )
    SELECT EXISTS (SELECT 1 FROM delivery_sent) AS "sent", (SELECT "status" FROM suggestion_row) AS "suggestionStatus"`,
};

/**
 * The recipient's domain of a queued email delivery ("gmail.com"), or null when the delivery is
 * not waiting to be sent or has no address. Read before the claim, to take a per-domain SMTP slot.
 */
export async function queuedRecipientDomain(sql: EmailSql, deliveryId: string): Promise<string | null> {
  const rows = await sql.run<{ email: string | null }>(RECIPIENT, [deliveryId]);
  return emailDomain(rows[0]?.email ?? null);
}

const RECIPIENT = {
  name: 'rapport-email-recipient',
  text: `
    SELECT c."email" FROM "Delivery" d
    JOIN "Suggestion" s ON s."id" = d."suggestionId"
    JOIN "Customer" c ON c."id" = s."customerId"
    WHERE d."id" = $1::uuid AND d."status" = 'queued' AND d."channel" = 'email'`,
};

/** The part after the last @, lower-cased; null for a missing or malformed address. */
export function emailDomain(address: string | null): string | null {
  const at = address?.lastIndexOf('@') ?? -1;
  const domain = at >= 0 ? address?.slice(at + 1).trim().toLowerCase() : '';
  return domain ? domain : null;
}

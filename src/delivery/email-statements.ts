/**
 * The SQL of the email hot path (see email-transitions.ts). The claim and the "sent" record are
 * written once, as CTE fragments, and put together three ways: each on its own, and both in one
 * statement, so that a batch's accepted sends ride along with its next claim.
 */

/**
 * Every statement here finds its deliveries by id and then checks their status, written
 * `"status"::text = …` so that the (status, scheduledFor) index cannot serve the check. A bulk
 * campaign queues thousands of deliveries faster than autovacuum re-reads the table's statistics;
 * trusting statistics that still said "hardly anything queued", the planner read that index, and
 * so every queued delivery, for each claim of eight: 1.04 ms a claim with 20,000 queued, 0.74 ms
 * with 3,000 in a table never analysed (as in the email benchmark), against 0.43–0.49 ms by
 * primary key, round trip included. By primary key the cost is that of the deliveries asked for
 * (test/integration/email-claim-plans.test.ts checks the plans).
 */

/** Names the prepared statement on each pooled connection: parsed and planned once, not per email. */
export interface Statement {
  name: string;
  text: string;
}

/**
 * The claim's CTEs, `ids` and `now` being its parameters: `target` (the queued deliveries with
 * everything their message is built from, rows locked in id order), `claimed` (queued → sending)
 * and its audit entries.
 */
const claimCtes = (ids: string, now: string) => `
    target AS (
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
      WHERE d."id" = ANY(${ids}::uuid[]) AND d."status"::text = 'queued' AND d."channel" = 'email'
      ORDER BY d."id"
      FOR UPDATE OF d
    ), claimed AS (
      UPDATE "Delivery" d
      SET "status" = 'sending', "claimedAt" = ${now}, "attempts" = d."attempts" + 1, "updatedAt" = ${now}
      FROM target t
      WHERE d."id" = t."id" AND t."blockedBy" IS NULL
      RETURNING d."id"
    ), claim_audited AS (
      INSERT INTO "AuditEntry" ("actorType", "entityType", "entityId", "action", "fromStatus", "toStatus")
      SELECT 'system', 'delivery', "id"::text, 'delivery.sending', 'queued', 'sending' FROM claimed
    )`;

/**
 * The "sent" record's CTEs. $1 delivery ids, $2 their suggestion ids, $3 the server's replies, $4
 * the Message-IDs (one entry per send, in the same order), $5 statuses a suggestion may become sent
 * from, $6 now. `input` lists the sends, and the data-modifying CTEs write what the transaction it
 * replaced wrote: delivery and suggestion → sent, all or nothing per send, with their audit entries.
 */
const recordCtes = `
    input AS (
      SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS i("deliveryId", "suggestionId", "response", "messageId")
    ), delivery_row AS (
      SELECT d."id" FROM "Delivery" d
      WHERE d."id" = ANY($1::uuid[]) AND d."status"::text = 'sending'
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
    ), sent_audited AS (
      INSERT INTO "AuditEntry" ("actorType", "entityType", "entityId", "action", "fromStatus", "toStatus", "data")
      SELECT 'system', 'delivery', "id"::text, 'delivery.sent', 'sending', 'sent',
             jsonb_build_object('messageId', "messageId", 'response', "response")
      FROM delivery_sent
      UNION ALL
      SELECT 'system', 'suggestion', "suggestionId"::text, 'suggestion.sent', "fromStatus", 'sent', NULL
      FROM suggestion_sent
    )`;

/** Per send: whether it was recorded, and otherwise the suggestion's status (null: the delivery was no longer sending). */
const recordResult = `
    SELECT i."deliveryId" AS "id",
           EXISTS (SELECT 1 FROM delivery_sent x WHERE x."id" = i."deliveryId") AS "sent",
           (SELECT r."status" FROM suggestion_row r WHERE r."deliveryId" = i."deliveryId") AS "suggestionStatus"
    FROM input i`;

/** $1 delivery ids, $2 now. */
export const CLAIM: Statement = {
  name: 'rapport-claim-emails',
  text: `WITH ${claimCtes('$1', '$2')}
    SELECT * FROM target`,
};

/** See recordCtes for the parameters. */
export const RECORD_SENT: Statement = {
  name: 'rapport-record-emails-sent',
  text: `WITH ${recordCtes}
    ${recordResult}`,
};

/**
 * Both in one statement, one transaction: the sends of recordCtes ($1–$6) are recorded and the
 * deliveries $7 claimed at $6. One row: `claims` (the claim's rows, as CLAIM returns them) and
 * `recorded` (RECORD_SENT's rows), each a JSON array, since the two have different columns.
 */
export const CLAIM_AND_RECORD_SENT: Statement = {
  name: 'rapport-claim-emails-record-sent',
  text: `WITH ${recordCtes}, ${claimCtes('$7', '$6')}, recorded AS (${recordResult})
    SELECT (SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY t."id"), '[]'::jsonb) FROM target t) AS "claims",
           (SELECT coalesce(jsonb_agg(to_jsonb(r)), '[]'::jsonb) FROM recorded r) AS "recorded"`,
};

/** $1 delivery ids: the queued email deliveries among them and their recipients' addresses. */
export const RECIPIENT: Statement = {
  name: 'rapport-email-recipients',
  text: `
    SELECT d."id", c."email" FROM "Delivery" d
    JOIN "Suggestion" s ON s."id" = d."suggestionId"
    JOIN "Customer" c ON c."id" = s."customerId"
    WHERE d."id" = ANY($1::uuid[]) AND d."status"::text = 'queued' AND d."channel" = 'email'
    ORDER BY d."id"`,
};

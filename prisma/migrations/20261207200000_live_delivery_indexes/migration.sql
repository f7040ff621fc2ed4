-- Two indexes of "Delivery" hold only the rows they are read for. Every query by status asks for
-- deliveries still to be sent ('queued', 'sending': the reconcilers, the claims, the print runs),
-- and every query by print run for print deliveries. Indexing every row made each email write an
-- entry into both on insert and on each of its two status changes, and the status index grew with
-- every delivery ever sent. Partial, an email's "sent" touches neither, its claim only the status
-- index, and the status index stays the size of the backlog. Measured: claiming and recording 2,000
-- deliveries among 20,000 sent wrote 1,840 bytes of WAL each instead of 2,058, and left the two
-- indexes at 6 and 1 pages instead of 24 and 23; the email benchmark's path wrote 3,396-3,451 bytes
-- per email instead of 3,610-3,641 (the Suggestion update and audit entries are the rest).

-- DropIndex
DROP INDEX "Delivery_status_scheduledFor_idx";

-- DropIndex
DROP INDEX "Delivery_printRunId_idx";

-- CreateIndex
CREATE INDEX "Delivery_status_scheduledFor_idx" ON "Delivery"("status", "scheduledFor") WHERE status IN ('queued', 'sending');

-- CreateIndex
CREATE INDEX "Delivery_printRunId_idx" ON "Delivery"("printRunId") WHERE "printRunId" IS NOT NULL;

-- AlterTable
ALTER TABLE "Account" ADD COLUMN     "customerSince" DATE,
ADD COLUMN     "renewalDate" DATE;

-- AlterTable
ALTER TABLE "Signal" ADD COLUMN     "evaluatedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Suggestion" ADD COLUMN     "notBefore" TIMESTAMPTZ(3),
ADD COLUMN     "signalId" UUID;

-- CreateIndex
CREATE INDEX "Signal_evaluatedAt_idx" ON "Signal"("evaluatedAt");

-- AddForeignKey
ALTER TABLE "Suggestion" ADD CONSTRAINT "Suggestion_signalId_fkey" FOREIGN KEY ("signalId") REFERENCES "Signal"("id") ON DELETE SET NULL ON UPDATE CASCADE;

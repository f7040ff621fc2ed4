-- AlterEnum
-- New values are only added here, never used in this migration: PostgreSQL does not let a
-- transaction use an enum value it added.
ALTER TYPE "GiftOrderStatus" ADD VALUE 'awaiting_confirmation' BEFORE 'pending';
ALTER TYPE "GiftOrderStatus" ADD VALUE 'packing' BEFORE 'ordered';
ALTER TYPE "GiftOrderStatus" ADD VALUE 'packed' BEFORE 'ordered';

-- AlterTable
ALTER TABLE "Gift" ADD COLUMN     "confirmAddress" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "GiftOrder" ADD COLUMN     "addressConfirmedAt" TIMESTAMPTZ(3),
ADD COLUMN     "confirmationSentAt" TIMESTAMPTZ(3),
ADD COLUMN     "packingPage" INTEGER,
ADD COLUMN     "packingRunId" UUID,
ADD COLUMN     "shipTo" JSONB,
ADD COLUMN     "shippedAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "GiftPackingRun" (
    "id" UUID NOT NULL,
    "status" "PrintRunStatus" NOT NULL DEFAULT 'rendering',
    "paper" TEXT NOT NULL,
    "orderCount" INTEGER NOT NULL DEFAULT 0,
    "requestedBy" TEXT,
    "leaseUntil" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMPTZ(3),

    CONSTRAINT "GiftPackingRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "GiftOrder_status_idx" ON "GiftOrder"("status");

-- CreateIndex
CREATE INDEX "GiftOrder_packingRunId_idx" ON "GiftOrder"("packingRunId");

-- AddForeignKey
ALTER TABLE "GiftOrder" ADD CONSTRAINT "GiftOrder_packingRunId_fkey" FOREIGN KEY ("packingRunId") REFERENCES "GiftPackingRun"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- CreateEnum
CREATE TYPE "PrintRunStatus" AS ENUM ('rendering', 'completed', 'abandoned');

-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "addressLines" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "city" TEXT,
ADD COLUMN     "postalCode" TEXT,
ADD COLUMN     "region" TEXT;

-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "firstPage" INTEGER,
ADD COLUMN     "lastPage" INTEGER,
ADD COLUMN     "printFile" TEXT,
ADD COLUMN     "printFormat" TEXT,
ADD COLUMN     "printRunId" UUID;

-- CreateTable
CREATE TABLE "PrintRun" (
    "id" UUID NOT NULL,
    "status" "PrintRunStatus" NOT NULL DEFAULT 'rendering',
    "formats" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "cardCount" INTEGER NOT NULL DEFAULT 0,
    "requestedBy" TEXT,
    "leaseUntil" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMPTZ(3),

    CONSTRAINT "PrintRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Delivery_printRunId_idx" ON "Delivery"("printRunId");

-- AddForeignKey
ALTER TABLE "Delivery" ADD CONSTRAINT "Delivery_printRunId_fkey" FOREIGN KEY ("printRunId") REFERENCES "PrintRun"("id") ON DELETE SET NULL ON UPDATE CASCADE;

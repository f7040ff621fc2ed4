-- CreateEnum
CREATE TYPE "GiftBudgetPeriod" AS ENUM ('month', 'quarter');

-- CreateEnum
CREATE TYPE "GiftOrderStatus" AS ENUM ('pending', 'ordered', 'shipped', 'delivered', 'failed', 'cancelled');

-- AlterTable
ALTER TABLE "Suggestion" ADD COLUMN     "giftCost" DECIMAL(12,2),
ADD COLUMN     "giftCurrency" TEXT,
ADD COLUMN     "giftSku" TEXT;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "team" TEXT;

-- CreateTable
CREATE TABLE "Gift" (
    "id" UUID NOT NULL,
    "sku" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "cost" DECIMAL(12,2) NOT NULL,
    "currency" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Gift_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GiftBudget" (
    "id" UUID NOT NULL,
    "userId" UUID,
    "team" TEXT,
    "period" "GiftBudgetPeriod" NOT NULL,
    "amount" DECIMAL(12,2) NOT NULL,
    "currency" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "GiftBudget_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GiftOrder" (
    "id" UUID NOT NULL,
    "suggestionId" UUID NOT NULL,
    "sku" TEXT NOT NULL,
    "cost" DECIMAL(12,2) NOT NULL,
    "currency" TEXT NOT NULL,
    "status" "GiftOrderStatus" NOT NULL DEFAULT 'pending',
    "partnerOrderId" TEXT,
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "GiftOrder_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Gift_sku_key" ON "Gift"("sku");

-- CreateIndex
CREATE UNIQUE INDEX "GiftBudget_userId_period_key" ON "GiftBudget"("userId", "period");

-- CreateIndex
CREATE UNIQUE INDEX "GiftBudget_team_period_key" ON "GiftBudget"("team", "period");

-- CreateIndex
CREATE UNIQUE INDEX "GiftOrder_suggestionId_key" ON "GiftOrder"("suggestionId");

-- AddForeignKey
ALTER TABLE "GiftBudget" ADD CONSTRAINT "GiftBudget_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GiftOrder" ADD CONSTRAINT "GiftOrder_suggestionId_fkey" FOREIGN KEY ("suggestionId") REFERENCES "Suggestion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

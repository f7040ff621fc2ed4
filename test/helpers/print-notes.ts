import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { SYSTEM } from '../../src/audit/audit-log.js';
import { upsertCustomer } from '../../src/customers/upsert-customer.js';
import { CustomerInput } from '../../src/customers/customer-input.js';
import { approveSuggestion } from '../../src/notes/decide-suggestion.js';

let n = 0;

/** Customers with postal addresses in three scripts (and two who must not get a card). */
export const PRINT_CUSTOMERS = [
  { externalId: 'print-th', name: 'สมชาย ใจดี', email: 'somchai@example.th', locale: 'th', country: 'TH', addressLines: ['99/1 ถนนสุขุมวิท'], postalCode: '10110', city: 'กรุงเทพมหานคร' },
  { externalId: 'print-vi', name: 'Trần Thị Lan', email: 'lan@example.vn', locale: 'vi', country: 'VN', addressLines: ['12 Đường Lê Lợi'], postalCode: '700000', city: 'Thành phố Hồ Chí Minh' },
  { externalId: 'print-fa', name: 'مریم احمدی', email: 'maryam@example.ir', locale: 'fa', country: 'IR', addressLines: ['خیابان ولیعصر، پلاک ۱۲'], postalCode: '1581734911', city: 'تهران' },
  { externalId: 'print-us', name: 'Jane Doe', email: 'jane@example.com', locale: 'en', country: 'US', addressLines: ['1 Main St'], postalCode: '62701', city: 'Springfield', region: 'IL' },
  { externalId: 'print-optout', name: 'Otto Out', locale: 'en', country: 'DE', addressLines: ['Hauptstraße 1'], postalCode: '10115', city: 'Berlin', optedOut: true },
  { externalId: 'print-noaddr', name: 'Nora Nowhere', locale: 'en' },
] as const;

export async function seedPrintCustomers(prisma: PrismaClient): Promise<void> {
  for (const c of PRINT_CUSTOMERS) await upsertCustomer(prisma, CustomerInput.parse(c), SYSTEM);
}

/**
 * An approved print note with a queued delivery. The suggestion is written directly (the trigger
 * engine is tested elsewhere); approval goes through the real state machine and scheduleDelivery.
 */
export async function approvedPrintNote(
  prisma: PrismaClient,
  args: { externalId: string; body: string; subject?: string; format?: string },
): Promise<{ deliveryId: string; suggestionId: string }> {
  const customer = await prisma.customer.findUniqueOrThrow({ where: { externalId: args.externalId } });
  const trigger = await prisma.trigger.findFirstOrThrow({ include: { versions: true } });
  const suggestion = await prisma.suggestion.create({
    data: {
      dedupeKey: `print-test:${++n}:${Date.now()}`,
      customerId: customer.id,
      triggerId: trigger.id,
      triggerVersionId: trigger.versions[0]!.id,
      status: 'pending_approval',
      channel: 'print',
      templateKey: 'thank-you',
      locale: customer.locale,
      subject: args.subject ?? `Card ${n}`,
      body: args.body,
    },
  });
  const { delivery } = await approveSuggestion(prisma, { id: suggestion.id, actor: SYSTEM, now: new Date(Date.now() - 1_000) });
  if (args.format) await prisma.delivery.update({ where: { id: delivery.id }, data: { printFormat: args.format } });
  return { deliveryId: delivery.id, suggestionId: suggestion.id };
}

import type { PrismaClient } from '../generated/prisma/client.js';
import { SYSTEM } from '../audit/audit-log.js';
import { createApiToken } from '../auth/api-tokens.js';
import { hashPassword } from '../auth/passwords.js';
import { upsertCustomer } from '../customers/upsert-customer.js';
import { CustomerInput } from '../customers/customer-input.js';
import { saveTrigger } from '../triggers/trigger-store.js';

export const DEMO_USERS = [
  { email: 'admin@rapport.example', name: 'Ada Admin', role: 'admin', timeZone: 'Europe/Berlin' },
  { email: 'marketing@rapport.example', name: 'Mara Marketing', role: 'marketing', timeZone: 'Europe/Berlin' },
  { email: 'mai.nguyen@rapport.example', name: 'Mai Nguyen', role: 'account_manager', timeZone: 'Asia/Ho_Chi_Minh' },
  { email: 'tom.baker@rapport.example', name: 'Tom Baker', role: 'account_manager', timeZone: 'America/New_York' },
] as const;

/** Every demo user signs in to the web app with this password (printed by `rapport seed --demo`). */
export const DEMO_PASSWORD = 'rapport-demo';

/** The trigger of the walking skeleton: a purchase suggests a thank-you email, approval required. */
export const THANK_YOU_TRIGGER = {
  key: 'thank-you-on-purchase',
  definition: {
    name: 'Thank you after a purchase',
    source: { type: 'event', eventType: 'purchase' },
    action: { template: 'thank-you', channel: 'email', approval: 'required' },
    policies: { priority: 10 },
  },
};

const DEMO_CUSTOMERS = [
  { externalId: 'cust-1001', name: 'Jane Doe', email: 'jane.doe@acme.example', locale: 'en', timeZone: 'America/New_York', owner: 'tom.baker@rapport.example', account: { externalId: 'acct-acme', name: 'Acme Corp', domain: 'acme.example' } },
  { externalId: 'cust-1002', name: 'Trần Thị Lan', firstName: 'Lan', email: 'lan.tran@saigonsteel.example', locale: 'vi', timeZone: 'Asia/Ho_Chi_Minh', owner: 'mai.nguyen@rapport.example', account: { externalId: 'acct-saigon-steel', name: 'Saigon Steel', domain: 'saigonsteel.example' } },
];

/**
 * Idempotent demo data: re-running it updates rather than duplicates, except the API token, which
 * is new every time (a secret is shown only once).
 */
export async function seedDemo(prisma: PrismaClient): Promise<{ token: string; password: string }> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const u of DEMO_USERS) {
    await prisma.user.upsert({ where: { email: u.email }, create: { ...u, passwordHash }, update: { name: u.name, role: u.role, timeZone: u.timeZone } });
    // A password someone changed since the last seed is kept.
    await prisma.user.updateMany({ where: { email: u.email, passwordHash: null }, data: { passwordHash } });
  }
  await saveTrigger(prisma, { ...THANK_YOU_TRIGGER, actor: SYSTEM });
  for (const c of DEMO_CUSTOMERS) await upsertCustomer(prisma, CustomerInput.parse(c), SYSTEM);
  const admin = await prisma.user.findUniqueOrThrow({ where: { email: DEMO_USERS[0].email } });
  const { secret } = await createApiToken(prisma, { name: 'demo', userId: admin.id });
  return { token: secret, password: DEMO_PASSWORD };
}

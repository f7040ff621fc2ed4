import { z } from 'zod';
import type { PrismaClient, User } from '../generated/prisma/client.js';
import { writeAudit, type Actor } from '../audit/audit-log.js';
import { TimeZone } from '../customers/customer-input.js';
import { AppError } from '../errors.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { endSessionsOf } from './sessions.js';

export const UserInput = z.strictObject({
  email: z.string().trim().toLowerCase().email('expected an email address'),
  name: z.string().trim().min(1, 'the name cannot be empty').max(200),
  role: z.enum(['admin', 'marketing', 'account_manager'], { error: 'expected admin, marketing or account_manager' }),
  timeZone: TimeZone.default('UTC'),
});
export type UserInput = z.infer<typeof UserInput>;

function checkPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new AppError('RAPPORT_VALIDATION', `password: ${problem}`, { field: 'password' });
}

/** Creates a user who can sign in to the web app with this password. */
export async function createUser(prisma: PrismaClient, input: UserInput, password: string, actor: Actor): Promise<User> {
  checkPassword(password);
  const passwordHash = await hashPassword(password);
  return prisma.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email: input.email } })) {
      throw new AppError('RAPPORT_CONFLICT', `A user with email ${input.email} exists`, { field: 'email' });
    }
    const user = await tx.user.create({ data: { ...input, passwordHash } });
    await writeAudit(tx, { actor, entityType: 'user', entityId: user.id, action: 'user.created', data: { email: user.email, role: user.role } });
    return user;
  });
}

/** Sets a new password and signs the user out everywhere. */
export async function setPassword(prisma: PrismaClient, email: string, password: string, actor: Actor): Promise<User> {
  checkPassword(password);
  const passwordHash = await hashPassword(password);
  const user = await prisma.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email: email.trim().toLowerCase() } });
    if (!existing) throw new AppError('RAPPORT_NOT_FOUND', `No user with email ${email}`, { field: 'email' });
    const updated = await tx.user.update({ where: { id: existing.id }, data: { passwordHash } });
    await writeAudit(tx, { actor, entityType: 'user', entityId: updated.id, action: 'user.password_set' });
    return updated;
  });
  await endSessionsOf(prisma, user.id);
  return user;
}

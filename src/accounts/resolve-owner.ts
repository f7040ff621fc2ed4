import type { Tx } from '../infra/database.js';
import { AppError } from '../errors.js';

/** The user id for an owner given by email (customers and accounts name owners that way). */
export async function resolveOwnerId(tx: Tx, email: string | undefined): Promise<string | undefined> {
  if (!email) return undefined;
  const owner = await tx.user.findUnique({ where: { email }, select: { id: true } });
  if (!owner) throw new AppError('RAPPORT_OWNER_NOT_FOUND', `No Rapport user with email ${email}`, { field: 'owner' });
  return owner.id;
}

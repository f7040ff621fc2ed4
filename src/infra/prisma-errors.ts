/** True for PostgreSQL unique violations as surfaced by Prisma (P2002) or the raw driver (23505). */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; cause?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } };
  return e.code === 'P2002' || e.code === '23505' || (e.cause !== undefined && isUniqueViolation(e.cause));
}

/**
 * Runs `attempt` and, when it loses a race on a unique key (two writers creating the same row),
 * once more: the second run finds the winner's row and updates it instead of failing.
 */
export async function retryOnUniqueViolation<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return attempt();
  }
}

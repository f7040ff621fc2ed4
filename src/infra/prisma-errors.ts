/** True for PostgreSQL unique violations as surfaced by Prisma (P2002) or the raw driver (23505). */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; cause?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } };
  return e.code === 'P2002' || e.code === '23505' || (e.cause !== undefined && isUniqueViolation(e.cause));
}

/**
 * Walks a table in id order, one page at a time (keyset pagination: never loads everything, and
 * rows inserted meanwhile are not skipped or repeated).
 */
export async function forEachPage<T extends { id: string }>(
  fetchPage: (cursor: string | undefined, take: number) => Promise<T[]>,
  handle: (page: T[]) => Promise<void>,
  pageSize = 500,
): Promise<void> {
  for (let cursor: string | undefined; ; ) {
    const page = await fetchPage(cursor, pageSize);
    if (page.length) await handle(page);
    if (page.length < pageSize) return;
    cursor = page.at(-1)?.id;
  }
}

import { z } from 'zod';

/** What a shape union's selector decides: the one schema to parse with, or why none fits. */
export type ShapeChoice<T> = z.ZodType<T> | { error: string; path?: PropertyKey[] };

/**
 * A union whose branch is chosen up front from the input's shape (its JSON type, which keys it
 * has, the value of `type` or `op`), then parsed by that branch alone.
 *
 * Why not z.union: when no branch matches, z.union reports every branch's failures under one
 * "Invalid input" at the parent, so a typo deep in a condition tree reads as "the whole
 * conditions object is wrong". Choosing first means `conditions.all.0.op: expected one of …`.
 */
export function shapeUnion<T>(select: (input: unknown) => ShapeChoice<T>): z.ZodType<T, unknown> {
  return z.unknown().transform((input, ctx): T => {
    const choice: ShapeChoice<T> = input === undefined ? { error: 'required' } : select(input);
    if (!(choice instanceof z.ZodType)) {
      ctx.issues.push({ code: 'custom', message: choice.error, input, path: choice.path ?? [] });
      return z.NEVER;
    }
    const result = choice.safeParse(input);
    if (result.success) return result.data;
    // Issue paths are relative here; zod prefixes them with this value's own path as they bubble up.
    ctx.issues.push(...result.error.issues.map((issue) => ({ ...issue, input: undefined })));
    return z.NEVER;
  });
}

export function isRecord(input: unknown): input is Readonly<Record<string, unknown>> {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

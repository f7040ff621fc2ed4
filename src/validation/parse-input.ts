import type { z } from 'zod';
import { AppError, type ErrorDetail } from '../errors.js';

/** Turns zod issues into `{ field: "data.total", message }` pairs; the root is named `(body)`. */
export function issuesOf(error: z.ZodError, prefix = ''): ErrorDetail[] {
  return error.issues.map((issue) => {
    const dotted = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replaceAll('.[', '[');
    const field = [prefix, dotted].filter(Boolean).join('.') || '(body)';
    return { field, message: issue.message };
  });
}

/** Validates input against a schema or throws RAPPORT_VALIDATION naming every offending field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = issuesOf(result.error, prefix);
  const first = issues[0];
  throw new AppError('RAPPORT_VALIDATION', first ? `${first.field}: ${first.message}` : undefined, { issues });
}

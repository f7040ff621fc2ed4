import { z } from 'zod';
import { isRecord, shapeUnion } from './shape-union.js';
import { expected } from './validation-issues.js';

// Conditions are data, never code: a small tree of all/any/not over field comparisons, so
// marketing can write them as JSON and nothing user-supplied is ever evaluated.

/** Segments that would reach an object's prototype chain if a path walker were careless. */
export const FORBIDDEN_PATH_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

export const FACT_ROOTS = ['customer', 'account', 'event'] as const;
export type FactRoot = (typeof FACT_ROOTS)[number];

export const FieldPath = z
  .string({ error: expected('a field path') })
  .regex(/^(customer|account|event)(\.[A-Za-z_][A-Za-z0-9_]*)+$/, {
    error: 'expected a path like customer.tier, account.country or event.data.total',
  })
  .refine((path) => !path.split('.').some((segment) => FORBIDDEN_PATH_SEGMENTS.has(segment)), {
    error: 'path segments __proto__, prototype and constructor are not allowed',
  });
export type FieldPath = z.infer<typeof FieldPath>;

export type Scalar = string | number | boolean | null;
const isScalar = (value: unknown): value is Scalar =>
  value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));

export const Scalar = z.custom<Scalar>(isScalar, { error: expected('a string, number, boolean or null') });
export const Orderable = z.custom<string | number>(
  (value) => typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)),
  { error: expected('a number or a string (ISO dates compare as dates)') },
);
export type Orderable = z.infer<typeof Orderable>;
const Needle = z.custom<string | number | boolean>((value) => value !== null && isScalar(value), {
  error: expected('a string, number or boolean'),
});

export const EQUALITY_OPS = ['eq', 'ne'] as const;
export const ORDER_OPS = ['gt', 'gte', 'lt', 'lte'] as const;
export const SET_OPS = ['in', 'nin'] as const;
export const COMPARISON_OPS = [...EQUALITY_OPS, ...ORDER_OPS, ...SET_OPS, 'exists', 'contains'] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

export const EqualityComparison = z.strictObject({ field: FieldPath, op: z.enum(EQUALITY_OPS), value: Scalar });
export type EqualityComparison = z.infer<typeof EqualityComparison>;

export const OrderComparison = z.strictObject({ field: FieldPath, op: z.enum(ORDER_OPS), value: Orderable });
export type OrderComparison = z.infer<typeof OrderComparison>;

export const SetComparison = z.strictObject({ field: FieldPath, op: z.enum(SET_OPS), value: z.array(Scalar).min(1) });
export type SetComparison = z.infer<typeof SetComparison>;

/** `value: false` asks for the field to be absent (missing or null). */
export const ExistsComparison = z.strictObject({ field: FieldPath, op: z.literal('exists'), value: z.boolean().optional() });
export type ExistsComparison = z.infer<typeof ExistsComparison>;

export const ContainsComparison = z.strictObject({ field: FieldPath, op: z.literal('contains'), value: Needle });
export type ContainsComparison = z.infer<typeof ContainsComparison>;

export type Comparison = EqualityComparison | OrderComparison | SetComparison | ExistsComparison | ContainsComparison;

export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | Comparison;

// z.lazy: these refer to Condition, which is defined below in terms of them.
const lazyCondition = z.lazy(() => Condition);
const AllCondition = z.strictObject({ all: z.array(lazyCondition).min(1) });
const AnyCondition = z.strictObject({ any: z.array(lazyCondition).min(1) });
const NotCondition = z.strictObject({ not: lazyCondition });

const COMBINATOR_KEYS = ['all', 'any', 'not', 'field'] as const;
const comparisonSchemaFor = (op: unknown): z.ZodType<Comparison> | undefined => {
  if ((EQUALITY_OPS as readonly unknown[]).includes(op)) return EqualityComparison;
  if ((ORDER_OPS as readonly unknown[]).includes(op)) return OrderComparison;
  if ((SET_OPS as readonly unknown[]).includes(op)) return SetComparison;
  if (op === 'exists') return ExistsComparison;
  if (op === 'contains') return ContainsComparison;
  return undefined;
};

export const Condition: z.ZodType<Condition, unknown> = shapeUnion<Condition>((input) => {
  if (!isRecord(input)) {
    return { error: 'expected a condition object: {all: [...]}, {any: [...]}, {not: {...}} or {field, op, value}' };
  }
  const keys = COMBINATOR_KEYS.filter((key) => Object.hasOwn(input, key));
  if (keys.length !== 1) {
    return {
      error:
        keys.length === 0
          ? 'expected one of the keys all, any, not or field'
          : `expected exactly one of all, any, not or field, got ${keys.join(' and ')}`,
    };
  }
  switch (keys[0]) {
    case 'all':
      return AllCondition;
    case 'any':
      return AnyCondition;
    case 'not':
      return NotCondition;
    default: {
      const schema = comparisonSchemaFor(input['op']);
      return schema ?? { error: `expected one of ${COMPARISON_OPS.join(', ')}`, path: ['op'] };
    }
  }
});

/** Every comparison in a condition tree, with its path from the tree's root, for cross-checks. */
export function* comparisonsIn(
  condition: Condition,
  path: PropertyKey[] = [],
): Generator<{ comparison: Comparison; path: PropertyKey[]; depth: number }> {
  yield* walk(condition, path, 1);
}

function* walk(
  condition: Condition,
  path: PropertyKey[],
  depth: number,
): Generator<{ comparison: Comparison; path: PropertyKey[]; depth: number }> {
  if ('all' in condition) {
    for (const [index, child] of condition.all.entries()) yield* walk(child, [...path, 'all', index], depth + 1);
  } else if ('any' in condition) {
    for (const [index, child] of condition.any.entries()) yield* walk(child, [...path, 'any', index], depth + 1);
  } else if ('not' in condition) {
    yield* walk(condition.not, [...path, 'not'], depth + 1);
  } else {
    yield { comparison: condition, path, depth };
  }
}

import { FORBIDDEN_PATH_SEGMENTS, type Comparison, type Condition, type OrderComparison, type Scalar } from './condition-schema.js';

// Evaluates validated condition trees against plain facts. Comparisons are type-safe: nothing is
// coerced ("10" is not 10), so a condition never matches by accident of JSON typing.
//
// Missing values: a path that does not exist and a value that is null (a NULL column) are both
// "missing". Ordered comparisons, eq, in and contains are false on a missing value; their
// negations ne and nin are true (the customer is not gold if they have no tier at all).

export type FactValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | Date
  | readonly FactValue[]
  | { readonly [key: string]: FactValue };
export type FactObject = { readonly [key: string]: FactValue };

/** What conditions see: plain data, typically built from the customer's row and the event. */
export type Facts = { customer: FactObject; account?: FactObject | null; event?: FactObject | null };

type Lookup = { found: true; value: FactValue } | { found: false };

function isFactObject(value: FactValue): value is FactObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Walks own properties only, so no path can reach Object.prototype whatever the facts hold. */
export function lookupFact(facts: Facts, path: string): Lookup {
  let current: FactValue = facts;
  for (const segment of path.split('.')) {
    if (FORBIDDEN_PATH_SEGMENTS.has(segment) || !isFactObject(current) || !Object.hasOwn(current, segment)) {
      return { found: false };
    }
    current = current[segment];
  }
  return current === null || current === undefined ? { found: false } : { found: true, value: current };
}

/** The value as a JSON scalar (a Date becomes its ISO string); undefined for lists and objects. */
function toScalar(value: FactValue): Scalar | undefined {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value) || isFactObject(value)) return undefined;
  return value as Scalar;
}

// ISO 8601 date or date-time; both sides must look like this to be compared as instants.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function asInstant(value: string): number | undefined {
  if (!ISO_DATE.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** -1, 0 or 1 when both values are of one comparable kind, undefined when they are not. */
function compareScalars(actual: Scalar, expected: Scalar): number | undefined {
  if (typeof actual === 'number' && typeof expected === 'number') return Math.sign(actual - expected);
  if (typeof actual === 'string' && typeof expected === 'string') {
    const a = asInstant(actual);
    const b = asInstant(expected);
    if (a !== undefined && b !== undefined) return Math.sign(a - b);
    // Code-point order: the same on every machine, unlike localeCompare.
    return actual < expected ? -1 : actual > expected ? 1 : 0;
  }
  if (typeof actual === 'boolean' && typeof expected === 'boolean') return actual === expected ? 0 : undefined;
  return undefined;
}

/** Equality without coercion; `null` expected means "missing". A list never equals a scalar. */
function equals(actual: FactValue, expected: Scalar): boolean {
  const scalar = toScalar(actual);
  if (scalar === undefined) return false;
  if (expected === null || scalar === null) return scalar === expected;
  return compareScalars(scalar, expected) === 0;
}

function compareOrder(actual: FactValue, comparison: OrderComparison): boolean {
  const scalar = toScalar(actual);
  const order = scalar === undefined || scalar === null ? undefined : compareScalars(scalar, comparison.value);
  if (order === undefined) return false;
  const satisfied = { gt: order > 0, gte: order >= 0, lt: order < 0, lte: order <= 0 } as const;
  return satisfied[comparison.op];
}

export function evaluateComparison(comparison: Comparison, facts: Facts): boolean {
  const lookup = lookupFact(facts, comparison.field);
  const actual = lookup.found ? lookup.value : null;
  switch (comparison.op) {
    case 'exists':
      return lookup.found === (comparison.value ?? true);
    case 'eq':
      return equals(actual, comparison.value);
    case 'ne':
      return !equals(actual, comparison.value);
    case 'in':
    case 'nin': {
      // A list fact is "in" the values when any of its elements is: tags in ["vip", "press"].
      // A null among the values matches a missing field, as `eq null` does.
      const candidates: readonly FactValue[] = Array.isArray(actual) ? actual : [actual];
      const hit = candidates.some((candidate) => comparison.value.some((value) => equals(candidate, value)));
      return comparison.op === 'in' ? hit : !hit;
    }
    case 'contains':
      if (Array.isArray(actual)) return actual.some((element: FactValue) => equals(element, comparison.value));
      // Substring match is case-sensitive, like every other string comparison here.
      return typeof actual === 'string' && typeof comparison.value === 'string' && actual.includes(comparison.value);
    default:
      return compareOrder(actual, comparison);
  }
}

/** Whether the facts satisfy the condition. Never throws on missing or oddly typed facts. */
export function evaluateCondition(condition: Condition, facts: Facts): boolean {
  if ('all' in condition) return condition.all.every((child) => evaluateCondition(child, facts));
  if ('any' in condition) return condition.any.some((child) => evaluateCondition(child, facts));
  if ('not' in condition) return !evaluateCondition(condition.not, facts);
  return evaluateComparison(condition, facts);
}

function describeValue(value: FactValue): string {
  if (value === undefined || value === null) return 'missing';
  const text = JSON.stringify(value instanceof Date ? value.toISOString() : value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** One line a marketer can read: `customer.tier eq "gold"`, `all of (...)`. */
export function describeCondition(condition: Condition): string {
  if ('all' in condition) return `all of (${condition.all.map(describeCondition).join('; ')})`;
  if ('any' in condition) return `any of (${condition.any.map(describeCondition).join('; ')})`;
  if ('not' in condition) return `not (${describeCondition(condition.not)})`;
  if (condition.op === 'exists') return condition.value === false ? `${condition.field} is absent` : `${condition.field} exists`;
  return `${condition.field} ${condition.op} ${JSON.stringify(condition.value)}`;
}

export type ConditionExplanation = { matched: boolean; failed: string[] };

/**
 * Evaluates like evaluateCondition, and says why it failed — for dry-run previews that show why
 * a customer was excluded: `customer.tier eq "gold" (was "silver")`. Every branch of an `all`
 * is checked, so one preview lists every unmet requirement rather than the first.
 */
export function explainCondition(condition: Condition, facts: Facts): ConditionExplanation {
  if ('all' in condition) {
    const failed = condition.all.flatMap((child) => explainCondition(child, facts).failed);
    return { matched: failed.length === 0, failed };
  }
  if ('any' in condition) {
    const results = condition.any.map((child) => explainCondition(child, facts));
    if (results.some((result) => result.matched)) return { matched: true, failed: [] };
    return { matched: false, failed: [`none of: ${results.flatMap((result) => result.failed).join('; ')}`] };
  }
  if ('not' in condition) {
    if (!evaluateCondition(condition.not, facts)) return { matched: true, failed: [] };
    return { matched: false, failed: [`${describeCondition(condition)} (it matched)`] };
  }
  if (evaluateComparison(condition, facts)) return { matched: true, failed: [] };
  const lookup = lookupFact(facts, condition.field);
  return { matched: false, failed: [`${describeCondition(condition)} (was ${describeValue(lookup.found ? lookup.value : null)})`] };
}

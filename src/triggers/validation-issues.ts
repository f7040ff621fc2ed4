import type { z } from 'zod';

/** One problem in a submitted document: `field` is a dotted path ('' for the document itself). */
export type FieldIssue = { field: string; message: string };

function joinPath(path: readonly PropertyKey[]): string {
  return path.map((segment) => String(segment)).join('.');
}

function describeBound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, relation: 'least' | 'most'): string {
  const bound = 'minimum' in issue ? issue.minimum : issue.maximum;
  const value = String(bound);
  switch (issue.origin) {
    case 'string':
      return relation === 'least' && bound === 1 ? 'must not be empty' : `must have at ${relation} ${value} characters`;
    case 'array':
    case 'set':
      return `must have at ${relation} ${value} item${bound === 1 ? '' : 's'}`;
    default: {
      const symbol = relation === 'least' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      return `must be ${symbol} ${value}`;
    }
  }
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
};

/**
 * A schema-level error message that still says "required" when the key is missing, e.g.
 * `z.string({ error: expected('a template key') })`.
 */
export function expected(what: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? 'required' : `expected ${what}`);
}

function messageFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      // Only rewrite zod's own wording; a schema's custom message already says what it means.
      if (!issue.message.startsWith('Invalid input')) return issue.message;
      // Zod reports a missing key as a value of the wrong type; say what a person would.
      if (/received undefined$/.test(issue.message)) return 'required';
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'too_small':
      return describeBound(issue, 'least');
    case 'too_big':
      return describeBound(issue, 'most');
    default:
      return issue.message;
  }
}

/**
 * Flattens a ZodError into `{ field, message }` pairs for the API and the CLI, e.g.
 * `{ field: 'policies.sendWindow.start', message: 'expected HH:MM' }`. Each unknown key is
 * reported at its own path, so a typo such as `cooldownDay` points at itself.
 */
export function formatZodIssues(error: z.ZodError): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push({ field: joinPath([...issue.path, key]), message: 'unknown field' });
      continue;
    }
    issues.push({ field: joinPath(issue.path), message: messageFor(issue) });
  }
  return issues;
}

/** 'policies.sendWindow.start: expected HH:MM' — one line per issue, for logs and the CLI. */
export function formatFieldIssues(issues: readonly FieldIssue[]): string {
  return issues.map(({ field, message }) => (field === '' ? message : `${field}: ${message}`)).join('\n');
}

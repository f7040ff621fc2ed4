import type { z } from 'zod';

/**
 * Turns zod issues into lines a person can act on, naming where the problem is:
 * `accounts.json[3].contacts[0].name: required`. `input` is the value that was parsed, used to
 * say "required" instead of zod's "expected string, received undefined".
 */
export function describeIssues(source: string, issues: readonly z.core.$ZodIssue[], input: unknown): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${locate(source, formatPath(issue.path))}: ${issueMessage(issue, input)}`)
    .concat(issues.length > 5 ? [`… and ${issues.length - 5} more`] : [])
    .join('\n');
}

// "accounts.json[3].name" reads naturally for an array file; "en.json: kinds.award[2]" for an object file.
function locate(source: string, path: string): string {
  if (path === '') return source;
  return path.startsWith('[') ? `${source}${path}` : `${source}: ${path}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}

function issueMessage(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) return 'required';
  return issue.message;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

import type { ErrorDetail } from '../errors.js';
import { issuesOf } from '../validation/parse-input.js';
import { CustomerInput } from './customer-input.js';

/**
 * The columns `rapport import customers` understands: the API's field names, with the nested
 * account flattened to account* columns. Lists (`tags`, `aliases`) are `;`-separated, address lines
 * one per line of a quoted cell (as typed in a spreadsheet); booleans are true/false, yes/no or
 * 1/0; an empty cell means "not given" (the stored value is kept).
 */
export const CUSTOMER_CSV_COLUMNS = [
  'externalId', 'name', 'firstName', 'email', 'locale', 'timeZone', 'owner',
  'accountExternalId', 'accountName', 'accountDomain', 'title', 'aliases', 'tier', 'tags', 'country',
  'birthday', 'customerSince', 'renewalDate', 'lifetimeValue', 'optedOut', 'doNotContact',
  'addressLines', 'postalCode', 'city', 'region',
] as const;
export type CustomerCsvColumn = (typeof CUSTOMER_CSV_COLUMNS)[number];

const REQUIRED_COLUMNS: readonly CustomerCsvColumn[] = ['externalId', 'name'];
const LIST_COLUMNS = new Set<string>(['tags', 'aliases']);
const BOOLEAN_COLUMNS = new Set<string>(['optedOut', 'doNotContact']);
const ACCOUNT_COLUMNS: Record<string, string> = { accountExternalId: 'externalId', accountName: 'name', accountDomain: 'domain' };

/** What is wrong with a header row, or null when it can be imported. */
export function headerProblem(header: readonly string[]): string | null {
  const known = new Set<string>(CUSTOMER_CSV_COLUMNS);
  const unknown = header.filter((h) => !known.has(h));
  if (unknown.length) {
    return `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')} in the header; the columns are: ${CUSTOMER_CSV_COLUMNS.join(',')}`;
  }
  const twice = header.filter((h, i) => header.indexOf(h) !== i);
  if (twice.length) return `column "${twice[0]}" appears twice in the header`;
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) return `the header needs the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`;
  return null;
}

/**
 * One data row as a validated CustomerInput, or every problem with it, named by CSV column (an
 * account's name is reported as `accountName`, not `account.name`).
 */
export function customerFromCsvRow(header: readonly string[], cells: readonly string[]): { input: CustomerInput } | { issues: ErrorDetail[] } {
  if (cells.length !== header.length) {
    return { issues: [{ field: '(row)', message: `has ${cells.length} fields but the header has ${header.length}; check for an unquoted comma` }] };
  }
  const issues: ErrorDetail[] = [];
  const fields: Record<string, unknown> = {};
  const account: Record<string, string> = {};
  header.forEach((column, i) => {
    const cell = (cells[i] ?? '').trim();
    if (cell === '') return;
    if (column in ACCOUNT_COLUMNS) account[ACCOUNT_COLUMNS[column] as string] = cell;
    else if (LIST_COLUMNS.has(column)) fields[column] = cell.split(';').map((t) => t.trim()).filter(Boolean);
    else if (column === 'addressLines') fields[column] = cell.split('\n').map((l) => l.trim()).filter(Boolean);
    else if (BOOLEAN_COLUMNS.has(column)) {
      const value = parseBoolean(cell);
      if (value === undefined) issues.push({ field: column, message: `expected true/false, yes/no or 1/0, got "${cell}"` });
      else fields[column] = value;
    } else if (column === 'lifetimeValue') {
      if (/^-?\d+(\.\d+)?$/.test(cell)) fields[column] = Number(cell);
      else issues.push({ field: column, message: `expected a number such as 1250.50, got "${cell}"` });
    } else fields[column] = cell;
  });
  if (Object.keys(account).length > 0) {
    if (account['externalId'] === undefined) issues.push({ field: 'accountExternalId', message: 'required when accountName or accountDomain is given' });
    else if (account['name'] === undefined) issues.push({ field: 'accountName', message: 'required when accountExternalId is given' });
    else fields['account'] = account;
  }
  for (const column of REQUIRED_COLUMNS) if (fields[column] === undefined) issues.push({ field: column, message: 'required' });
  const parsed = CustomerInput.safeParse(fields);
  if (!parsed.success) {
    const reported = new Set(issues.map((i) => i.field));
    for (const issue of issuesOf(parsed.error)) {
      const field = csvColumnOf(issue.field);
      if (!reported.has(field)) issues.push({ field, message: issue.message });
    }
  }
  return issues.length ? { issues } : parsed.success ? { input: parsed.data } : { issues };
}

function parseBoolean(cell: string): boolean | undefined {
  const v = cell.toLowerCase();
  if (v === 'true' || v === 'yes' || v === '1') return true;
  if (v === 'false' || v === 'no' || v === '0') return false;
  return undefined;
}

/** `account.name` → accountName, `tags[2]` → tags, `(body)` → (row). */
export function csvColumnOf(field: string): string {
  if (field === '(body)') return '(row)';
  const account = /^account\.(\w+)/.exec(field)?.[1];
  if (account) return `account${account[0]?.toUpperCase()}${account.slice(1)}`;
  return field.replace(/\[\d+\]$/, '');
}

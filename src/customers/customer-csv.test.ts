import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { csvColumnOf, customerFromCsvRow, headerProblem } from './customer-csv.js';

describe('customer CSV rows', () => {
  const header = ['externalId', 'name', 'accountExternalId', 'accountName', 'tags', 'optedOut', 'lifetimeValue', 'addressLines', 'city'];
  const row = (over: Partial<Record<string, string>>) => header.map((h) => over[h] ?? '');

  test('cells become the API input: lists, booleans, numbers, the account, address lines', () => {
    const result = customerFromCsvRow(header, row({ externalId: ' x-1 ', name: 'Phạm Thu Hà', accountExternalId: 'a-1', accountName: 'Hà Nội Co', tags: 'vip; ;early', optedOut: 'YES', lifetimeValue: '12.5', addressLines: '12 Lý Thái Tổ\nHoàn Kiếm', city: 'Hà Nội' }));
    assert.ok('input' in result, JSON.stringify(result));
    assert.equal(result.input.externalId, 'x-1');
    assert.deepEqual(result.input.account, { externalId: 'a-1', name: 'Hà Nội Co' });
    assert.deepEqual(result.input.tags, ['vip', 'early']);
    assert.equal(result.input.optedOut, true);
    assert.equal(result.input.lifetimeValue, 12.5);
    assert.deepEqual(result.input.addressLines, ['12 Lý Thái Tổ', 'Hoàn Kiếm']);
    assert.equal(result.input.locale, undefined, 'an empty cell is "not given", so an update keeps the stored value');
  });

  test('problems are named by CSV column, all of them', () => {
    const result = customerFromCsvRow(header, row({ externalId: 'x-2', accountName: 'Orphan', optedOut: 'perhaps', lifetimeValue: '1,5' }));
    assert.ok('issues' in result);
    assert.deepEqual(result.issues.map((i) => i.field), ['optedOut', 'lifetimeValue', 'accountExternalId', 'name']);
    assert.deepEqual(customerFromCsvRow(header, ['only', 'two']), { issues: [{ field: '(row)', message: 'has 2 fields but the header has 9; check for an unquoted comma' }] });
  });

  test('zod paths map back to columns', () => {
    assert.equal(csvColumnOf('account.name'), 'accountName');
    assert.equal(csvColumnOf('account.externalId'), 'accountExternalId');
    assert.equal(csvColumnOf('tags[3]'), 'tags');
    assert.equal(csvColumnOf('(body)'), '(row)');
  });

  test('headers: unknown, repeated and missing required columns', () => {
    assert.equal(headerProblem(['externalId', 'name', 'email']), null);
    assert.match(headerProblem(['externalId', 'name', 'e-mail']) ?? '', /unknown column "e-mail"/);
    assert.match(headerProblem(['externalId', 'name', 'name']) ?? '', /"name" appears twice/);
    assert.match(headerProblem(['name']) ?? '', /needs the column externalId/);
  });
});

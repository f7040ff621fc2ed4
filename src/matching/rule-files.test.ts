import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { findSignals } from './find-signals.js';
import { buildMatchIndex } from './match-index.js';
import { builtInRuleFiles, loadRuleDirectory, RuleFileError } from './rule-files.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function ruleDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-rules-'));
  dirs.push(dir);
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  return dir;
}

function loadError(files: Record<string, string>): RuleFileError {
  const dir = ruleDir(files);
  try {
    loadRuleDirectory(dir);
  } catch (error) {
    assert.ok(error instanceof RuleFileError, `expected RuleFileError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the rule directory to be rejected');
}

test('the built-in rule files cover English, Vietnamese, Thai and Persian', () => {
  const languages = builtInRuleFiles().map((file) => file.language).sort();
  for (const language of ['en', 'fa', 'th', 'vi']) assert.ok(languages.includes(language), language);
});

test('invalid JSON names the file', () => {
  const error = loadError({ 'broken.json': '{ "language": "en", ' });
  assert.match(error.message, /broken\.json: /);
});

test('a wrong type names the file and the field', () => {
  const error = loadError({ 'bad.json': JSON.stringify({ language: 'en', kinds: { award: ['gala', 42] } }) });
  assert.match(error.message, /bad\.json: kinds\.award\[1\]: /);
});

test('an unknown kind, a missing language and an unknown key are each named', () => {
  assert.match(loadError({ 'a.json': JSON.stringify({ language: 'en', kinds: { promtion: ['x'] } }) }).message, /a\.json: kinds: .*promtion/);
  assert.match(loadError({ 'b.json': JSON.stringify({ kinds: {} }) }).message, /b\.json: language: required/);
  assert.match(loadError({ 'c.json': JSON.stringify({ language: 'en', negation: ['not'] }) }).message, /c\.json: .*negation/);
  assert.match(loadError({ 'd.json': JSON.stringify({ language: 'en', kinds: { award: [{ phrase: 'gala', weight: 2 }] } }) }).message, /d\.json: kinds\.award\[0\]/);
});

test('a missing rule directory is a RuleFileError naming it', () => {
  assert.throws(() => buildMatchIndex([], { extraRulesDir: '/nonexistent/rapport-rules' }), (error: unknown) => {
    return error instanceof RuleFileError && error.message.includes('/nonexistent/rapport-rules');
  });
});

test('extra rule files extend a built-in language and add new ones, without code', () => {
  const accounts = [{ id: 'acme', name: 'Acme Corp', aliases: [], domain: null, locale: null, keywords: [], contacts: [] }];
  const article = { id: '1', title: '', text: 'Acme Corp hosted its gala dinner.' };
  assert.equal(findSignals(buildMatchIndex(accounts), article)[0]?.kind, 'other');
  const dir = ruleDir({
    'marketing-en.json': JSON.stringify({ language: 'en', kinds: { anniversary: ['gala dinner'] } }),
    'de.json': JSON.stringify({ language: 'de', kinds: { award: ['auszeichnung*'] }, negations: ['nicht', 'keine'] }),
  });
  const extended = buildMatchIndex(accounts, { extraRulesDir: dir });
  assert.equal(findSignals(extended, article)[0]?.kind, 'anniversary');
  const german = { id: '2', title: '', text: 'Acme Corp erhält eine Auszeichnung.', language: 'de-DE' };
  assert.equal(findSignals(extended, german)[0]?.kind, 'award');
  const negated = { id: '3', title: '', text: 'Acme Corp erhält keine Auszeichnung.', language: 'de' };
  assert.equal(findSignals(extended, negated)[0]?.polarity, 'neutral');
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/rapport.js', import.meta.url));
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });

describe('rapport CLI', () => {
  test('--help lists the commands', () => {
    const r = run(['--help']);
    assert.equal(r.status, 0);
    for (const command of ['start', 'migrate', 'seed --demo', 'token create', 'signals']) assert.ok(r.stdout.includes(command), command);
  });

  test('an unknown command or flag is a usage error (exit 2)', () => {
    const unknown = run(['launch']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command "launch"/);
    const flag = run(['migrate', '--fast']);
    assert.equal(flag.status, 2);
    assert.match(flag.stderr, /Unknown option '--fast'/);
  });

  test('a wrong environment variable stops the process naming the variable', () => {
    const r = run(['migrate'], { HTTP_PORT: 'abc', DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /HTTP_PORT: expected an integer from 0 to 65535/);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
  });
});

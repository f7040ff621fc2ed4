import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';

test('a password verifies against its own hash only; each hash has its own salt', async () => {
  const a = await hashPassword('correct horse battery');
  const b = await hashPassword('correct horse battery');
  assert.notEqual(a, b, 'per-user salt');
  assert.match(a, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.equal(await verifyPassword('correct horse battery', a), true);
  assert.equal(await verifyPassword('correct horse batterY', a), false);
  assert.equal(await verifyPassword('', a), false);
});

test('a missing or malformed hash never verifies and never throws', async () => {
  for (const stored of [null, undefined, '', 'plain', 'scrypt$1$2$3$x$y', 'bcrypt$a$b$c$d$e']) {
    assert.equal(await verifyPassword('anything at all', stored), false, String(stored));
  }
});

test('passwords must be long enough', () => {
  assert.match(passwordProblem('short') ?? '', /at least 10/);
  assert.equal(passwordProblem('rapport-demo'), null);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mailProviderOf, parseDomainGroups } from './mail-providers.js';

test("a well-known provider's domains count under its first domain; other domains under themselves", () => {
  const providerOf = mailProviderOf();
  assert.equal(providerOf('googlemail.com'), 'gmail.com');
  assert.equal(providerOf('GMail.com'), 'gmail.com', 'in lower case');
  assert.equal(providerOf('hotmail.co.uk'), 'outlook.com');
  assert.equal(providerOf('live.com'), 'outlook.com');
  assert.equal(providerOf('aol.com'), 'yahoo.com');
  assert.equal(providerOf('me.com'), 'icloud.com');
  assert.equal(providerOf('Acme.example'), 'acme.example');
  assert.notEqual(providerOf('gmail.com'), providerOf('outlook.com'), 'providers stay apart');
});

test('an internationalised domain counts as one in Thai script, in punycode and in any case', () => {
  const providerOf = mailProviderOf([['ตัวอย่าง.ไทย', 'Bücher.de']]);
  assert.equal(providerOf('ตัวอย่าง.ไทย'), 'xn--72c1a1bt4awk9o.xn--o3cw4h');
  assert.equal(providerOf('XN--72C1A1BT4AWK9O.xn--o3cw4h'), 'xn--72c1a1bt4awk9o.xn--o3cw4h');
  assert.equal(providerOf('xn--bcher-kva.de'), 'xn--72c1a1bt4awk9o.xn--o3cw4h', 'a configured group in Unicode matches punycode');
  assert.equal(providerOf('not a domain'), 'not a domain', 'kept as written when it is no domain name');
});

test('configured groups add to the built-in ones and take a domain out of its built-in group', () => {
  const providerOf = mailProviderOf([
    ['acme.com', 'acme.de', 'acme.fr'],
    ['corp-mail.example', 'msn.com'],
  ]);
  assert.equal(providerOf('acme.fr'), 'acme.com');
  assert.equal(providerOf('ACME.DE'), 'acme.com');
  assert.equal(providerOf('msn.com'), 'corp-mail.example', 'the configured group wins');
  assert.equal(providerOf('hotmail.com'), 'outlook.com', 'the rest of the built-in group stays');
});

test('SMTP_DOMAIN_GROUPS: groups by `;`, domains by `,`, blanks ignored, lower-cased', () => {
  assert.deepEqual(parseDomainGroups(' Acme.com, acme.de ;globex.com,globex.io; '), { groups: [['acme.com', 'acme.de'], ['globex.com', 'globex.io']] });
  assert.deepEqual(parseDomainGroups(''), { groups: [] });
  assert.deepEqual(parseDomainGroups('ตัวอย่าง.ไทย,example.vn'), { groups: [['ตัวอย่าง.ไทย', 'example.vn']] }, 'internationalised names too');
});

test('SMTP_DOMAIN_GROUPS: each bad group or domain is named with the reason', () => {
  const error = (text: string) => {
    const parsed = parseDomainGroups(text);
    assert.ok('error' in parsed, `${text} is refused`);
    return parsed.error;
  };
  assert.match(error('acme.com'), /group 1 \("acme.com"\) names one domain/);
  assert.match(error('acme.com,,acme.de'), /group 1 .* has an empty domain/);
  assert.match(error('acme.com,acme.de;globex.com,not a domain'), /"not a domain" in group 2 is not a domain name/);
  assert.match(error('acme.com,localhost'), /"localhost" in group 1 is not a domain name/);
  assert.match(error('acme.com,acme.de;acme.de,acme.fr'), /"acme.de" is in group 1 and in group 2/);
  assert.match(error('ตัวอย่าง.ไทย,a.com;xn--72c1a1bt4awk9o.xn--o3cw4h,b.com'), /is in group 1 and in group 2/, 'the same name in Thai script and punycode');
});

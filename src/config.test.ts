import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.js';

describe('config', () => {
  test('an empty environment gives laptop defaults: embedded database, Redis and outbox', () => {
    const config = loadConfig({});
    assert.equal(config.db.url, undefined);
    assert.equal(config.redis.url, undefined);
    assert.equal(config.mail.smtpUrl, undefined);
    assert.equal(config.http.port, 3000);
    assert.equal(config.dataDir, './data');
    assert.equal(config.http.publicUrl, 'http://127.0.0.1:3000');
  });

  test('values are parsed and empty strings count as unset', () => {
    const config = loadConfig({ HTTP_PORT: '8080', DATABASE_URL: 'postgresql://u@db:5432/rapport', REDIS_URL: '', WORKER_CONCURRENCY: '12' });
    assert.equal(config.http.port, 8080);
    assert.equal(config.db.url, 'postgresql://u@db:5432/rapport');
    assert.equal(config.redis.url, undefined);
    assert.equal(config.redis.concurrency, 12);
  });

  test('the daily print run: a cron pattern in a zone, or off', () => {
    assert.deepEqual([loadConfig({}).print.runSchedule, loadConfig({}).print.runTimeZone], ['0 6 * * *', 'UTC']);
    const berlin = loadConfig({ PRINT_RUN_SCHEDULE: '30 5 * * 1-5', PRINT_RUN_TIME_ZONE: 'Europe/Berlin' });
    assert.deepEqual([berlin.print.runSchedule, berlin.print.runTimeZone], ['30 5 * * 1-5', 'Europe/Berlin']);
    assert.equal(loadConfig({ PRINT_RUN_SCHEDULE: 'off' }).print.runSchedule, null);
    assert.throws(() => loadConfig({ PRINT_RUN_SCHEDULE: 'daily', PRINT_RUN_TIME_ZONE: 'Mars/Olympus' }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      const byVariable = Object.fromEntries(err.problems.map((p) => [p.variable, p.message]));
      assert.match(byVariable.PRINT_RUN_SCHEDULE!, /cron pattern such as "0 6 \* \* 1-5"/);
      assert.match(byVariable.PRINT_RUN_TIME_ZONE!, /IANA time zone/);
      return true;
    });
  });

  test('each outgoing channel has its own rate limit', () => {
    const defaults = loadConfig({});
    assert.deepEqual([defaults.mail.ratePerSecond, defaults.print.providerRatePerSecond, defaults.gifts.partnerRatePerSecond], [20, 5, 5]);
    const set = loadConfig({ EMAIL_RATE_PER_SECOND: '50', PRINT_PROVIDER_RATE_PER_SECOND: '2', GIFT_PARTNER_RATE_PER_SECOND: '1' });
    assert.deepEqual([set.mail.ratePerSecond, set.print.providerRatePerSecond, set.gifts.partnerRatePerSecond], [50, 2, 1]);
    assert.throws(() => loadConfig({ GIFT_PARTNER_RATE_PER_SECOND: '0' }), /GIFT_PARTNER_RATE_PER_SECOND: expected an integer from 1 to 1000/);
  });

  test('every wrong value is named with what is expected', () => {
    assert.throws(
      () => loadConfig({ HTTP_PORT: 'eighty', DATABASE_URL: 'mysql://x', SMTP_URL: 'http://mail', MAIL_FROM: 'nobody', QUEUE_PREFIX: 'a:b', LOG_LEVEL: 'loud' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        const byVariable = Object.fromEntries(err.problems.map((p) => [p.variable, p.message]));
        assert.deepEqual(Object.keys(byVariable).sort(), ['DATABASE_URL', 'HTTP_PORT', 'LOG_LEVEL', 'MAIL_FROM', 'QUEUE_PREFIX', 'SMTP_URL']);
        assert.match(byVariable.HTTP_PORT!, /integer from 0 to 65535/);
        assert.match(byVariable.DATABASE_URL!, /postgres:\/\/ or postgresql:\/\//);
        assert.match(byVariable.SMTP_URL!, /smtp:\/\/ or smtps:\/\//);
        assert.match(err.message, /See \.env\.example/);
        return true;
      },
    );
  });
});

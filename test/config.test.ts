import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const dataDir = () => mkdtempSync(join(tmpdir(), 'koop-config-'));

function failure(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ DATA_DIR: dataDir(), ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('settings', () => {
  it('should start with no settings at all on the embedded defaults', () => {
    const dir = dataDir();
    const config = loadConfig({ DATA_DIR: dir });
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', publicUrl: 'http://localhost:3000', databaseUrl: undefined, defaultTimezone: 'Europe/Warsaw', pgliteSharedBuffersMb: 32, earlySendMaxMs: 600_000 });
    expect(loadConfig({ DATA_DIR: dir, EARLY_SEND_MAX_SECONDS: '0' }).earlySendMaxMs).toBe(0);
    expect(config.slack).toBeUndefined();
    expect(config.teams).toBeUndefined();
    // The generated secret is kept, so signed links survive a restart.
    expect(config.appSecret).toBe(readFileSync(join(dir, 'app-secret'), 'utf8'));
    expect(loadConfig({ DATA_DIR: dir }).appSecret).toBe(config.appSecret);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT', '3000'],
    [{ PORT: '70000' }, 'PORT', '3000'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', 'postgres://'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL', 'https://'],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL', 'smtp://'],
    [{ TZ_DEFAULT: 'Europe/Warszawa' }, 'TZ_DEFAULT', 'Europe/Warsaw'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', 'info'],
    [{ RETENTION_MONTHS: 'a year' }, 'RETENTION_MONTHS', '12'],
    [{ RETENTION_MONTHS: '0' }, 'RETENTION_MONTHS', '12'],
    [{ REPLICA_TIMEOUT_SECONDS: '1' }, 'REPLICA_TIMEOUT_SECONDS', '30'],
    [{ EARLY_SEND_MAX_SECONDS: '-1' }, 'EARLY_SEND_MAX_SECONDS', '600'],
    [{ EARLY_SEND_MAX_SECONDS: '10 min' }, 'EARLY_SEND_MAX_SECONDS', '600'],
    [{ PGLITE_SHARED_BUFFERS_MB: '2' }, 'PGLITE_SHARED_BUFFERS_MB', '32'],
    [{ PGLITE_SHARED_BUFFERS_MB: '32MB' }, 'PGLITE_SHARED_BUFFERS_MB', '32'],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, 'SLACK_SIGNING_SECRET', 'Signing Secret'],
    [{ SLACK_BOT_TOKEN: 'abc', SLACK_SIGNING_SECRET: '0123456789abcdef0' }, 'SLACK_BOT_TOKEN', 'xoxb-'],
    [{ TEAMS_DEV_NO_AUTH: '1', NODE_ENV: 'production', APP_SECRET: 'x'.repeat(40) }, 'TEAMS_DEV_NO_AUTH', 'MicrosoftAppId'],
    [{ NODE_ENV: 'production' }, 'APP_SECRET', 'openssl rand'],
    [{ MicrosoftAppId: 'abc' }, 'MicrosoftAppPassword', 'client secret'],
    [{ MicrosoftAppId: 'a', MicrosoftAppPassword: 'b', MicrosoftAppType: 'SingleTenant' }, 'MicrosoftAppTenantId', '0000'],
  ])('should stop on %o with one line naming %s and a good example', (env, variable, example) => {
    const error = failure(env);
    expect(error.variable).toBe(variable);
    expect(error.message.split('\n')).toHaveLength(1);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
    expect(error.message).toContain('Example of a good value');
    expect(error.message).toContain(example);
  });

  it('should never put a secret into the error line', () => {
    const error = failure({ SLACK_BOT_TOKEN: 'xoxb-very-secret-token' });
    expect(error.message).not.toContain('very-secret');
  });

  it('should turn channels on from their settings', () => {
    const config = loadConfig({
      DATA_DIR: dataDir(),
      SLACK_BOT_TOKEN: 'xoxb-1-2-3',
      SLACK_SIGNING_SECRET: '0123456789abcdef0123',
      TEAMS_DEV_NO_AUTH: '1',
      SMTP_URL: 'smtp://u:p@127.0.0.1:2525',
      PUBLIC_URL: 'https://koop.example.org/',
    });
    expect(config.slack?.botToken).toBe('xoxb-1-2-3');
    expect(config.teams).toEqual({ devNoAuth: true });
    expect(config.smtpUrl).toBe('smtp://u:p@127.0.0.1:2525');
    expect(config.publicUrl).toBe('https://koop.example.org');
  });

  it.each(['production', 'Production', 'PRODUCTION', ' production ', '"production"', "'production'"])('should treat NODE_ENV=%j as production', (value) => {
    expect(failure({ NODE_ENV: value }).variable).toBe('APP_SECRET');
    expect(loadConfig({ DATA_DIR: dataDir(), NODE_ENV: value, APP_SECRET: 'x'.repeat(40) }).production).toBe(true);
  });

  it('should not treat NODE_ENV=development or test as production', () => {
    for (const value of ['development', 'test', '"Development"']) expect(loadConfig({ DATA_DIR: dataDir(), NODE_ENV: value }).production).toBe(false);
  });

  it('should refuse a NODE_ENV other than development, test or production, naming it', () => {
    for (const value of ['productionish', 'prod', '"production']) expect(failure({ NODE_ENV: value }).variable).toBe('NODE_ENV');
  });

  it('should point links at the port and host the service listens on when PUBLIC_URL is unset', () => {
    expect(loadConfig({ DATA_DIR: dataDir(), PORT: '8080' })).toMatchObject({ publicUrl: 'http://localhost:8080', publicUrlFromListener: true });
    expect(loadConfig({ DATA_DIR: dataDir(), PORT: '8080', HOST: '0.0.0.0' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ DATA_DIR: dataDir(), PORT: '8080', HOST: '10.1.2.3' }).publicUrl).toBe('http://10.1.2.3:8080');
    expect(loadConfig({ DATA_DIR: dataDir(), PORT: '8080', HOST: 'fd00::1' }).publicUrl).toBe('http://[fd00::1]:8080');
    expect(loadConfig({ DATA_DIR: dataDir(), PORT: '8080', PUBLIC_URL: 'https://koop.example.org' })).toMatchObject({
      publicUrl: 'https://koop.example.org',
      publicUrlFromListener: false,
    });
  });
});

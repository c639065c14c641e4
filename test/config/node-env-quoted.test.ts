import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

/**
 * Review: NODE_ENV is production "in any case, with spaces" (8d5ab0d), but `docker run
 * --env-file` keeps quotes, so a .env line NODE_ENV="production" (as most .env examples write
 * it) arrives as `"production"`. config.ts then runs the service as development without a
 * word: TEAMS_DEV_NO_AUTH=1 is accepted (Bot Framework authentication off) and APP_SECRET is
 * made up and kept in DATA_DIR. Quotes around a value should be taken off, or any NODE_ENV
 * other than development/test/production refused naming NODE_ENV.
 */
const dataDir = () => mkdtempSync(join(tmpdir(), 'koop-env-'));

describe('Review: NODE_ENV="production" with its quotes (docker run --env-file)', () => {
  it('should not accept TEAMS_DEV_NO_AUTH=1 as if it were not production', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), NODE_ENV: '"production"', TEAMS_DEV_NO_AUTH: '1' })).toThrow(/NODE_ENV|TEAMS_DEV_NO_AUTH/);
  });
});

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../support/databases.js';
import { startHarness, type Harness } from './harness.js';

/**
 * Found in review: "Teams without valid auth a 401" (9dc3db3). http-mount.ts read and parses the body
 * (readJson) before it looks at the Authorization header, so a request with no token at all
 * whose body is not a JSON object is answered 400 "the body is not a JSON activity": an
 * anonymous caller learns how its body was parsed, and the refusal is not logged. The header
 * can be checked before the body is read.
 */
describe('Teams requests without a token and a body that is not an activity (PGlite)', () => {
  let h: Harness | undefined;
  beforeAll(async () => (await freshDatabase('pglite')).close());
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  const withAppId = { devNoAuth: false, appId: '11111111-2222-3333-4444-555555555555', appPassword: 'not-a-real-secret', appType: 'MultiTenant' };

  it.each([
    ['not JSON', '{"type":'],
    ['JSON null', 'null'],
    ['a JSON array', '[]'],
  ])('should answer a body that is %s with no Authorization header with 401', async (_name, body) => {
    h = await startHarness('pglite', { adapter: withAppId });
    const response = await fetch(`${h.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(401);
  });
});

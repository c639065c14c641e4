import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsAdapter } from '../../../adapters/teams/index.js';
import { dialects, freshDatabase } from '../../support/databases.js';
import { log, message, people, startHarness, type Harness } from './harness.js';

describe.each(dialects)('Teams authentication on %s', (kind) => {
  let h: Harness | undefined;
  // The first database of a worker takes seconds (PGlite snapshot, migrations): not in a test's time.
  beforeAll(async () => (await freshDatabase(kind)).close());
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const withAppId = { devNoAuth: false, appId: '11111111-2222-3333-4444-555555555555', appPassword: 'not-a-real-secret', appType: 'MultiTenant' };

  it.each([
    ['a garbage bearer token', { authorization: 'Bearer garbage' }],
    ['no Authorization header', {}],
  ])('should refuse %s with 401 when an app id is configured, and nothing reaches the bot', async (_name, headers) => {
    h = await startHarness(kind, { adapter: withAppId });
    const response = await h.post(message(h.connector, people.anna, 'spotkania'), headers);
    expect(response.status).toBe(401);
    expect(h.connector.calls).toEqual([]);
    expect(await h.db.db.selectFrom('processed_events').selectAll().execute()).toEqual([]);
    expect(await h.db.db.selectFrom('person_channels').selectAll().execute()).toEqual([]);
  });

  it.each([
    ['an empty object with no Authorization header', {}, {}],
    ['an empty object with a garbage token', {}, { authorization: 'Bearer garbage' }],
    ['an activity with only a type', { type: 'message' }, {}],
    ['an activity with a serviceUrl that is not a URL', { type: 'message', serviceUrl: 'not a url', channelId: 'msteams' }, { authorization: 'Bearer x.y.z' }],
  ])('should answer %s with 401 and one log line without a stack', async (_name, body, headers) => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    h = await startHarness(kind, { adapter: { ...withAppId, log } });
    const response = await h.post(body, headers);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'unauthorized' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40 });
    expect(JSON.stringify(lines[0])).not.toMatch(/\bat .*\.(js|ts):\d+/);
    expect(h.connector.calls).toEqual([]);
  });

  it('should refuse to start without an app id unless dev-no-auth is asked for', () => {
    const bot = { handle: async () => ({ language: 'pl' as const, title: '', text: '' }), home: async () => ({ language: 'pl' as const, title: '', text: '' }), handleOnce: async () => ({ language: 'pl' as const, title: '', text: '' }), seenBefore: async () => false, firstTime: async () => true, linkPlace: async () => undefined };
    expect(() => createTeamsAdapter({ devNoAuth: false, bot, log, publicUrl: 'http://localhost:3000' })).toThrow(/MicrosoftAppId/);
    expect(() => createTeamsAdapter({ devNoAuth: true, bot, log, publicUrl: 'http://localhost:3000' })).not.toThrow();
  });
});

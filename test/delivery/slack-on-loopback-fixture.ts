import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createSlackAdapter } from '../../adapters/slack/index.js';
import { FixedClock } from '../../src/clock.js';
import type { Db, DbKind } from '../../src/db/db.port.js';
import type { DispatcherOptions } from '../../src/delivery/dispatcher.js';
import { platformPacing } from '../../src/delivery/platform-pacing.js';
import { createLogger } from '../../src/log.js';
import type { BotPort, ChannelAdapter } from '../../src/ports/channel.port.js';
import { FakeSlackApi } from '../adapters/slack/fake-slack-api.js';
import { SIGNING_SECRET } from '../adapters/slack/slack-requests.js';
import { freshDatabase } from '../support/databases.js';

export const log = createLogger('silent');

/** A bot that answers everything with OK: these tests only send. */
export const idleBot: BotPort = {
  handle: async () => ({ language: 'pl', title: 'OK', text: 'OK' }),
  home: async () => ({ language: 'pl', title: 'OK', text: 'OK' }),
  handleOnce: async () => undefined, seenBefore: async () => false, firstTime: async () => true,
  linkPlace: async () => undefined,
};

const START = '2027-01-04T08:00:00Z';

export interface SlackOnLoopback {
  clock: FixedClock;
  /** The current test's database. */
  db: Db;
  api: FakeSlackApi;
  /** The real Slack adapter, talking to `api`. */
  slack: ChannelAdapter;
  /** The dispatcher options these tests share: platform pacing, a pace wait of 1 s at most, no jitter. */
  dispatching(): Pick<DispatcherOptions, 'db' | 'clock' | 'log' | 'workerId' | 'pacing' | 'maxPaceWaitMs' | 'random' | 'openSession'>;
}

/**
 * For the tests of the describe it is called in: the real Slack adapter against a fake Web API
 * on loopback (started once), and a fresh database each, with the clock set back to
 * 2027-01-04 08:00 UTC and the fake's calls forgotten before each.
 */
export function slackOnLoopback(kind: DbKind): SlackOnLoopback {
  const world: SlackOnLoopback = {
    clock: new FixedClock(START),
    db: undefined as unknown as Db,
    api: undefined as unknown as FakeSlackApi,
    slack: undefined as unknown as ChannelAdapter,
    dispatching: () => ({
      db: world.db.db, clock: world.clock, log, workerId: 'w', pacing: platformPacing, maxPaceWaitMs: 1000,
      random: () => 0, ...(world.db.openSession ? { openSession: () => world.db.openSession!() } : {}),
    }),
  };
  beforeAll(async () => {
    world.api = await new FakeSlackApi().start();
    world.slack = createSlackAdapter({ botToken: 'xoxb-test', signingSecret: SIGNING_SECRET, apiUrl: `${world.api.url}/api/`, botId: 'B', botUserId: 'U', bot: idleBot, log, publicUrl: 'https://koop.example.org' });
  });
  afterAll(async () => world.api?.stop());
  beforeEach(async () => {
    world.clock.set(START);
    world.api.calls.length = 0;
    world.db = await freshDatabase(kind);
  });
  afterEach(async () => world.db?.close());
  return world;
}

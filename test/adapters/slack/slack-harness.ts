import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSlackAdapter, type SlackAdapterOptions } from '../../../adapters/slack/index.js';
import { Bot } from '../../../src/bot/bot.js';
import { FixedClock } from '../../../src/clock.js';
import type { Db, DbKind } from '../../../src/db/db.port.js';
import { createMetrics } from '../../../src/http/metrics.js';
import { createHttpServer } from '../../../src/http/server.js';
import { createLogger } from '../../../src/log.js';
import type { BotPort, ChannelAdapter, Incoming } from '../../../src/ports/channel.port.js';
import { demoDatabase } from '../../support/databases.js';
import { FakeSlackApi } from './fake-slack-api.js';
import { SIGNING_SECRET, SlackRequests } from './slack-requests.js';

export const PUBLIC_URL = 'https://koop.example.org';

/** Slack users of the demo schedule (calendars/demo.yaml) and one stranger. */
export const slackUsers = {
  anna: { id: 'UANNA', email: 'anna.nowak@example.org' },
  joanna: { id: 'UJOANNA', email: 'joanna.mazur@example.org' },
  stranger: { id: 'USTRANGER', email: 'stranger@example.com' },
} as const;

export interface SlackHarness {
  db: Db;
  bot: Bot;
  fake: FakeSlackApi;
  adapter: ChannelAdapter;
  slack: SlackRequests;
  /** Everything the adapter handed to the bot port, in order. */
  incoming: Incoming[];
  close(): Promise<void>;
}

/**
 * The real pieces: a migrated database with the demo schedule, the real Bot, the adapter with
 * its Web API pointed at a fake, and its mount served by our own HTTP server.
 */
export async function startSlackHarness(
  kind: DbKind,
  options: { wrap?: (bot: BotPort) => BotPort; adapter?: Partial<SlackAdapterOptions>; db?: Db } = {},
): Promise<SlackHarness> {
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  const log = createLogger('silent');
  const db = options.db ?? (await demoDatabase(kind, clock));
  const bot = new Bot({ db: db.db, clock, publicUrl: PUBLIC_URL, appSecret: 'x'.repeat(40), log });
  const fake = await new FakeSlackApi().start();
  for (const user of Object.values(slackUsers)) fake.users.set(user.id, user.email);
  const incoming: Incoming[] = [];
  // A recording pass-through of the port: what the adapter asked, answered by the real Bot.
  const recorded: BotPort = {
    handle: (i) => (incoming.push(i), bot.handle(i)),
    handleOnce: (key, i) => (incoming.push(i), bot.handleOnce(key, i)),
    seenBefore: (key) => bot.seenBefore(key),
    answerAgain: (i) => {
      const answer = bot.answerAgain(i);
      if (answer) incoming.push(i);
      return answer;
    },
    home: (from) => (incoming.push({ type: 'hello', from }), bot.home(from)),
    firstTime: (key) => bot.firstTime(key),
    linkPlace: (place) => bot.linkPlace(place),
  };
  const adapter = createSlackAdapter({
    botToken: 'xoxb-test-token',
    signingSecret: SIGNING_SECRET,
    apiUrl: `${fake.url}/api/`,
    botId: 'BKOOP',
    botUserId: 'UKOOP',
    bot: options.wrap ? options.wrap(recorded) : recorded,
    log,
    publicUrl: PUBLIC_URL,
    ...options.adapter,
  });
  const server: Server = createHttpServer({ routes: [], mounts: adapter.mounts, metrics: createMetrics(), log });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await adapter.start();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    db,
    bot,
    fake,
    adapter,
    slack: new SlackRequests(`${url}/slack/events`),
    incoming,
    close: async () => {
      await adapter.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fake.stop();
      await db.close();
    },
  };
}

/** Rows in the tables a stranger must never reach. */
export async function countPeopleAndLinks(db: Db): Promise<{ people: number; links: number }> {
  const people = await db.db.selectFrom('people').select(db.db.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const links = await db.db.selectFrom('person_channels').select(db.db.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return { people: Number(people.n), links: Number(links.n) };
}
